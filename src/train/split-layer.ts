// The two threads' training step for networks whose first layer is dense (MLPs such as
// LeNet-300-100): that layer's units are split between the threads, and the rest of the network
// runs data-parallel as in parallel.ts. An MLP's first layer holds most of its parameters and
// arithmetic. Split by units, each thread reads, differentiates and updates only its own rows of
// the layer's weights, and the threads exchange the layer's outputs and output gradients (a few
// thousand values a step) instead of its gradient and weights (hundreds of thousands each; the
// later layers' gradients are exchanged as before). Where cores exchange memory slowly, that
// exchange cost more than the second thread saved (README, Performance).
// Every value is computed by the same kernels on the same operands in the same order as on one
// thread (serial-step.ts), so the numbers are the same to the bit.
//
// A step runs on both threads at once; side 0 is the main thread, with the batch's first half of
// the images, side 1 the helper, with the rest:
//  1. the first layer's outputs of the side's units for the whole batch, each image's written into
//     the buffer of the side that takes it on;  (each side waits for the other)
//  2. the rest of the network, forward and backward, on the side's images, and the first layer's
//     bias gradient from them;  (each side waits for the other)
//  3. the weight gradient of the side's units from both halves' output gradients, and the SGD
//     update of the side's part of the parameters.
import type { FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';
import { CTRL, SPLIT, type SharedViews } from './parallel-protocol.js';
import { helperSide, imagesOf, mainSide, meet, MEETS_PER_STEP } from './split-sync.js';
import type { HelperLink, Side } from './split-sync.js';
import { halvesOf } from './first-layer-step.js';
import { biasGradient, firstDenseLayer, forwardUnits, unitWeightGradients } from './split-units.js';
import type { SplitDense } from './split-units.js';
import { updateRanges } from './update-range.js';
import type { SgdOptions } from './serial-step.js';

/** How a network's first layer and parameters are shared out between the two sides. */
export interface SplitPlan extends SplitDense {
  /** Side 0 has units [0, split), side 1 [split, units): a multiple of 4, the kernels' blocks. */
  split: number;
  /** Side 1 updates parameters [split * inputs, middle), side 0 those before and after. */
  middle: number;
  params: number;
}

/** The plan for `net`, or null when its first layer is not a dense one to split. */
export function splitPlan(net: Network): SplitPlan | null {
  const first = firstDenseLayer(net);
  if (!first || first.units < 8) return null;
  const { weight, bias, inputs, units } = first;
  const params = net.params.length;
  const rest = params - units * inputs;
  // each range starts on a multiple of 4 and ends on one or at the end, so the update's vector
  // and scalar parts fall where they do in one pass over all parameters
  const middle = Math.min(params, Math.ceil((units * inputs + rest / 2) / 4) * 4);
  // (a literal: spreading `first` costs 3-6 µs, on both threads every step)
  return { weight, bias, inputs, units, split: Math.round(units / 8) * 4, middle, params };
}

/** The side's units of the first layer: [from, to). */
function unitsOf(plan: SplitPlan, side: Side): [number, number] {
  return side === 0 ? [0, plan.split] : [plan.split, plan.units];
}

/** Both sides' buffers a step reads or writes, indexed by side. */
export interface SplitBuffers {
  /** The whole batch's inputs (the main network's input buffer). */
  input: FloatArray;
  /** Each side's first-layer outputs (its acts[1]) and their gradient (dActs[1]), its images. */
  outputs: [FloatArray, FloatArray];
  outputGrads: [FloatArray, FloatArray];
  /** Each half-batch's gradient: the first half's is the main network's, the rest the helper's. */
  grads: [FloatArray, FloatArray];
}

/**
 * Whether a side's first-layer outputs buffer of `room` floats holds its scratch for a step of B
 * images (phases 1 and 3).
 */
export function splitFits(room: number, plan: SplitPlan, side: Side, B: number): boolean {
  const [from, to] = unitsOf(plan, side);
  const width = to - from;
  return B * width <= room && (Math.ceil(B / 2) + 1) * width <= room;
}

/** Phase 1: the side's units' outputs for the whole batch, sent to the side of each image. */
function outputs(own: Network, plan: SplitPlan, side: Side, bufs: SplitBuffers, B: number) {
  // own.dActs[1] is free until this side's backward pass
  for (const half of [0, 1] as const) {
    const [first, count] = imagesOf(B, half);
    const x = bufs.input.subarray(first * plan.inputs, (first + count) * plan.inputs);
    const rows = { x, count, out: bufs.outputs[half] };
    forwardUnits(own, plan, unitsOf(plan, side), rows, own.dActs[1]);
  }
}

/** Phase 2: the rest of the network on the side's images, and the first layer's bias gradient. */
function restOfNetwork(
  own: Network,
  plan: SplitPlan,
  side: Side,
  B: number,
  labels: Uint8Array,
): { loss: number; correct: number } {
  const [first, count] = imagesOf(B, side);
  own.dropout.first = first;
  own.forwardFrom(1, count);
  const r = own.loss(labels, 0, count, true, B);
  own.backward(count, 'grads', 1);
  biasGradient(own, plan, own.dActs[1], count);
  own.dropout.first = 0;
  return r;
}

/**
 * Phase 3: the weight gradient of the side's units and their step in one pass where the kernel
 * takes it (split-units.ts's unitWeightGradients), else each half's into its buffer and the step
 * after; then the step of the other parameters, side 1 the first half of them, side 0 the rest.
 */
function gradientsAndStep(
  own: Network,
  plan: SplitPlan,
  side: Side,
  step: { bufs: SplitBuffers; B: number; velocity: FloatArray | null; opt: SgdOptions },
): void {
  const { bufs, B, velocity, opt } = step;
  const units = unitsOf(plan, side);
  const halves = halvesOf({ input: bufs.input, outputGrads: bufs.outputGrads, B }, plan.inputs);
  const into = { offset: 0, grads: bufs.grads, velocity };
  // (own.acts[1] is read by no one now)
  const fused = unitWeightGradients(own, plan, units, halves, into, { opt, scratch: own.acts[1] });
  const { split, inputs, middle, params } = plan;
  const rowsEnd = plan.units * inputs;
  const ranges: [number, number][] =
    side === 0
      ? [fused ? [0, 0] : [0, split * inputs], [middle, params]]
      : [[fused ? rowsEnd : split * inputs, middle]];
  updateRanges(own, ranges, bufs.grads, velocity, opt);
}

/** One step on one side, after the main thread has handed the helper its buffers. */
export function splitStep(
  own: Network,
  plan: SplitPlan,
  side: Side,
  step: { bufs: SplitBuffers; B: number; labels: Uint8Array; seq: number; ctrl: Int32Array },
  velocity: FloatArray | null,
  opt: SgdOptions,
): { loss: number; correct: number } {
  const { bufs, B, labels, seq, ctrl } = step;
  outputs(own, plan, side, bufs, B);
  meet(ctrl, side, MEETS_PER_STEP * seq + 1);
  const r = restOfNetwork(own, plan, side, B, labels);
  meet(ctrl, side, MEETS_PER_STEP * seq + 2);
  gradientsAndStep(own, plan, side, { bufs, B, velocity, opt });
  return r;
}

/** The main thread's split step: hands the helper the step, runs side 0, waits for side 1. */
export function mainSplitStep(
  link: HelperLink,
  net: Network,
  plan: SplitPlan,
  batch: { x: Float32Array; y: Uint8Array; B: number },
  opt: SgdOptions,
): { loss: number; correct: number } {
  const { x, y, B } = batch;
  const { ctrl, labels } = link.views;
  const half = Math.ceil(B / 2);
  net.input.set(x.subarray(0, B * plan.inputs));
  labels.set(y.subarray(half, B));
  const buffers: [number, number][] = [
    [CTRL.mainInput, net.input.byteOffset],
    [CTRL.mainOutputs, net.acts[1].byteOffset],
    [CTRL.mainOutputGrads, net.dActs[1].byteOffset],
  ];
  const bufs: SplitBuffers = {
    input: net.input,
    outputs: [net.acts[1], link.replica.outputs],
    outputGrads: [net.dActs[1], link.replica.outputGrads],
    grads: [net.grads, link.replica.grads],
  };
  return mainSide(link, net, { command: SPLIT, B, buffers, opt }, (seq, velocity) =>
    splitStep(net, plan, 0, { bufs, B, labels: y, seq, ctrl }, velocity, opt),
  );
}

/** The helper's split step on its replica (parallel-worker.ts), request `seq`. */
export function helperSplitStep(replica: Network, views: SharedViews, seq: number): void {
  const plan = splitPlan(replica);
  if (!plan) throw new Error('split step requested for a network whose first layer is not dense');
  helperSide(replica, views, ({ B, view, velocity, opt }) => {
    const outputs = Math.ceil(B / 2) * plan.units;
    const bufs: SplitBuffers = {
      input: view(CTRL.mainInput, B * plan.inputs),
      outputs: [view(CTRL.mainOutputs, outputs), replica.acts[1]],
      outputGrads: [view(CTRL.mainOutputGrads, outputs), replica.dActs[1]],
      grads: [view(CTRL.mainGrads, plan.params), replica.grads],
    };
    const step = { bufs, B, labels: views.labels, seq, ctrl: views.ctrl };
    return splitStep(replica, plan, 1, step, velocity, opt);
  });
}
