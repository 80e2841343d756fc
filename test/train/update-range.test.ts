// The SGD update of parts of the parameters (src/train/update-range.ts): any ranges covering the
// parameters, each updated on its own by updateAnyRange, give one pass's numbers to the bit, with
// and without momentum, where ranges start and end off multiples of 4 and cross into the last
// P mod 4 parameters; updateRanges, which takes only ranges on multiples of 4, does not, in the
// fused-multiply-add build that training runs (so the comparison can tell).
import { describe, expect, it } from 'vitest';
import { Network, type Architecture } from '../../src/nn/network.js';
import { updateAnyRange, updateRanges } from '../../src/train/update-range.js';
import { firstDifference } from './bits.js';

/** An MLP 10-7-3: 101 parameters, one past a multiple of 4. */
const arch: Architecture = {
  input: [1, 2, 5],
  layers: [
    { kind: 'dense', name: 'fc1', inFeatures: 10, outFeatures: 7 },
    { kind: 'relu' },
    { kind: 'dense', name: 'fc2', inFeatures: 7, outFeatures: 3 },
  ],
  output: 'softmax',
};
const opt = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 };
/** Cuts off multiples of 4, one in the last four (96..100) and one in the tail's part (100). */
const cuts = [0, 6, 13, 50, 97, 99, 101];

/** A network with every parameter, both gradients and the velocity set from `seed`. */
function filled(seed: number, momentum: number): Network {
  const net = new Network(arch, 4, 'wasm');
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const velocity = net.velocityFor(momentum);
  for (const buffer of [net.params, net.grads, net.gradsAux, velocity])
    buffer?.forEach((_, i) => (buffer[i] = next()));
  return net;
}

/** The parameters, gradient and velocity after one pass, and after a pass over each range. */
function both(momentum: number, update: typeof updateAnyRange) {
  const step = { ...opt, momentum };
  const [one, parts] = [filled(5, momentum), filled(5, momentum)];
  expect(one.params.length).toBe(101);
  const grads = (net: Network): [Float32Array, Float32Array] => [
    net.grads as Float32Array,
    net.gradsAux as Float32Array,
  ];
  updateRanges(one, [[0, 101]], grads(one), one.velocityFor(momentum), step);
  for (let k = 0; k + 1 < cuts.length; k++) {
    const range: [number, number] = [cuts[k], cuts[k + 1]];
    update(parts, range, grads(parts), parts.velocityFor(momentum), step);
  }
  return { one, parts };
}

describe('updating the parameters a range at a time', () => {
  for (const momentum of [0.9, 0])
    it(`gives one pass's bits with ranges that start and end anywhere (momentum ${momentum})`, () => {
      const { one, parts } = both(momentum, updateAnyRange);
      expect(firstDifference(parts.params, one.params)).toBe(-1);
      expect(firstDifference(parts.grads, one.grads)).toBe(-1);
      if (momentum)
        expect(firstDifference(parts.velocityFor(0.9)!, one.velocityFor(0.9)!)).toBe(-1);
    });

  it('differs from one pass where a range off a multiple of 4 is stepped as it ends', () => {
    const asItEnds: typeof updateAnyRange = (net, range, grads, velocity, step) =>
      updateRanges(net, [range], grads, velocity, step);
    const { one, parts } = both(0.9, asItEnds);
    // (the velocity's mu * v + g rounds differently in about a third of them)
    expect(firstDifference(parts.velocityFor(0.9)!, one.velocityFor(0.9)!)).toBeGreaterThan(0);
  });
});
