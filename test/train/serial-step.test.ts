// One thread's SGD step: the two halves' gradients added in the same pass as the update
// (serialTrainStep) give, bit for bit, the gradient summed first and then the update.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/nn/network.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { serialStep, serialTrainStep } from '../../src/train/serial-step.js';
import { randomBatch } from './random-batch.js';
import { firstDifference } from './bits.js';

describe('serialTrainStep', () => {
  for (const backend of ['wasm', 'reference'] as const)
    it(`equals serialStep then sgdStep, with momentum and weight decay, batches of 16, 7 and 1 (${backend})`, () => {
      const arch = resolveArchitecture('lenet-300-100', { classes: 10 });
      const fused = new Network(arch, 16, backend),
        separate = new Network(arch, 16, backend);
      fused.initialize(3);
      separate.initialize(3);
      const opt = { lr: 0.05, momentum: 0.9, weightDecay: 0.001 };
      for (const [step, B] of [16, 7, 16, 1, 16].entries()) {
        const { x, y } = randomBatch(B, step, 784);
        const a = serialTrainStep(fused, x, y, B, opt);
        const b = serialStep(separate, x, y, B);
        separate.sgdStep(opt.lr, opt.momentum, opt.weightDecay);
        expect(a).toEqual(b);
        expect(firstDifference(fused.grads, separate.grads)).toBe(-1);
        expect(firstDifference(fused.params, separate.params)).toBe(-1);
      }
      // the steps moved the parameters: the comparison is not of two untouched networks
      const start = new Network(arch, 16, backend);
      start.initialize(3);
      expect(firstDifference(fused.params, start.params)).not.toBe(-1);
    });
});
