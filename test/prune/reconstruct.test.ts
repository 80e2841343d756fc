// The reconstruct criterion (src/prune/criteria/reconstruct.ts) and its linear algebra: a unit
// that is an affine combination of the others goes with the output unchanged; on random networks
// its removal disturbs the next layer's pre-activations less than any other criterion's removal at
// the same step; the inverse and eigenvalues are checked against their definitions.
import { describe, expect, it } from 'vitest';
import type { Split } from '../../src/data/types.js';
import { Rng } from '../../src/engine/rng.js';
import { lenet5, Network } from '../../src/nn/network.js';
import { criteria } from '../../src/prune/criteria/index.js';
import { gram, invert, symmetricEigenvalues } from '../../src/prune/linalg.js';
import { pruneOnce } from '../../src/prune/step.js';
import { CRITERIA } from '../../src/config.js';

const PATTERNS = 96;

function randomNet(seed: number): Network {
  const net = new Network(lenet5(), PATTERNS, 'reference64');
  net.initialize(seed);
  return net;
}

function patterns(seed: number): Split {
  const r = new Rng(seed);
  const x = new Float64Array(PATTERNS * 1024).map(() => r.normal());
  const y = new Uint8Array(PATTERNS).map(() => r.int(10));
  return { x: x as unknown as Float32Array, y, n: PATTERNS };
}

/** The logits (fc2's next layer's pre-activations) of every pattern. */
function logits(net: Network, split: Split): Float64Array {
  net.input.set(split.x);
  net.forward(PATTERNS);
  return Float64Array.from(net.logits.subarray(0, PATTERNS * 10));
}

const maxAbs = (a: Float64Array, b: Float64Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const squared = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

describe('reconstruct', () => {
  it('removes a unit that copies another, or a constant one, with the logits unchanged', () => {
    const split = patterns(1);
    const net = randomNet(4);
    const W = net.param('fc2.weight');
    const b = net.param('fc2.bias');
    for (let k = 0; k < 120; k++) W[40 * 120 + k] = W[9 * 120 + k];
    b[40] = b[9];
    const before = logits(net, split);
    const first = pruneOnce(net, 'fc2', criteria.reconstruct, split, new Rng(1));
    expect([9, 40]).toContain(first.removal.removed[0]);
    expect(first.removal.score).toBeLessThan(1e-9);
    expect(maxAbs(logits(first.net, split), before)).toBeLessThan(1e-6);
    // a unit with no incoming weights outputs a constant: folded into the next layer's bias
    const constant = randomNet(5);
    const Wc = constant.param('fc2.weight');
    for (let k = 0; k < 120; k++) Wc[70 * 120 + k] = 0;
    constant.param('fc2.bias')[70] = 0.4;
    const ref = logits(constant, split);
    const second = pruneOnce(constant, 'fc2', criteria.reconstruct, split, new Rng(1));
    expect(second.removal.removed).toEqual([70]);
    expect(maxAbs(logits(second.net, split), ref)).toBeLessThan(1e-6);
  });

  it("disturbs the next layer less than any other criterion's removal at the same step", () => {
    for (const seed of [6, 7, 8]) {
      const split = patterns(seed);
      const net = randomNet(seed);
      const before = logits(net, split);
      const error = (name: (typeof CRITERIA)[number]) => {
        const pruned = pruneOnce(net, 'fc2', criteria[name], split, new Rng(seed)).net;
        return squared(logits(pruned, split), before);
      };
      const ours = error('reconstruct');
      for (const other of CRITERIA.filter((c) => c !== 'reconstruct')) {
        expect(ours, `${other}, seed ${seed}`).toBeLessThanOrEqual(error(other) * (1 + 1e-9));
      }
    }
  });
});

describe('linear algebra', () => {
  it('inverts a symmetric positive definite matrix and finds its eigenvalues', () => {
    const r = new Rng(3);
    const x = new Float64Array(40 * 6).map(() => r.normal());
    const g = gram(x, 40, 6);
    const inv = invert(g, 6);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let k = 0; k < 6; k++) s += g[i * 6 + k] * inv[k * 6 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    const values = symmetricEigenvalues(g, 6);
    const trace = Array.from({ length: 6 }, (_, i) => g[i * 7]).reduce((a, b) => a + b, 0);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(trace, 8);
    expect(values[5]).toBeGreaterThan(0);
    const diagonal = symmetricEigenvalues(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3);
    expect(diagonal).toEqual([3, 2, 1]);
  });
});
