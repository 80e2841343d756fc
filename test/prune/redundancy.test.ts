// Redundancy estimates from activations (src/prune/redundancy.ts), on activations whose answer is
// known: three independent units, copies and a negated copy of them, and a constant unit.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { cosineSimilarityMatrix } from '../../src/prune/activations.js';
import { redundancyEstimates } from '../../src/prune/redundancy.js';

describe('redundancy estimates', () => {
  it('count the independent directions, the copies, the opposites and the constant units', () => {
    const patterns = 200;
    const units = 7;
    const r = new Rng(5);
    const acts = new Float64Array(patterns * units);
    for (let p = 0; p < patterns; p++) {
      const [a, b, c] = [r.normal(), r.normal(), r.normal()];
      // units: a, b, c, a (copy), b (copy), -c (complementary), 0.3 (constant)
      acts.set([a, b, c, a, b, -c, 0.3], p * units);
    }
    const cosine = cosineSimilarityMatrix(acts, patterns, units);
    const e = redundancyEstimates(acts, patterns, units, cosine);
    expect(e.components99).toBe(3);
    expect(e.predictedKnee.variance99).toBe(4);
    expect(e.deadUnits).toBe(1);
    expect(e.effectiveRank).toBeGreaterThan(2.5);
    expect(e.effectiveRank).toBeLessThanOrEqual(3 + 1e-9);
    expect(e.similarPairs).toBe(2); // a-a, b-b
    expect(e.complementaryPairs).toBe(1); // c, -c
    expect(e.gedeonRemovable).toBe(4); // one of each copy, both of the opposites
  });
});
