// The browser's stand-ins for the Node modules and native packages only a CLI path reaches (image
// decoding with sharp, the dataset cache's hashes, the data-parallel helper thread, the packages
// loaded by path): importing them works, calling them says plainly that the browser cannot.
export function unavailable(what: string): never {
  throw new Error(`${what} is not available in the browser build of prunelab`);
}

export const isMainThread = true;
export const parentPort = null;
export const workerData = null;

export class Worker {
  constructor() {
    unavailable('a worker thread (the data-parallel helper)');
  }
}

export class MessageChannel {
  constructor() {
    unavailable('a MessageChannel of worker_threads');
  }
}

export function receiveMessageOnPort(): never {
  return unavailable('receiveMessageOnPort');
}

export function createHash(): never {
  return unavailable('node:crypto');
}

export function createRequire(): (name: string) => never {
  return (name) => unavailable(`the package ${name}`);
}

export function gunzipSync(): never {
  return unavailable('node:zlib');
}

export function readFile(): Promise<never> {
  return Promise.reject(new Error('node:fs/promises is not available in the browser build'));
}

export function fileURLToPath(url: string | URL): string {
  return new URL(url).pathname;
}
