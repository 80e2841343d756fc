// Which layer two threads split and where (unit-split.ts): the dense layer after convolutions, at
// least 256 units wide and not the output, split on a multiple of 4 near its middle.
import { describe, expect, it } from 'vitest';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import type { Architecture } from '../../src/nn/network.js';
import { hiddenSplitLayer, unitSplit } from '../../src/nn/unit-split.js';

const caffe = resolveArchitecture('lenet5-caffe', { classes: 10 });

/** 1x8x8 images, conv 4@3x3 and ReLU (144 features), fc1 144-`units`, then the output layer. */
function convThenDense(units: number, output = true): Architecture {
  const layers: Architecture['layers'] = [
    { kind: 'conv', name: 'conv1', inChannels: 1, outChannels: 4, kernel: 3 },
    { kind: 'relu' },
    { kind: 'dense', name: 'fc1', inFeatures: 144, outFeatures: units },
  ];
  if (output)
    layers.push(
      { kind: 'relu' },
      { kind: 'dense', name: 'fc2', inFeatures: units, outFeatures: 10 },
    );
  return { input: [1, 8, 8], layers, output: 'softmax' };
}

describe('the split layer', () => {
  it('is the first dense layer after convolutions, 256 units or more, not the output', () => {
    expect(hiddenSplitLayer(caffe)).toBe(caffe.layers.findIndex((l) => l.kind === 'dense'));
    expect(hiddenSplitLayer(convThenDense(256))).toBe(2);
    expect(hiddenSplitLayer(convThenDense(255))).toBe(-1);
    expect(hiddenSplitLayer(convThenDense(300, false))).toBe(-1);
    for (const preset of ['lenet5', 'lenet5-relu', 'lenet-300-100', 'mlp:784-512-256-10'])
      expect(hiddenSplitLayer(resolveArchitecture(preset, { classes: 10 }))).toBe(-1);
  });

  it('splits units on a multiple of 4 near the middle', () => {
    expect(unitSplit(500)).toBe(252);
    expect(unitSplit(262)).toBe(132);
    expect(unitSplit(300)).toBe(152);
    for (let units = 8; units < 600; units++) {
      expect(unitSplit(units) % 4).toBe(0);
      expect(Math.abs(unitSplit(units) - units / 2)).toBeLessThanOrEqual(2);
    }
  });
});
