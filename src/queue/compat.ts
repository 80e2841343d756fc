// What a queue worker must share with the study's coordinator for the numbers to be identical: the
// prunelab version and the kernel build in use (the WebAssembly file's hash and its variant; the
// fused and the plain SIMD builds round differently).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { wasmPath, wasmVariant } from '../engine/wasm.js';
import { packageVersion } from '../util/env.js';

export interface Build {
  version: string;
  /** `wasm-simd-fma@1a2b3c4d5e6f`, `wasm-simd@...` or `reference`. */
  kernels: string;
}

let cached: Build | null = null;

export function thisBuild(): Build {
  if (cached) return cached;
  const variant = wasmVariant();
  let kernels = 'reference';
  if (variant) {
    const file = wasmPath(variant === 'simd-fma');
    const hash = existsSync(file)
      ? createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12)
      : 'unknown';
    kernels = `wasm-${variant}@${hash}`;
  }
  cached = { version: packageVersion(), kernels };
  return cached;
}

export function describeBuild(build: Build): string {
  return `prunelab ${build.version} (kernels ${build.kernels})`;
}

export function sameBuild(a: Build, b: Build): boolean {
  return a.version === b.version && a.kernels === b.kernels;
}
