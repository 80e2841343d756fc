// Evaluation: a network's mean loss and accuracy on a split, and one layer's outputs, in fixed
// halves of fixed chunks (the helper thread taking one half when there is one), so the numbers do
// not depend on the thread count; through a cache of one layer's inputs (features.ts), only the
// layers from that one run while the weights before it are unchanged.
import type { Split } from '../data/types.js';
import type { Network } from '../nn/network.js';
import type { FeatureCache } from './features.js';
import type { DataParallel } from './parallel.js';
import type { LayerOutputs } from './parallel-protocol.js';
import { ACT_FLOATS, EVAL_HALF } from './parallel-protocol.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
}

/**
 * Mean loss and accuracy on a split. Chunks of 2 x EVAL_HALF images are evaluated as two halves
 * (on the helper thread when there is one), summed in the same order either way, so the numbers
 * do not depend on the thread count.
 */
export function evaluate(
  net: Network,
  split: Split,
  parallel?: DataParallel | null,
  cache?: FeatureCache | null,
): Evaluation {
  if (cache) return evaluateWithFeatures(net, split, parallel, cache);
  const r = fullEvaluation(net, split, parallel);
  return { loss: r.loss / split.n, accuracy: r.correct / split.n };
}

/**
 * Layer `idx`'s outputs (`units` values per image) for every image of a split, in evaluate()'s
 * halves (the helper's half on its thread when the values fit its buffer): the same forward
 * passes, so the same numbers, on one thread or two. With a cache of the inputs of a layer before
 * `idx`, only the layers from there run when the weights before it are those the inputs were kept
 * under (a one-shot curve's removals change none of them); otherwise the inputs are kept for the
 * next call.
 */
export function layerOutputs(
  net: Network,
  split: Split,
  outputs: LayerOutputs,
  parallel?: DataParallel | null,
  cache?: FeatureCache | null,
): void {
  if (!cache || cache.index(net) >= outputs.idx) {
    fullEvaluation(net, split, outputs.units <= ACT_FLOATS ? parallel : null, outputs);
    return;
  }
  const { from, units, kept } = cachedInputs(net, split, parallel, cache);
  inHalves(net, split, from, kept, units, outputs);
}

/**
 * The whole network on every image, in evaluate()'s halves; with `features`, also keeps one layer's
 * outputs.
 */
function fullEvaluation(
  net: Network,
  split: Split,
  parallel: DataParallel | null | undefined,
  features?: LayerOutputs,
): { loss: number; correct: number } {
  if (parallel) return parallel.evaluate(net, split, features);
  return inHalves(net, split, 0, split.x, net.inputSize, features);
}

/**
 * Layers from..last on one thread, in evaluate()'s halves, from `values` (`units` per image) as the
 * input of layer `from`; with `features`, also keeps one layer's outputs.
 */
function inHalves(
  net: Network,
  split: Split,
  from: number,
  values: Float32Array,
  units: number,
  features?: LayerOutputs,
): { loss: number; correct: number } {
  const chunk = Math.min(2 * EVAL_HALF, 2 * Math.floor(net.batch / 2));
  let loss = 0,
    correct = 0;
  for (let s = 0; s < split.n; s += chunk) {
    const B = Math.min(chunk, split.n - s),
      h = Math.ceil(B / 2);
    for (const [start, n] of [
      [s, h],
      [s + h, B - h],
    ]) {
      if (n === 0) continue;
      net.acts[from].set(values.subarray(start * units, (start + n) * units));
      net.forwardFrom(from, n, { evaluating: true });
      const r = net.loss(split.y, start, n, false);
      loss += r.loss;
      correct += r.correct;
      if (features)
        features.out.set(
          net.acts[features.idx].subarray(0, n * features.units),
          start * features.units,
        );
    }
  }
  return { loss, correct };
}

/**
 * The cached layer's inputs for `split` under `net`'s weights. When they are not kept, the whole
 * network runs (on both threads when there is a helper and the values fit its buffer), the inputs
 * are kept, and that evaluation comes back as `full`.
 */
function cachedInputs(
  net: Network,
  split: Split,
  parallel: DataParallel | null | undefined,
  cache: FeatureCache,
): {
  from: number;
  units: number;
  kept: Float32Array;
  full: { loss: number; correct: number } | null;
} {
  const from = cache.index(net);
  const units = cache.width(net);
  const kept = cache.get(net, split);
  if (kept) return { from, units, kept, full: null };
  const out = new Float32Array(split.n * units);
  const helper = units <= ACT_FLOATS ? parallel : null;
  const full = fullEvaluation(net, split, helper, { idx: from, units, out });
  cache.set(net, split, out);
  return { from, units, kept: out, full };
}

/**
 * evaluate() through a cache of one layer's inputs: when the weights before that layer are new, the
 * whole network runs and the layer's inputs are kept; when not, only the layers from it run on the
 * kept values, in the same halves and order, so the numbers are the same.
 */
function evaluateWithFeatures(
  net: Network,
  split: Split,
  parallel: DataParallel | null | undefined,
  cache: FeatureCache,
): Evaluation {
  const { from, units, kept, full } = cachedInputs(net, split, parallel, cache);
  const r = full ?? inHalves(net, split, from, kept, units);
  return { loss: r.loss / split.n, accuracy: r.correct / split.n };
}
