// The weight gradient and SGD step of an MLP's first layer in one pass over its weights (the
// kernels' denseWeightGradStep), once both half-batches' output gradients of the layer are at
// hand: on one thread (serialFirstLayerStep, the trainer's step) and on each side of the step on
// two (split-layer.ts, each side its own units). That layer holds most of an MLP's parameters
// (LeNet-300-100: 235,200 of 266,610), and the two passes it replaces (each half's gradient
// written, then both read back with the parameters by sgdStepSum) each cross all of them.
// The numbers are those of serial-step.ts's step to the bit: the same kernels on the same
// operands in the same order, the layer's outputs and gradients computed as split-layer.ts does.
import type { DenseHalf, FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';
import type { SgdOptions } from './serial-step.js';
import { imagesOf, type SideResult } from './split-sync.js';
import { biasGradient, firstDenseLayer, unitWeightGradients } from './split-units.js';
import { updateRanges } from './update-range.js';
import type { SplitDense, UnitRange } from './split-units.js';

/** A step's first-layer operands: the whole batch's inputs, each half's output gradients. */
export interface FirstLayerHalves {
  input: FloatArray;
  /** Each half's output gradients of the layer, rows `units` wide. */
  outputGrads: [FloatArray, FloatArray];
  B: number;
}

/** Each half's inputs and output gradients of the first layer (rows from its first unit). */
export function halvesOf(halves: FirstLayerHalves, inputs: number): [DenseHalf, DenseHalf] {
  const half = (h: 0 | 1): DenseHalf => {
    const [first, count] = imagesOf(halves.B, h);
    const inp = halves.input.subarray(first * inputs, (first + count) * inputs);
    return { dOut: halves.outputGrads[h], inp, B: count };
  };
  return [half(0), half(1)];
}

/**
 * The first layer of `net` where the one-thread step below applies to a batch of B (a dense first
 * layer with its weight first, and both halves with room in the network's buffers), or null.
 */
export function firstLayerOf(net: Network, B: number): SplitDense | null {
  const half = Math.ceil(B / 2);
  if (B - half === 0 || 2 * half > net.batch) return null;
  return firstDenseLayer(net);
}

/**
 * One SGD step on this thread for a network whose first layer is dense: each half's pass through
 * the network as split-layer.ts's sides make it (the layer's outputs, the rest of the network, the
 * layer's bias gradient), then the layer's weight gradient and step in one pass
 * (unitWeightGradients), or, where it declines, as serialTrainStep makes them; then the step of
 * the other parameters.
 */
export function serialFirstLayerStep(
  net: Network,
  layer: SplitDense,
  batch: { x: Float32Array; y: Uint8Array; B: number },
  opt: SgdOptions,
): SideResult {
  const { x, y, B } = batch;
  const { inputs, units } = layer;
  const input = net.input.subarray(0, B * inputs);
  input.set(x.subarray(0, B * inputs));
  const weight = net.param(layer.weight);
  const bias = net.param(layer.bias);
  // the first half's output gradients, kept where the second half's backward pass writes none
  const half = Math.ceil(B / 2);
  const kept = net.dActs[1].subarray(half * units, 2 * half * units);
  let loss = 0;
  let correct = 0;
  for (const h of [0, 1] as const) {
    const [first, count] = imagesOf(B, h);
    const images = input.subarray(first * inputs, (first + count) * inputs);
    net.kernels.denseForward(net.acts[1], images, weight, bias, count, inputs, units);
    net.dropout.first = first;
    net.forwardFrom(1, count);
    const r = net.loss(y, first, count, true, B);
    loss += r.loss;
    correct += r.correct;
    net.backward(count, h === 0 ? 'grads' : 'aux', 1);
    biasGradient(net, layer, net.dActs[1], count, h === 0 ? net.grads : net.gradsAux);
    if (h === 0) kept.set(net.dActs[1].subarray(0, count * units));
  }
  net.dropout.first = 0;
  const halves: FirstLayerHalves = { input, outputGrads: [kept, net.dActs[1]], B };
  const velocity = net.velocityFor(opt.momentum);
  const all: UnitRange = [0, units];
  const grads: [FloatArray, FloatArray] = [net.grads, net.gradsAux];
  // (net.acts[1] is read by no one now)
  const step = { opt, scratch: net.acts[1] };
  const into = { offset: 0, grads, velocity };
  const fused = unitWeightGradients(net, layer, all, halvesOf(halves, inputs), into, step);
  updateRanges(net, [[fused ? units * inputs : 0, net.params.length]], grads, velocity, opt);
  return { loss, correct };
}
