// What the network tests share: seeded standard-normal inputs, and the largest difference of two
// arrays relative to the reference's scale (an element-wise relative error means nothing near 0).
import { Rng } from '../../src/engine/rng.js';

export function randomInput(n: number, seed: number): Float64Array {
  const r = new Rng(seed),
    a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = r.normal();
  return a;
}

/** max |a - b| over max |b| (or over 1 when b is all zeros). */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0,
    worst = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / (scale || 1);
}
