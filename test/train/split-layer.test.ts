// The two-thread step with an MLP's first layer split by units (split-layer.ts): the same
// numbers, bit for bit, as one thread, for layers of any width, odd batches, momentum and weight
// decay, dropout and a pruned first layer; and it is the step that runs, only where it applies.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { Network, type Architecture } from '../../src/nn/network.js';
import { removeUnits } from '../../src/prune/surgery.js';
import { DataParallel } from '../../src/train/parallel.js';
import { serialTrainStep } from '../../src/train/serial-step.js';
import { splitPlan } from '../../src/train/split-layer.js';
import { firstDifference } from './bits.js';
import { randomBatch } from './random-batch.js';

/** 75 inputs: 3x5x5 images. */
const odd = { classes: 10, input: { channels: 3, height: 5 } };
const opt = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 };

function withDropout(preset: string): Architecture {
  const arch = resolveArchitecture(preset, { classes: 10 });
  const dropout = { kind: 'dropout' as const, p: 0.3 };
  return { ...arch, layers: [...arch.layers.slice(0, 2), dropout, ...arch.layers.slice(2)] };
}

/** Trains two copies, one on one thread and one on two, and compares every step's numbers. */
async function compare(arch: Architecture, batches: number[], pruneAt = -1) {
  let one = new Network(arch, 128, 'wasm');
  let two = new Network(arch, 128, 'wasm');
  one.initialize(7);
  two.initialize(7);
  const dp = await DataParallel.create(two, 16);
  try {
    for (const [step, B] of batches.entries()) {
      if (step === pruneAt) {
        one = removeUnits(one, 'fc1', [1, 6, 7]);
        two = removeUnits(two, 'fc1', [1, 6, 7]);
        dp.attach(two);
      }
      const { x, y } = randomBatch(B, step, one.inputSize);
      one.dropout.key = two.dropout.key = 500 + step;
      const a = serialTrainStep(one, x, y, B, opt);
      const b = dp.trainStep(two, x, y, B, opt);
      expect(b.correct).toBe(a.correct);
      expect(b.loss).toBe(a.loss);
      expect(firstDifference(two.grads, one.grads)).toBe(-1);
      expect(firstDifference(two.params, one.params)).toBe(-1);
    }
    expect(firstDifference(two.velocityFor(0.9)!, one.velocityFor(0.9)!)).toBe(-1);
    return dp.splitSteps;
  } finally {
    await dp.close();
  }
}

describe('the split first layer', () => {
  afterEach(() => {
    delete process.env.PRUNELAB_SPLIT_LAYER;
  });

  const cases: [string, Architecture][] = [
    ['LeNet-300-100', resolveArchitecture('lenet-300-100', { classes: 10 })],
    // 30 units (not a multiple of 4) on 75 inputs (30 * 75 not a multiple of 4)
    ['an MLP of odd sizes', resolveArchitecture('mlp:75-30-10:tanh', odd)],
    ['LeNet-300-100 with dropout', withDropout('lenet-300-100')],
  ];
  for (const [name, arch] of cases)
    it(`${name}: one thread's numbers bit for bit, batches of 16, 9, 13 and 2, pruned`, async () => {
      const batches = [16, 9, 16, 13, 2, 16];
      expect(await compare(arch, batches, 3)).toBe(batches.length);
    });

  it('shares the units and the parameters out on the kernels’ blocks', () => {
    const net = new Network(resolveArchitecture('mlp:75-30-10:tanh', odd), 4, 'wasm');
    const plan = splitPlan(net)!;
    expect(plan.split).toBe(16);
    expect(plan.middle % 4).toBe(0);
    expect(plan.middle).toBeGreaterThanOrEqual(30 * 75);
    expect(plan.middle).toBeLessThanOrEqual(net.params.length);
  });

  it('is not taken for a convolutional network, a first layer under 8 units, or when turned off', async () => {
    const caffe = resolveArchitecture('lenet5-caffe', { classes: 10 });
    expect(await compare(caffe, [16, 9])).toBe(0);
    const narrow = resolveArchitecture('mlp:20-6-10', {
      classes: 10,
      input: { height: 2, width: 10 },
    });
    expect(splitPlan(new Network(narrow, 4))).toBe(null);
    process.env.PRUNELAB_SPLIT_LAYER = '0';
    expect(await compare(resolveArchitecture('lenet-300-100', { classes: 10 }), [16, 9])).toBe(0);
  });
});
