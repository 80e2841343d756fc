// The split steps' tests' comparison (split-layer.test.ts, split-hidden.test.ts): two copies of a
// network trained, one on one thread and one on two, every step's loss, correct count, gradient
// and parameters (and at the end the momentum) compared bit for bit.
import { expect } from 'vitest';
import { Network, type Architecture } from '../../src/nn/network.js';
import { removeUnits } from '../../src/prune/surgery.js';
import { DataParallel } from '../../src/train/parallel.js';
import { serialTrainStep } from '../../src/train/serial-step.js';
import { firstDifference } from './bits.js';
import { randomBatch } from './random-batch.js';

const opt = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 };

/** Units of `layer` removed before step `at` of a comparison. */
export interface Pruning {
  at: number;
  layer: string;
  units: number[];
}

/**
 * The steps of batches `batches` on both copies; returns how many ran as split steps. `watch` is
 * shown the two-thread copy before its first step.
 */
export async function compareThreads(
  arch: Architecture,
  batches: number[],
  pruning?: Pruning,
  watch?: (two: Network) => void,
): Promise<number> {
  let one = new Network(arch, 128, 'wasm');
  let two = new Network(arch, 128, 'wasm');
  watch?.(two);
  one.initialize(7);
  two.initialize(7);
  const dp = await DataParallel.create(two, 16);
  try {
    for (const [step, B] of batches.entries()) {
      if (step === pruning?.at) {
        one = removeUnits(one, pruning.layer, pruning.units);
        two = removeUnits(two, pruning.layer, pruning.units);
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
