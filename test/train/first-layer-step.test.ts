// The one-thread step of a network whose first layer is dense (src/train/first-layer-step.ts):
// it runs the layer's weight gradient and step in one pass where the kernel takes it, declines to
// the two passes where not, and either way gives serialStep then sgdStep's numbers to the bit,
// with dropout too.
import { describe, expect, it } from 'vitest';
import { Network, type Architecture } from '../../src/nn/network.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { firstLayerOf } from '../../src/train/first-layer-step.js';
import { serialStep, serialTrainStep } from '../../src/train/serial-step.js';
import { randomBatch } from './random-batch.js';
import { firstDifference } from './bits.js';
import { countOnePasses } from './one-pass-count.js';

/** A preset, or LeNet-300-100 with dropout (p = 0.3) after its first ReLU. */
function architecture(name: string): Architecture {
  if (name !== 'lenet-300-100+dropout') return resolveArchitecture(name, { classes: 10 });
  const arch = resolveArchitecture('lenet-300-100', { classes: 10 });
  const dropout = { kind: 'dropout' as const, p: 0.3 };
  return { ...arch, layers: [...arch.layers.slice(0, 2), dropout, ...arch.layers.slice(2)] };
}

/** A network whose kernels count the one passes that ran and that were declined. */
function counted(name: string, backend: 'wasm' | 'reference') {
  const net = new Network(architecture(name), 16, backend);
  net.initialize(3);
  return { net, counts: countOnePasses(net) };
}

describe('the first dense layer in one pass, one thread', () => {
  const cases = [
    // ReLU: about half the output gradients are zero, so the kernel takes every step
    { name: 'lenet-300-100', backend: 'wasm', ran: 4, declined: 0 },
    { name: 'lenet-300-100', backend: 'reference', ran: 4, declined: 0 },
    { name: 'lenet-300-100+dropout', backend: 'wasm', ran: 4, declined: 0 },
    // sigmoid: none are zero, so it declines and the two passes run
    { name: 'mlp:784-64-10:sigmoid', backend: 'wasm', ran: 0, declined: 4 },
  ] as const;
  for (const { name, backend, ran, declined } of cases)
    it(`${name} (${backend}): ${ran} of 4 steps in one pass, serialStep then sgdStep's bits`, () => {
      const fused = counted(name, backend);
      const separate = new Network(fused.net.arch, 16, backend);
      separate.initialize(3);
      for (const opt of [
        { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 },
        { lr: 0.02, momentum: 0, weightDecay: 0 },
      ])
        for (const [step, B] of [16, 1, 13].entries()) {
          const { x, y } = randomBatch(B, step, 784);
          // (with dropout, both draw the same masks: a step's key, images numbered in the batch)
          fused.net.dropout.key = separate.dropout.key = 900 + step;
          const a = serialTrainStep(fused.net, x, y, B, opt);
          const b = serialStep(separate, x, y, B);
          separate.sgdStep(opt.lr, opt.momentum, opt.weightDecay);
          expect(a).toEqual(b);
          expect(firstDifference(fused.net.grads, separate.grads)).toBe(-1);
          expect(firstDifference(fused.net.params, separate.params)).toBe(-1);
        }
      // a batch of one has no second half: the one pass is for steps of 16 and 13 only
      expect(fused.counts).toEqual({ ran, declined });
    });

  it('applies to networks whose first layer is dense, and to batches with two halves', () => {
    const net = (name: string) => new Network(resolveArchitecture(name, { classes: 10 }), 16);
    expect(firstLayerOf(net('lenet-300-100'), 16)).toMatchObject({ inputs: 784, units: 300 });
    expect(firstLayerOf(net('lenet-300-100'), 1)).toBeNull();
    expect(firstLayerOf(net('lenet5-caffe'), 16)).toBeNull();
  });
});
