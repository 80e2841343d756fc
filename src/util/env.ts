// The environment a result was produced in: versions, CPU, cores, kernels in use.
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
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

export function resolveThreads(threads: number): number {
  return threads > 0 ? threads : availableParallelism();
}
