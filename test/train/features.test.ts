// Evaluation through cached layer inputs (src/train/features.ts): the same numbers as a plain
// evaluation, reuse across a removal, the last two generations of weights kept, staleness noticed.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { lenet5, Network } from '../../src/nn/network.js';
import { removeUnits } from '../../src/prune/surgery.js';
import { FeatureCache } from '../../src/train/features.js';
import { createReferenceKernels } from '../../src/engine/reference.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { DataParallel } from '../../src/train/parallel.js';
import { evaluate } from '../../src/train/evaluation.js';

function split(n: number, seed: number) {
  const r = new Rng(seed);
  const x = new Float32Array(n * 1024).map(() => r.normal());
  const y = new Uint8Array(n).map(() => r.int(10));
  return { x, y, n };
}

describe('evaluation through cached convolutional features', () => {
  it('gives the plain numbers, reuses features across a removal, and notices changed convolutions', async () => {
    const net = new Network(lenet5(), 128, 'wasm');
    net.initialize(6);
    const images = split(150, 3);
    const cache = new FeatureCache();
    const plain = evaluate(net, images);
    expect(evaluate(net, images, null, cache)).toEqual(plain); // miss: computes and stores
    expect(cache.get(net, images)).not.toBeNull();
    const pruned = removeUnits(net, 'fc2', [3, 50]);
    expect(cache.get(pruned, images)).not.toBeNull(); // same convolutions
    expect(evaluate(pruned, images, null, cache)).toEqual(evaluate(pruned, images));
    pruned.param('conv2.weight')[7] += 0.01;
    expect(cache.get(pruned, images)).toBeNull(); // stale after the convolutions change
    const dp = await DataParallel.create(pruned, 16);
    try {
      expect(evaluate(pruned, images, dp, cache)).toEqual(evaluate(pruned, images));
    } finally {
      await dp.close();
    }
  });
});

describe('the feature cache on other architectures', () => {
  for (const [preset, layer] of [
    ['lenet5-caffe', 'fc1'],
    ['lenet-300-100', 'fc2'],
    ['lenet5-pad', 'fc2'],
  ] as const)
    it(`${preset}: the plain numbers across removals from ${layer}`, () => {
      const net = new Network(resolveArchitecture(preset, { classes: 10 }), 128, 'wasm');
      net.initialize(6);
      const r = new Rng(2);
      const n = 70;
      const images = {
        x: new Float32Array(n * net.inputSize).map(() => r.normal()),
        y: new Uint8Array(n).map(() => r.int(10)),
        n,
      };
      const cache = new FeatureCache(layer);
      expect(evaluate(net, images, null, cache)).toEqual(evaluate(net, images));
      const pruned = removeUnits(net, layer, [4, 2]);
      expect(cache.get(pruned, images)).not.toBeNull();
      expect(evaluate(pruned, images, null, cache)).toEqual(evaluate(pruned, images));
    });
});

describe("evaluation through the pruned layer's cached inputs", () => {
  it('keeps the inputs of fc2 across removals from fc2, with the plain numbers', async () => {
    const net = new Network(lenet5(), 128, 'wasm');
    net.initialize(8);
    const images = split(203, 4);
    const cache = new FeatureCache('fc2');
    expect(cache.index(net)).toBe(8);
    const dp = await DataParallel.create(net, 16);
    try {
      expect(evaluate(net, images, dp, cache)).toEqual(evaluate(net, images));
      expect(cache.get(net, images)).toHaveLength(203 * 120);
      let pruned = net;
      for (const unit of [5, 0, 40]) {
        pruned = removeUnits(pruned, 'fc2', [unit], [{ from: unit, into: 1, kind: 'incoming' }]);
        expect(cache.get(pruned, images)).not.toBeNull(); // fc2's inputs do not change
        expect(evaluate(pruned, images, dp, cache)).toEqual(evaluate(pruned, images));
      }
      pruned.param('fc1.bias')[0] += 0.01; // a layer before fc2 changes: the inputs are stale
      expect(cache.get(pruned, images)).toBeNull();
    } finally {
      await dp.close();
    }
  });

  it('keeps the last two generations of weights, so a return to the previous ones is a hit', () => {
    const net = new Network(lenet5(), 128, 'wasm');
    net.initialize(9);
    const images = split(64, 5);
    const cache = new FeatureCache('fc2');
    const first = net.snapshot();
    evaluate(net, images, null, cache);
    net.param('fc1.weight')[0] += 0.5; // a second generation (as after a retraining epoch)
    evaluate(net, images, null, cache);
    net.setParams(first); // retraining did not help: back to the weights before it
    expect(cache.get(net, images)).not.toBeNull();
    net.param('conv1.bias')[0] += 0.5;
    evaluate(net, images, null, cache); // a third generation pushes out the first
    net.setParams(first);
    expect(cache.get(net, images)).toBeNull();
  });

  it('matches weights bit for bit, float32 and float64 alike', () => {
    const images = split(16, 6);
    for (const kernels of [createReferenceKernels('float64'), createReferenceKernels('float32')]) {
      const net = new Network(lenet5(), 16, 'reference', { kernels });
      net.initialize(4);
      const cache = new FeatureCache('fc2');
      evaluate(net, images, null, cache);
      expect(cache.get(net, images), kernels.name).not.toBeNull();
      const w = net.param('conv2.weight');
      const kept = w[3];
      w[3] = kept * (1 + 2 ** -40); // below float32's precision: a change only in float64
      const changed = w[3] !== kept;
      expect(changed).toBe(w instanceof Float64Array);
      expect(cache.get(net, images) === null).toBe(changed);
      w[3] = kept;
      expect(cache.get(net, images)).not.toBeNull();
      w[3] = kept + 1;
      expect(cache.get(net, images)).toBeNull();
    }
  });
});
