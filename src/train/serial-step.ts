// One SGD step's gradient on one thread, computed as the data-parallel helper computes it: the
// batch split into two fixed halves, each half's gradient (of the loss averaged over the whole
// batch) written into its own buffer, the two added in a fixed order. Both the single-thread
// trainer and the two-thread one (parallel.ts) give these numbers.
import type { Network } from '../nn/network.js';

/** One SGD step's gradient on the batch x[0..B), y[0..B) with both halves on this thread. */
export function serialStep(
  net: Network,
  x: Float32Array,
  y: Uint8Array,
  B: number,
): { loss: number; correct: number } {
  const size = net.inputSize;
  const half = Math.ceil(B / 2);
  net.input.set(x.subarray(0, half * size));
  net.dropout.first = 0;
  net.forward(half);
  const first = net.loss(y, 0, half, true, B);
  net.backward(half);
  if (B - half === 0) return first;
  net.input.set(x.subarray(half * size, B * size));
  net.dropout.first = half;
  net.forward(B - half);
  const second = net.loss(y, half, B - half, true, B);
  net.backward(B - half, 'aux');
  net.kernels.accumulate(net.grads, net.gradsAux, net.grads.length);
  net.dropout.first = 0;
  return { loss: first.loss + second.loss, correct: first.correct + second.correct };
}
