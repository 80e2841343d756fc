// The browser's stand-in for node:os: what the results' environment record and the thread count
// ask for, from the navigator.
const nav = (globalThis as { navigator?: { hardwareConcurrency?: number; userAgent?: string } })
  .navigator;

export function availableParallelism(): number {
  return nav?.hardwareConcurrency ?? 1;
}

export function cpus(): { model: string }[] {
  return Array.from({ length: availableParallelism() }, () => ({ model: 'unknown (browser)' }));
}

export function platform(): string {
  return 'browser';
}

export function release(): string {
  return nav?.userAgent ?? 'unknown';
}

export function totalmem(): number {
  const gib = (nav as { deviceMemory?: number } | undefined)?.deviceMemory ?? 0;
  return gib * 2 ** 30;
}

export function homedir(): string {
  return '/home';
}
