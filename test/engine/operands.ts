// The kernel tests' operands and comparison: random values (some exactly zero), copied into a
// kernel set's memory, and the worst relative difference of two results.
import { expect } from 'vitest';
import type { Rng } from '../../src/engine/rng.js';
import type { FloatArray, Kernels } from '../../src/engine/kernels.js';

/** `n` values in [-1, 1), each zero with probability `zeros`. */
export function values(n: number, rng: Rng, zeros = 0): number[] {
  return Array.from({ length: n }, () => {
    const v = rng.uniform(-1, 1);
    return rng.uniform(0, 1) < zeros ? 0 : v;
  });
}

/** `data` in a buffer of `k`'s. */
export function put(k: Kernels, data: number[]): FloatArray {
  const a = k.alloc(data.length);
  a.set(data);
  return a;
}

/** a and b of one length, every value within `tol` of the other relative to 1 + |a|. */
export function expectClose(a: FloatArray, b: FloatArray, tol = 1e-4) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(a[i])));
  expect(worst).toBeLessThan(tol);
}
