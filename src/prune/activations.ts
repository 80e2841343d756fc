// Activation vectors of a dense layer over a pattern set (its tanh outputs, one vector per neuron),
// the cosine-similarity matrix between them, and the loss gradient with respect to them.
import type { Split } from '../data/types.js';
import { acos } from '../engine/libm.js';
import type { Network } from '../nn/network.js';
import type { FeatureCache } from '../train/features.js';
import type { DataParallel } from '../train/parallel.js';
import { layerOutputs } from '../train/evaluation.js';

/**
 * [patterns, units] row-major, float64. With `withGrad`, also dLoss/dActivation (loss = mean over
 * patterns). With a cache of the pruned layer's inputs (see PruneOptions.cache), the layers before
 * it run only when their weights have changed.
 */
export function layerActivations(
  net: Network,
  layer: string,
  patterns: Split,
  withGrad = false,
  parallel?: DataParallel | null,
  cache?: FeatureCache | null,
): { acts: Float64Array; grads: Float64Array | null; units: number } {
  const idx = net.activationIndex(layer);
  const units = net.shapes[idx][0];
  const acts = new Float64Array(patterns.n * units);
  // forward only: in evaluate()'s halves, the helper thread taking one of them when there is one
  // (the same forward passes on one thread or two: see WINOGRAD_MIN_BATCH in
  // assembly/conv-layout.ts)
  if (!withGrad) {
    layerOutputs(net, patterns, { idx, units, out: acts }, parallel, cache);
    return { acts, grads: null, units };
  }
  const grads = new Float64Array(patterns.n * units);
  withGradients(net, idx, patterns, { acts, grads }, cache);
  return { acts, grads, units };
}

/**
 * The gradient path's key for a pattern set in the cache: its chunks are the network's batch, not
 * evaluate()'s halves, so its kept inputs are its own.
 */
const gradientKeys = new WeakMap<Split, Split>();

// withGradients' backward pass runs only from the pruned layer on: the convolutions' outputs
// before it need not be kept.
const AFTER_PRUNED = { evaluating: true };

/**
 * Activations acts[idx] and dLoss/dActivation in chunks of the network's batch. The backward pass
 * runs only the layers after the pruned one: they give dActs[idx]. With a cache, the inputs of
 * the cached layer are kept, and while the weights before it are unchanged only the layers from it
 * run, on the same chunks.
 */
function withGradients(
  net: Network,
  idx: number,
  patterns: Split,
  out: { acts: Float64Array; grads: Float64Array },
  cache?: FeatureCache | null,
): void {
  const units = net.shapes[idx][0];
  const size = net.inputSize;
  const cap = net.batch;
  const from = cache ? cache.index(net) : -1;
  const cached = from >= 0 && from < idx;
  const width = cached ? cache!.width(net) : 0;
  let key = gradientKeys.get(patterns);
  if (!key) {
    key = { ...patterns };
    gradientKeys.set(patterns, key);
  }
  const kept = cached ? cache!.get(net, key) : null;
  const keep = cached && !kept ? new Float32Array(patterns.n * width) : null;
  for (let s = 0; s < patterns.n; s += cap) {
    const B = Math.min(cap, patterns.n - s);
    if (kept) {
      net.acts[from].set(kept.subarray(s * width, (s + B) * width));
      net.forwardFrom(from, B, AFTER_PRUNED);
    } else {
      net.input.set(patterns.x.subarray(s * size, (s + B) * size));
      net.forward(B, AFTER_PRUNED);
      keep?.set(net.acts[from].subarray(0, B * width), s * width);
    }
    out.acts.set(net.acts[idx].subarray(0, B * units), s * units);
    net.loss(patterns.y, s, B, true);
    // the layers after the pruned one only: they give dActs[idx]; nothing below is needed
    net.backward(B, 'grads', idx);
    const g = net.dActs[idx];
    // the loss gradient is of the batch mean; rescale so the sum over patterns / n is the
    // pattern-set mean
    for (let k = 0; k < B * units; k++) out.grads[s * units + k] = g[k] * B;
  }
  if (keep) cache!.set(net, key, keep);
  // the layers after the pruned one hold these patterns' gradients, the others older ones: none of
  // them is a gradient of the network's training, so none is left behind
  net.zeroGrad();
}

/**
 * Cosine similarity between every pair of columns of a [rows, units] matrix; units x units. Each
 * dot product is summed over the rows in order (so every value is the plain loop's, to the bit),
 * on the columns laid out contiguously, two columns against four at a time in registers.
 */
export function cosineSimilarityMatrix(
  acts: Float64Array,
  rows: number,
  units: number,
): Float64Array {
  const columns = new Float64Array(units * rows);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < units; u++) columns[u * rows + r] = acts[r * units + u];
  }
  const norms = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += columns[u * rows + r] ** 2;
    norms[u] = Math.sqrt(sum);
  }
  const cos = new Float64Array(units * units);
  const put = (i: number, j: number, dot: number) => {
    const d = norms[i] * norms[j];
    const c = d > 0 ? dot / d : 0;
    cos[i * units + j] = c;
    cos[j * units + i] = c;
  };
  for (let i = 0; i < units; i += 2) {
    // column i + 1 (or i again, for an odd last column) against the same four
    const second = Math.min(i + 1, units - 1);
    const a = i * rows;
    const b = second * rows;
    let j = i;
    for (; j + 4 <= units; j += 4) {
      const c0 = j * rows;
      const c1 = c0 + rows;
      const c2 = c1 + rows;
      const c3 = c2 + rows;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let r = 0; r < rows; r++) {
        const x = columns[a + r];
        const y = columns[b + r];
        const v0 = columns[c0 + r];
        const v1 = columns[c1 + r];
        const v2 = columns[c2 + r];
        const v3 = columns[c3 + r];
        a0 += x * v0;
        a1 += x * v1;
        a2 += x * v2;
        a3 += x * v3;
        b0 += y * v0;
        b1 += y * v1;
        b2 += y * v2;
        b3 += y * v3;
      }
      const sums = [a0, a1, a2, a3, b0, b1, b2, b3];
      for (let k = 0; k < 4; k++) {
        put(i, j + k, sums[k]);
        if (second > i && j + k > i) put(second, j + k, sums[4 + k]);
      }
    }
    for (; j < units; j++) {
      const c = j * rows;
      let x = 0;
      let y = 0;
      for (let r = 0; r < rows; r++) {
        x += columns[a + r] * columns[c + r];
        y += columns[b + r] * columns[c + r];
      }
      put(i, j, x);
      if (second > i && j > i) put(second, j, y);
    }
  }
  return cos;
}

/** The pair i < j with the largest |cos| (first in row-major order on ties). */
export function mostSimilarPair(
  cos: Float64Array,
  units: number,
): { i: number; j: number; cos: number } {
  let best = -1,
    bi = 0,
    bj = 1;
  for (let i = 0; i < units; i++)
    for (let j = i + 1; j < units; j++) {
      const a = Math.abs(cos[i * units + j]);
      if (a > best) {
        best = a;
        bi = i;
        bj = j;
      }
    }
  return { i: bi, j: bj, cos: cos[bi * units + bj] };
}

/**
 * The angle between two activation vectors, in degrees (Gedeon & Harris report distinctiveness so).
 */
export function angleDegrees(cos: number): number {
  return (acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
}
