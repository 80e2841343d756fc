// The heatmap's unit order: a permutation that puts each group of similar (or opposite) units
// together, whatever order the units came in; the identity where it does not apply.
import { describe, expect, it } from 'vitest';
import { MAX_ORDERED_UNITS, similarityOrder } from '../../src/report/similarity-order.js';
import { Rng } from '../../src/engine/rng.js';

/** Cosines of `groups` groups of units: within a group 0.9 (or -0.9 for odd pairs), else 0.1. */
function grouped(groupOf: number[]): Float64Array {
  const n = groupOf.length;
  const cos = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) cos[i * n + j] = 1;
      else if (groupOf[i] === groupOf[j]) cos[i * n + j] = (i + j) % 2 ? -0.9 : 0.9;
      else cos[i * n + j] = 0.1;
    }
  return cos;
}

describe('similarityOrder', () => {
  it('places the units of each group side by side, opposite ones included', () => {
    const rng = new Rng(5, 0, 0);
    const groupOf = Array.from({ length: 30 }, () => Math.floor(rng.uniform(0, 4)));
    const order = similarityOrder(grouped(groupOf), 30);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // along the order, the group changes only when one group is done: 3 changes for 4 groups
    const present = new Set(groupOf).size;
    let changes = 0;
    for (let p = 1; p < 30; p++) if (groupOf[order[p]] !== groupOf[order[p - 1]]) changes++;
    expect(changes).toBe(present - 1);
    // a pure function of the matrix
    expect(similarityOrder(grouped(groupOf), 30)).toEqual(order);
  });

  it('keeps dead units (an undefined cosine) and the order of tiny or huge layers', () => {
    const cos = grouped([0, 1, 0, 1]);
    cos[1 * 4 + 3] = NaN;
    cos[3 * 4 + 1] = NaN;
    expect([...similarityOrder(cos, 4)].sort()).toEqual([0, 1, 2, 3]);
    expect(similarityOrder(new Float64Array(4).fill(1), 2)).toEqual([0, 1]);
    const n = MAX_ORDERED_UNITS + 1;
    const huge = { length: n * n } as ArrayLike<number>;
    expect(similarityOrder(huge, n)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
