// A layer's outputs through a cache of the pruned layer's inputs (src/train/evaluation.ts): across
// removals with no retraining (a one-shot curve) only the layers from the pruned one run, and the
// values are those of the whole network, bit for bit, on one thread or two; once the weights
// before the pruned layer change, the whole network runs again.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { lenet5, Network, type Architecture } from '../../src/nn/network.js';
import { removeUnits } from '../../src/prune/surgery.js';
import { layerOutputs } from '../../src/train/evaluation.js';
import { FeatureCache } from '../../src/train/features.js';
import { DataParallel } from '../../src/train/parallel.js';

function images(n: number, size: number, seed: number) {
  const r = new Rng(seed);
  const x = new Float32Array(n * size).map(() => r.normal());
  const y = new Uint8Array(n).map(() => r.int(10));
  return { x, y, n };
}

/** The outputs of `layer`'s activation for every image, through `cache` or the whole network. */
function outputs(
  net: Network,
  layer: string,
  split: ReturnType<typeof images>,
  parallel: DataParallel | null,
  cache?: FeatureCache,
): Float64Array {
  const idx = net.activationIndex(layer);
  const units = net.shapes[idx][0];
  const out = new Float64Array(split.n * units);
  layerOutputs(net, split, { idx, units, out }, parallel, cache);
  return out;
}

function expectSameAcrossRemovals(
  arch: Architecture,
  layer: string,
  upstream: string,
  parallel: boolean,
) {
  return async () => {
    const net = new Network(arch, 128, 'wasm');
    net.initialize(5);
    const patterns = images(203, net.inputSize, 7);
    const cache = new FeatureCache(layer);
    const dp = parallel ? await DataParallel.create(net, 16) : null;
    try {
      expect(outputs(net, layer, patterns, dp, cache)).toEqual(outputs(net, layer, patterns, dp));
      // the first call kept the pruned layer's inputs; from now on the images themselves are not
      // read (they are spoilt here), and the outputs are still those of clean images
      const inputs = cache.get(net, patterns);
      expect(inputs).not.toBeNull();
      const clean = images(203, net.inputSize, 7);
      patterns.x.fill(NaN);
      let pruned = net;
      for (const unit of [3, 0, 11]) {
        pruned = removeUnits(pruned, layer, [unit], [{ from: unit, into: 1, kind: 'incoming' }]);
        expect(cache.get(pruned, patterns)).toBe(inputs);
        const cached = outputs(pruned, layer, patterns, dp, cache);
        expect(cached).toEqual(outputs(pruned, layer, clean, dp));
        expect(cached).toEqual(outputs(pruned, layer, clean, null));
      }
      // weights before the pruned layer change (retraining): the whole network runs again
      pruned.param(upstream)[9] += 0.25;
      expect(cache.get(pruned, patterns)).toBeNull();
      const fresh = outputs(pruned, layer, clean, dp, cache);
      expect(fresh).toEqual(outputs(pruned, layer, clean, dp));
      expect(cache.get(pruned, clean)).not.toBeNull();
    } finally {
      await dp?.close();
    }
  };
}

describe("a layer's outputs through the pruned layer's cached inputs", () => {
  const caffe = resolveArchitecture('lenet5-caffe', { classes: 10 });
  const mlp = resolveArchitecture('lenet-300-100', { classes: 10 });
  const cases = [
    ['LeNet-5, fc2, on one thread', lenet5(), 'fc2', 'fc1.weight', false],
    ['LeNet-5, fc2, with a helper thread', lenet5(), 'fc2', 'conv1.weight', true],
    ['the Caffe LeNet-5, fc1, with a helper thread', caffe, 'fc1', 'conv2.weight', true],
    ['LeNet-300-100, fc2, on one thread', mlp, 'fc2', 'fc1.weight', false],
  ] as const;
  for (const [name, arch, layer, upstream, parallel] of cases) {
    it(name, expectSameAcrossRemovals(arch, layer, upstream, parallel));
  }
});
