// Activation vectors of a dense layer over a pattern set (its tanh outputs, one vector per neuron),
// the cosine-similarity matrix between them, and the loss gradient with respect to them.
import type { Split } from '../data/types.js';
import type { Network } from '../nn/network.js';
import type { DataParallel } from '../train/parallel.js';
import { layerOutputs } from '../train/trainer.js';

/**
 * [patterns, units] row-major, float64. With `withGrad`, also dLoss/dActivation (loss = mean over
 * patterns).
 */
export function layerActivations(
  net: Network,
  layer: string,
  patterns: Split,
  withGrad = false,
  parallel?: DataParallel | null,
): { acts: Float64Array; grads: Float64Array | null; units: number } {
  const idx = net.activationIndex(layer),
    units = net.shapes[idx][0],
    size = net.inputSize,
    cap = net.batch;
  const acts = new Float64Array(patterns.n * units),
    grads = withGrad ? new Float64Array(patterns.n * units) : null;
  // forward only: in evaluate()'s halves, the helper thread taking one of them when there is one
  // (the same forward passes on one thread or two: see WINOGRAD_MIN_BATCH in assembly/kernels.ts)
  if (!withGrad) {
    layerOutputs(net, patterns, { idx, units, out: acts }, parallel);
    return { acts, grads: null, units };
  }
  for (let s = 0; s < patterns.n; s += cap) {
    const B = Math.min(cap, patterns.n - s);
    net.input.set(patterns.x.subarray(s * size, (s + B) * size));
    net.forward(B);
    acts.set(net.acts[idx].subarray(0, B * units), s * units);
    if (grads) {
      net.zeroGrad();
      net.loss(patterns.y, s, B, true);
      net.backward(B);
      const g = net.dActs[idx];
      // the loss gradient is of the batch mean; rescale so the sum over patterns / n is the
      // pattern-set mean
      for (let k = 0; k < B * units; k++) grads[s * units + k] = g[k] * B;
    }
  }
  if (grads) net.zeroGrad();
  return { acts, grads, units };
}

/** Cosine similarity between every pair of columns of a [rows, units] matrix; units x units. */
export function cosineSimilarityMatrix(
  acts: Float64Array,
  rows: number,
  units: number,
): Float64Array {
  const norms = new Float64Array(units);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) norms[u] += acts[r * units + u] ** 2;
  for (let u = 0; u < units; u++) norms[u] = Math.sqrt(norms[u]);
  const cos = new Float64Array(units * units);
  const dot = new Float64Array(units);
  for (let i = 0; i < units; i++) {
    dot.fill(0);
    for (let r = 0; r < rows; r++) {
      const a = acts[r * units + i];
      if (a === 0) continue;
      const o = r * units;
      for (let j = i; j < units; j++) dot[j] += a * acts[o + j];
    }
    for (let j = i; j < units; j++) {
      const d = norms[i] * norms[j];
      const c = d > 0 ? dot[j] / d : 0;
      cos[i * units + j] = c;
      cos[j * units + i] = c;
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
  return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
}
