// A network's first convolution, ReLU and max-pooling backward in one kernel (pooled-backward.ts):
// PyTorch's gradients on windows with ties, on every backend; a finite-difference check; and the
// one kernel runs where the layers are those, and only there.
import { describe, expect, it } from 'vitest';
import { expectGoldenPass } from './golden-pass.js';
import { randomInput } from './numbers.js';
import { gradCheck } from '../../src/nn/gradcheck.js';
import { Network, type Architecture } from '../../src/nn/network.js';
import { layersGolden } from '../fixtures/golden.js';

/** The fixture's network (layers_golden.py's first_conv_pool). */
const firstConvPool: Architecture = {
  input: [2, 12, 16],
  output: 'softmax',
  layers: [
    { kind: 'conv', name: 'conv1', inChannels: 2, outChannels: 5, kernel: 5 },
    { kind: 'relu' },
    { kind: 'maxpool' },
    { kind: 'dense', name: 'fc1', inFeatures: 120, outFeatures: 3 },
  ],
};

describe('first convolution, ReLU and max-pooling backward', () => {
  const g = layersGolden().firstConvPool;
  for (const [backend, tol] of [
    ['reference64', 1e-9],
    ['reference', 1e-4],
    ['wasm', 1e-4],
  ] as const)
    it(`${backend}: PyTorch's logits, loss and gradients (windows with ties)`, () => {
      const B = g.labels.length;
      const net = new Network(firstConvPool, B, backend);
      expectGoldenPass(net, g, tol);
      // windows whose maximum is positive and taken twice or more: the first one gets the gradient
      const y = net.acts[2];
      let ties = 0;
      for (let p = 0; p < B * 5 * 4 * 6; p++) {
        const [py, px] = [Math.floor(p / 6) % 4, p % 6];
        const at = Math.floor(p / 24) * 96 + 2 * py * 12 + 2 * px;
        const w = [y[at], y[at + 1], y[at + 12], y[at + 13]];
        const m = Math.max(...w);
        if (m > 0 && w.filter((v) => v === m).length > 1) ties++;
      }
      expect(ties).toBeGreaterThan(5);
    });

  it('passes the finite-difference check (float64)', () => {
    const net = new Network(firstConvPool, 3, 'reference64');
    net.initialize(4);
    const input = randomInput(3 * net.inputSize, 9);
    const r = gradCheck(net, input, [0, 2, 1], 3, { samples: 12 });
    expect(r.maxRelError, r.worst).toBeLessThan(1e-5);
  });

  for (const backend of ['reference', 'wasm'] as const)
    it(`${backend}: takes the one kernel for these layers only (the convolution's gradient unwritten)`, () => {
      const padded: Architecture = {
        ...firstConvPool,
        input: [2, 8, 12],
        layers: [
          { kind: 'conv', name: 'conv1', inChannels: 2, outChannels: 5, kernel: 5, padding: 2 },
          ...firstConvPool.layers.slice(1),
        ],
      };
      for (const [arch, fused] of [
        [firstConvPool, true],
        [padded, false],
      ] as const) {
        const net = new Network(arch, 2, backend);
        net.initialize(2);
        net.input.set(randomInput(2 * net.inputSize, 3));
        net.forward(2);
        net.loss(new Uint8Array([0, 1]), 0, 2, true);
        net.dActs[1].fill(NaN);
        net.backward(2);
        expect(Number.isNaN(net.dActs[1][0])).toBe(fused);
        expect(net.grad('conv1.weight').every(Number.isFinite)).toBe(true);
      }
    });
});
