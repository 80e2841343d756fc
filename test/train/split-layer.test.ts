// The two-thread step with an MLP's first layer split by units (split-layer.ts): the same
// numbers, bit for bit, as one thread, for layers of any width, odd batches, momentum and weight
// decay, dropout and a pruned first layer; and it is the step that runs, only where it applies.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { Network, type Architecture } from '../../src/nn/network.js';
import { splitPlan } from '../../src/train/split-layer.js';
import { compareThreads } from './split-compare.js';

/** 75 inputs: 3x5x5 images. */
const odd = { classes: 10, input: { channels: 3, height: 5 } };

function withDropout(preset: string): Architecture {
  const arch = resolveArchitecture(preset, { classes: 10 });
  const dropout = { kind: 'dropout' as const, p: 0.3 };
  return { ...arch, layers: [...arch.layers.slice(0, 2), dropout, ...arch.layers.slice(2)] };
}

/** One thread and two on `arch`, fc1's units 1, 6 and 7 removed before the fourth step. */
function compare(arch: Architecture, batches: number[], pruneAt = -1) {
  return compareThreads(arch, batches, { at: pruneAt, layer: 'fc1', units: [1, 6, 7] });
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
    const lenet5 = resolveArchitecture('lenet5', { classes: 10 });
    expect(await compare(lenet5, [16, 9])).toBe(0);
    const narrow = resolveArchitecture('mlp:20-6-10', {
      classes: 10,
      input: { height: 2, width: 10 },
    });
    expect(splitPlan(new Network(narrow, 4))).toBe(null);
    process.env.PRUNELAB_SPLIT_LAYER = '0';
    expect(await compare(resolveArchitecture('lenet-300-100', { classes: 10 }), [16, 9])).toBe(0);
  });
});
