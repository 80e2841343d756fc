// The two threads' training step for networks with a wide dense layer after their convolutions
// (the Caffe LeNet-5's fc1, 800 inputs by 500 units: 93% of its parameters): that layer's units
// are split between the threads (nn/unit-split.ts); the layers before and after it run on each
// thread's half of the images as in parallel.ts. In a plain data-parallel step both threads read
// every weight of the layer, then each writes half of them in the update, and each such write
// waits for the other core to give up its copy of the line: that update took a fifth of the step.
// Split by units, each thread reads, differentiates and updates only its own rows, and the threads
// exchange the layer's inputs, outputs and output gradients and partial input gradients (tens of
// thousands of values a step) instead. Every value comes from the same kernels, operands and order
// as on one thread, whose input gradient for this layer is also the sum over the first thread's
// units plus the sum over the second's (layer-passes.ts): the numbers are the same to the bit.
//
// Side 0 is the main thread, with the batch's first half of the images, side 1 the helper, with
// the rest. Each side waits for the other after each of:
//  1. the layers before the split layer, on the side's images;
//  2. the side's units' outputs for the whole batch, each image's into its own side's buffer;
//  3. the rest of the network, forward and backward, on the side's images, and the split layer's
//     bias gradient from them;
//  4. the input gradient through the side's units for both halves (its own images' into place,
//     the other side's kept for it), then the units' weight gradient from both halves and their
//     step in one pass (split-units.ts's unitWeightGradients; where it declines, each half's
//     gradient into its buffer and the step after the last meet);
//  5. the other side's part of its images' input gradient added, and the layers before the split
//     layer backward;
// then it updates the rest of the parameters: side 0 those before its units' rows, side 1 those
// after its rows, each range where it falls (update-range.ts's updateAnyRange: the layer's rows
// start where they do, as the Caffe LeNet-5's fc1 at 25,570, not on a multiple of 4).
import type { DenseHalf, FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';
import { unitSplit } from '../nn/unit-split.js';
import { CTRL, HIDDEN, type SharedViews } from './parallel-protocol.js';
import type { SgdOptions } from './serial-step.js';
import { helperSide, imagesOf, mainSide, meet, MEETS_PER_STEP } from './split-sync.js';
import type { HelperLink, Side, SideResult } from './split-sync.js';
import { biasGradient, forwardUnits, unitWeightGradients } from './split-units.js';
import type { SplitDense } from './split-units.js';
import { updateAnyRange } from './update-range.js';

/** How a network's split hidden layer and its parameters are shared out between the two sides. */
export interface HiddenPlan extends SplitDense {
  /** The layer's index in arch.layers: its inputs are acts[index], its outputs acts[index + 1]. */
  index: number;
  /** Side 0 has units [0, split), side 1 [split, units): a multiple of 4, the kernels' blocks. */
  split: number;
  /** Where the layer's weights start in the parameters. */
  offset: number;
  params: number;
}

/** The plan for `net`, or null when it has no hidden layer to split (nn/unit-split.ts). */
export function hiddenPlan(net: Network): HiddenPlan | null {
  const index = net.splitLayer;
  const layer = net.arch.layers[index];
  if (index < 0 || layer?.kind !== 'dense') return null;
  const weight = `${layer.name}.weight`;
  const offset = net.views.get(weight)?.offset ?? 0;
  const inputs = layer.inFeatures;
  const units = layer.outFeatures;
  const split = unitSplit(units);
  const params = net.params.length;
  const bias = `${layer.name}.bias`;
  return { index, weight, bias, inputs, units, split, offset, params };
}

/** The side's units of the layer: [from, to). */
function unitsOf(plan: HiddenPlan, side: Side): [number, number] {
  return side === 0 ? [0, plan.split] : [plan.split, plan.units];
}

/** Both sides' buffers a step reads or writes, indexed by side (each holds its own images). */
export interface HiddenBuffers {
  /** The split layer's inputs (acts[index]), outputs (acts[index + 1]) and their gradient. */
  inputs: [FloatArray, FloatArray];
  outputs: [FloatArray, FloatArray];
  outputGrads: [FloatArray, FloatArray];
  /** The side's part of the other side's images' input gradient (its acts[index + 2]). */
  partials: [FloatArray, FloatArray];
  /** Each half-batch's gradient: the first half's is the main network's, the rest the helper's. */
  grads: [FloatArray, FloatArray];
}

/**
 * Whether a side's outputs buffer (`outputs` floats) and partials buffer (`partials`) hold its
 * scratch for a step of B images (steps 2, 4).
 */
export function hiddenFits(
  room: { outputs: number; partials: number },
  plan: HiddenPlan,
  B: number,
): boolean {
  const half = Math.ceil(B / 2);
  const widest = Math.max(plan.split, plan.units - plan.split);
  return (half + 1) * widest <= room.outputs && half * plan.inputs <= room.partials;
}

/** Step 2: the side's units' outputs for the whole batch, sent to the side of each image. */
function outputs(own: Network, plan: HiddenPlan, side: Side, bufs: HiddenBuffers, B: number) {
  // own.dActs[index + 1] is free until this side's backward pass
  for (const half of [0, 1] as const) {
    const rows = { x: bufs.inputs[half], count: imagesOf(B, half)[1], out: bufs.outputs[half] };
    forwardUnits(own, plan, unitsOf(plan, side), rows, own.dActs[plan.index + 1]);
  }
}

/** Step 3: the rest of the network on the side's images, and the layer's bias gradient. */
function restOfNetwork(
  own: Network,
  plan: HiddenPlan,
  side: Side,
  B: number,
  labels: Uint8Array,
): { loss: number; correct: number } {
  const [first, count] = imagesOf(B, side);
  own.dropout.first = first;
  own.forwardFrom(plan.index + 1, count);
  const r = own.loss(labels, 0, count, true, B);
  own.backward(count, 'grads', plan.index + 1);
  biasGradient(own, plan, own.dActs[plan.index + 1], count);
  return r;
}

/**
 * Step 4: the input gradient through the side's units for both halves (its own images' into place,
 * the other side's kept for it), then their weight gradient and step in one pass; where that
 * declines, the weight gradient from each half into that half's buffer. Returns whether the side's
 * units' rows are stepped.
 */
function gradients(
  own: Network,
  plan: HiddenPlan,
  side: Side,
  step: { bufs: HiddenBuffers; B: number; velocity: FloatArray | null; opt: SgdOptions },
): boolean {
  const { bufs, B, velocity, opt } = step;
  const { inputs, units, offset } = plan;
  const [from, to] = unitsOf(plan, side);
  const weight = own.param(plan.weight).subarray(from * inputs, to * inputs);
  for (const half of [0, 1] as const) {
    const dInp = half === side ? own.dActs[plan.index] : bufs.partials[side];
    const dOut = bufs.outputGrads[half].subarray(from);
    const count = imagesOf(B, half)[1];
    own.kernels.denseInputGrad(dInp, dOut, units, weight, count, inputs, to - from, false);
  }
  const halfOf = (h: 0 | 1): DenseHalf => {
    return { dOut: bufs.outputGrads[h], inp: bufs.inputs[h], B: imagesOf(B, h)[1] };
  };
  const into = { offset, grads: bufs.grads, velocity };
  // own.acts[index + 1] is read by no one now
  const scratch = own.acts[plan.index + 1];
  const halves: [DenseHalf, DenseHalf] = [halfOf(0), halfOf(1)];
  return unitWeightGradients(own, plan, [from, to], halves, into, { opt, scratch });
}

/** Step 5: the other side's part of the input gradient added, and the layers before backward. */
function layersBeforeBackward(
  own: Network,
  plan: HiddenPlan,
  side: Side,
  bufs: HiddenBuffers,
  B: number,
) {
  const [first, count] = imagesOf(B, side);
  const other = side === 0 ? 1 : 0;
  // side 0 adds side 1's sum to its own, side 1 side 0's to its own: the same sum either way
  own.kernels.accumulate(own.dActs[plan.index], bufs.partials[other], count * plan.inputs);
  own.dropout.first = first;
  own.backward(count, 'grads', 0, plan.index - 1);
  own.dropout.first = 0;
}

/** One step on one side, after the main thread has handed the helper its buffers. */
export function hiddenStep(
  own: Network,
  plan: HiddenPlan,
  side: Side,
  step: { bufs: HiddenBuffers; B: number; labels: Uint8Array; seq: number; ctrl: Int32Array },
  velocity: FloatArray | null,
  opt: SgdOptions,
): { loss: number; correct: number } {
  const { bufs, B, labels, seq, ctrl } = step;
  const at = MEETS_PER_STEP * seq;
  const [first, count] = imagesOf(B, side);
  own.dropout.first = first;
  own.forwardFrom(0, count, {}, plan.index);
  meet(ctrl, side, at + 1);
  outputs(own, plan, side, bufs, B);
  meet(ctrl, side, at + 2);
  const r = restOfNetwork(own, plan, side, B, labels);
  meet(ctrl, side, at + 3);
  const stepped = gradients(own, plan, side, { bufs, B, velocity, opt });
  meet(ctrl, side, at + 4);
  layersBeforeBackward(own, plan, side, bufs, B);
  meet(ctrl, side, at + 5);
  // side 0's rows end, and side 1's start, at `middle`; side 1's end at `end`
  const { offset, inputs, split, units, params } = plan;
  const [middle, end] = [offset + split * inputs, offset + units * inputs];
  const range: [number, number] =
    side === 0 ? [0, stepped ? offset : middle] : [stepped ? end : middle, params];
  updateAnyRange(own, range, bufs.grads, velocity, opt);
  return r;
}

/** One side's own buffers of a step: a network's, or the replica's as the main thread sees them. */
type SideBuffers = { [K in keyof HiddenBuffers]: FloatArray };

/** The control slots through which the helper finds the main network's buffers. */
const MAIN_SLOTS = {
  inputs: CTRL.mainInput,
  outputs: CTRL.mainOutputs,
  outputGrads: CTRL.mainOutputGrads,
  partials: CTRL.mainPartials,
} as const;
const SLOTS = Object.entries(MAIN_SLOTS) as [keyof typeof MAIN_SLOTS, number][];

/** `net`'s own buffers of a step (split-hidden's layout of acts and dActs). */
function ownBuffers(net: Network, plan: HiddenPlan): SideBuffers {
  const k = plan.index;
  const [inputs, outputs, partials] = [net.acts[k], net.acts[k + 1], net.acts[k + 2]];
  return { inputs, outputs, outputGrads: net.dActs[k + 1], partials, grads: net.grads };
}

/** Both sides' buffers, side 0's first. */
function pair(main: SideBuffers, helper: SideBuffers): HiddenBuffers {
  const both = (key: keyof SideBuffers): [FloatArray, FloatArray] => [main[key], helper[key]];
  const [inputs, outputs, outputGrads] = [both('inputs'), both('outputs'), both('outputGrads')];
  return { inputs, outputs, outputGrads, partials: both('partials'), grads: both('grads') };
}

/** The main thread's split step: hands the helper the step, runs side 0, waits for side 1. */
export function mainHiddenStep(
  link: HelperLink & { input: FloatArray },
  net: Network,
  plan: HiddenPlan,
  batch: { x: Float32Array; y: Uint8Array; B: number },
  opt: SgdOptions,
): SideResult {
  const { x, y, B } = batch;
  const half = Math.ceil(B / 2);
  const size = net.inputSize;
  net.input.set(x.subarray(0, half * size));
  link.input.set(x.subarray(half * size, B * size));
  link.views.labels.set(y.subarray(half, B));
  const own = ownBuffers(net, plan);
  const buffers = SLOTS.map(([key, slot]): [number, number] => [slot, own[key].byteOffset]);
  const bufs = pair(own, link.replica);
  const ctrl = link.views.ctrl;
  return mainSide(link, net, { command: HIDDEN, B, buffers, opt }, (seq, velocity) =>
    hiddenStep(net, plan, 0, { bufs, B, labels: y, seq, ctrl }, velocity, opt),
  );
}

/** The helper's hidden split step on its replica (parallel-worker.ts), request `seq`. */
export function helperHiddenStep(replica: Network, views: SharedViews, seq: number): void {
  const plan = hiddenPlan(replica);
  if (!plan) throw new Error('hidden split step requested for a network with no layer to split');
  helperSide(replica, views, ({ B, view, velocity, opt }) => {
    const half = Math.ceil(B / 2);
    const across = half * plan.inputs,
      along = half * plan.units;
    const main: SideBuffers = {
      inputs: view(MAIN_SLOTS.inputs, across),
      outputs: view(MAIN_SLOTS.outputs, along),
      outputGrads: view(MAIN_SLOTS.outputGrads, along),
      partials: view(MAIN_SLOTS.partials, across),
      grads: view(CTRL.mainGrads, plan.params),
    };
    const bufs = pair(main, ownBuffers(replica, plan));
    const step = { bufs, B, labels: views.labels, seq, ctrl: views.ctrl };
    return hiddenStep(replica, plan, 1, step, velocity, opt);
  });
}
