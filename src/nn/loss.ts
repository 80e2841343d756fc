// The output layer's loss and its gradient: softmax cross-entropy, or one-vs-rest sigmoid binary
// cross-entropy (the paper's "sigmoid after the last layer"), summed over a batch's images, with
// the number of correct predictions (argmax, first on ties). exp and log are the engine-independent
// ones (engine/libm.ts), so a loss is the same in Node and in a browser.
import type { FloatArray } from '../engine/kernels.js';
import { exp, log, log1p } from '../engine/libm.js';
import type { OutputKind } from './architecture.js';

/**
 * Loss of `logits` ([images, classes]) against labels[offset..]; writes dLoss/dLogits into
 * `dLogits` (when given) for a loss that is the mean over `meanOver` images. Returns the summed
 * loss and the number correct.
 */
export function outputLoss(
  output: OutputKind,
  logits: FloatArray,
  dLogits: FloatArray | null,
  labels: ArrayLike<number>,
  offset: number,
  classes: number,
  meanOver: number,
): { loss: number; correct: number } {
  const C = classes;
  const z = logits;
  const dz = dLogits;
  const images = logits.length / C;
  let loss = 0;
  let correct = 0;
  // an image's exponentials, for its loss and then its gradient
  const e = new Float64Array(C);
  for (let n = 0; n < images; n++) {
    const y = labels[offset + n];
    const o = n * C;
    let best = 0;
    for (let c = 1; c < C; c++) if (z[o + c] > z[o + best]) best = c;
    if (best === y) correct++;
    if (output === 'softmax') {
      const m = z[o + best];
      let s = 0;
      for (let c = 0; c < C; c++) {
        e[c] = exp(z[o + c] - m);
        s += e[c];
      }
      loss += log(s) + m - z[o + y];
      if (dz) {
        for (let c = 0; c < C; c++) dz[o + c] = (e[c] / s - (c === y ? 1 : 0)) / meanOver;
      }
    } else {
      for (let c = 0; c < C; c++) {
        const x = z[o + c];
        const t = c === y ? 1 : 0;
        loss += Math.max(x, 0) - x * t + log1p(exp(-Math.abs(x)));
        if (dz) dz[o + c] = (1 / (1 + exp(-x)) - t) / meanOver;
      }
    }
  }
  return { loss, correct };
}
