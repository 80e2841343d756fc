// One SGD step's gradient on one thread, computed as the data-parallel helper computes it: the
// batch split into two fixed halves, each half's gradient (of the loss averaged over the whole
// batch) written into its own buffer, the two added in a fixed order. Both the single-thread
// trainer and the two-thread one (parallel.ts) give these numbers, and both add the two halves in
// the same pass as the SGD update (serialTrainStep here).
import type { Network } from '../nn/network.js';
import { firstLayerOf, serialFirstLayerStep } from './first-layer-step.js';

/** The update an SGD step makes (trainer.ts's options). */
export interface SgdOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/**
 * One SGD step on this thread, gradient and update: the two halves' gradients are added and the
 * parameters updated in one pass (sgdStepSum), the same numbers as serialStep then net.sgdStep();
 * a network whose first layer is dense makes that layer's weight gradient in the same pass
 * (first-layer-step.ts).
 */
export function serialTrainStep(
  net: Network,
  x: Float32Array,
  y: Uint8Array,
  B: number,
  opt: SgdOptions,
): { loss: number; correct: number } {
  const first = firstLayerOf(net, B);
  if (first) return serialFirstLayerStep(net, first, { x, y, B }, opt);
  const r = serialStep(net, x, y, B, false);
  const { lr, momentum, weightDecay } = opt;
  if (B - Math.ceil(B / 2) === 0) {
    net.sgdStep(lr, momentum, weightDecay);
    return r;
  }
  const velocity = net.velocityFor(momentum);
  const P = net.params.length;
  net.kernels.sgdStepSum(
    net.params,
    net.grads,
    net.gradsAux,
    velocity,
    P,
    lr,
    momentum,
    weightDecay,
  );
  return r;
}

/**
 * One SGD step's gradient on the batch x[0..B), y[0..B) with both halves on this thread, in
 * net.grads; with `sum` false, the second half's is left in net.gradsAux, not yet added.
 */
export function serialStep(
  net: Network,
  x: Float32Array,
  y: Uint8Array,
  B: number,
  sum = true,
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
  if (sum) net.kernels.accumulate(net.grads, net.gradsAux, net.grads.length);
  net.dropout.first = 0;
  return { loss: first.loss + second.loss, correct: first.correct + second.correct };
}
