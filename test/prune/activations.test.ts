// Activation vectors and their loss gradients through a cache of the pruned layer's inputs
// (src/prune/activations.ts), as a one-shot curve computes them: across removals only the layers
// from the pruned one run, with the numbers of the whole network to the bit; once the weights
// before the pruned layer change, the whole network runs again.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { lenet5, Network } from '../../src/nn/network.js';
import { layerActivations } from '../../src/prune/activations.js';
import { removeUnits } from '../../src/prune/surgery.js';
import { FeatureCache } from '../../src/train/features.js';

/** 258 patterns: two whole batches of 128 and a tail of 2 (which takes the direct kernels). */
function patterns(seed: number) {
  const r = new Rng(seed);
  const n = 258;
  const x = new Float32Array(n * 1024).map(() => r.normal());
  const y = new Uint8Array(n).map(() => r.int(10));
  return { x, y, n };
}

describe('activations and gradients through cached inputs of the pruned layer', () => {
  for (const withGrad of [false, true]) {
    it(`${withGrad ? 'with' : 'without'} gradients: the whole network's numbers, without reading the images again`, () => {
      const net = new Network(lenet5(), 128, 'wasm');
      net.initialize(3);
      const spoilt = patterns(5);
      const clean = patterns(5);
      const cache = new FeatureCache('fc2');
      const first = layerActivations(net, 'fc2', spoilt, withGrad, null, cache);
      expect(first).toEqual(layerActivations(net, 'fc2', clean, withGrad));
      spoilt.x.fill(NaN);
      let pruned = net;
      for (const unit of [7, 0, 30]) {
        pruned = removeUnits(pruned, 'fc2', [unit], [{ from: unit, into: 2, kind: 'incoming' }]);
        const cached = layerActivations(pruned, 'fc2', spoilt, withGrad, null, cache);
        expect(cached.acts.every(Number.isFinite)).toBe(true);
        expect(cached).toEqual(layerActivations(pruned, 'fc2', clean, withGrad));
      }
      // retraining changes the layers before fc2: the images are read again
      pruned.param('conv2.weight')[4] += 0.5;
      const again = layerActivations(pruned, 'fc2', spoilt, withGrad, null, cache);
      expect(again.acts.some(Number.isNaN)).toBe(true);
    });
  }
});
