// The two-thread step with a wide dense layer after convolutions split by units (split-hidden.ts):
// the same numbers, bit for bit, as one thread, for the Caffe LeNet-5, a layer of odd width, odd
// batches, momentum and weight decay, dropout before and after the layer and a pruned layer; each
// side steps its units' rows in the pass that makes their gradient; and it is the step that runs,
// only where it applies.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { Network, type Architecture } from '../../src/nn/network.js';
import { hiddenPlan } from '../../src/train/split-hidden.js';
import { countOnePasses } from './one-pass-count.js';
import { compareThreads } from './split-compare.js';

const caffe = resolveArchitecture('lenet5-caffe', { classes: 10 });

/** 1x8x8 images, conv 4@3x3 and ReLU (144 features), fc1 144-262 and ReLU, fc2 262-10. */
const odd: Architecture = {
  input: [1, 8, 8],
  layers: [
    { kind: 'conv', name: 'conv1', inChannels: 1, outChannels: 4, kernel: 3 },
    { kind: 'relu' },
    { kind: 'dense', name: 'fc1', inFeatures: 144, outFeatures: 262 },
    { kind: 'relu' },
    { kind: 'dense', name: 'fc2', inFeatures: 262, outFeatures: 10 },
  ],
  output: 'softmax',
};

/** The Caffe LeNet-5 with dropout on fc1's inputs and on its outputs. */
function caffeWithDropout(): Architecture {
  const at = caffe.layers.findIndex((l) => l.kind === 'dense');
  const dropout = { kind: 'dropout' as const, p: 0.3 };
  const layers = [...caffe.layers];
  layers.splice(at + 2, 0, dropout);
  layers.splice(at, 0, dropout);
  return { ...caffe, layers };
}

const prune3 = { at: 3, layer: 'fc1', units: [1, 6, 7] };

describe('the split hidden layer', () => {
  afterEach(() => {
    delete process.env.PRUNELAB_SPLIT_LAYER;
  });

  const batches = [16, 9, 16, 13, 2, 16];
  const cases: [string, Architecture][] = [
    ['the Caffe LeNet-5', caffe],
    // 262 units, then 259: the second thread has 130, then 131, not multiples of 4
    ['a layer of odd width', odd],
    ['the Caffe LeNet-5 with dropout before and after fc1', caffeWithDropout()],
  ];
  for (const [name, arch] of cases)
    it(`${name}: one thread's numbers bit for bit, batches of 16, 9, 13 and 2, pruned`, async () => {
      expect(await compareThreads(arch, batches, prune3)).toBe(batches.length);
    });

  it('shares the units out on the kernels’ blocks', () => {
    const net = new Network(caffe, 4, 'wasm');
    const plan = hiddenPlan(net)!;
    expect(plan.split).toBe(252);
    // (its rows start off a multiple of 4: the sides' updates meet off the kernels' fours)
    expect(plan.offset % 4).toBe(2);
  });

  it('steps each side’s rows of the Caffe LeNet-5’s fc1 with their gradient, in one pass', async () => {
    let counts = { ran: 0, declined: 0 };
    const watch = (two: Network) => (counts = countOnePasses(two));
    expect(await compareThreads(caffe, [16, 16, 9], undefined, watch)).toBe(3);
    // side 0's, on the main thread; ReLU leaves about half the output gradients zero
    expect(counts).toEqual({ ran: 3, declined: 0 });
  });

  it('is not taken once the layer is pruned under 256 units, or when turned off', async () => {
    const under = { at: 1, layer: 'fc1', units: Array.from({ length: 245 }, (_, i) => 2 * i) };
    expect(await compareThreads(caffe, [16, 9, 13], under)).toBe(1);
    process.env.PRUNELAB_SPLIT_LAYER = '0';
    expect(await compareThreads(odd, [16, 9])).toBe(0);
  });
});
