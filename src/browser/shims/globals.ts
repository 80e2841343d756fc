// The two Node globals the study's code reads, for a page or a Web Worker: `Buffer` (the `buffer`
// package, Node's own API) and a `process` that says where it runs (a browser: no pid, no signals,
// no environment variables; what it writes to stderr goes to the console). Imported first by each
// browser entry, before any module that reads them.
import { Buffer } from 'buffer';

interface BrowserProcess {
  pid: number;
  version: string;
  versions: Record<string, string>;
  platform: string;
  env: Record<string, string | undefined>;
  argv: string[];
  stderr: { write(text: string): boolean; isTTY: boolean };
  stdout: { write(text: string): boolean; isTTY: boolean };
  cwd(): string;
  on(): void;
  off(): void;
  once(): void;
  kill(pid: number): void;
  exit(code?: number): never;
  emitWarning(message: string): void;
  nextTick(callback: (...args: unknown[]) => void, ...args: unknown[]): void;
  hrtime: { bigint(): bigint };
}

const scope = globalThis as unknown as { process?: BrowserProcess; Buffer?: typeof Buffer };

function consoleStream(write: (text: string) => void) {
  return {
    isTTY: false,
    write: (text: string) => {
      write(text.trimEnd());
      return true;
    },
  };
}

if (!scope.process) {
  scope.process = {
    pid: 1,
    version: 'browser',
    versions: { v8: 'browser' },
    platform: 'browser',
    env: {},
    argv: [],
    stderr: consoleStream((text) => console.warn(text)),
    stdout: consoleStream((text) => console.log(text)),
    cwd: () => '/',
    on: () => undefined,
    off: () => undefined,
    once: () => undefined,
    kill: () => {
      throw Object.assign(new Error('no processes in a browser'), { code: 'ESRCH' });
    },
    exit: () => {
      throw new Error('process.exit in a browser');
    },
    emitWarning: (message) => console.warn(message),
    nextTick: (callback, ...args) => queueMicrotask(() => callback(...args)),
    hrtime: { bigint: () => BigInt(Math.round(performance.now() * 1e6)) },
  };
}
scope.Buffer ??= Buffer;
