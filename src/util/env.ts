// The environment a result was produced in: versions, CPU, cores, kernels in use.
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { backendDescription } from '../engine/backend.js';

export function packageVersion(): string {
  try {
    const file = new URL('../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function environment(threads: number) {
  return {
    prunelab: packageVersion(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    threads,
    kernels: backendDescription(),
  };
}

let warnedThreads = false;

/** Threads to use: the number asked for (warned once when above the cores), or one per core. */
export function resolveThreads(threads: number): number {
  const cores = availableParallelism();
  if (threads > cores && !warnedThreads && isMainThread) {
    warnedThreads = true;
    process.stderr.write(
      `prunelab: --threads ${threads} is more than the ${cores} cores here; the extra threads ` +
        'only take turns on them (the numbers are the same)\n',
    );
  }
  return threads > 0 ? threads : cores;
}
