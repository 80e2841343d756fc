// What both split steps (split-layer.ts, split-hidden.ts) run on one side's units of a split dense
// layer: their outputs for a half-batch written into the columns of that half's outputs, their
// weight gradient (and the input gradient through them) from a half-batch's output gradients, or
// from both halves together with their SGD step in one pass, and the layer's bias gradient from
// the side's own images. The same kernels as on one thread: an image's outputs and a weight's
// gradient do not depend on how images or units are grouped.
import type { DenseHalf, FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';
import type { SgdOptions } from './serial-step.js';

/** A split dense layer: its parameters' names and sizes. */
export interface SplitDense {
  weight: string;
  bias: string;
  inputs: number;
  units: number;
}

/**
 * The first layer of `net` when it is dense with its weight first among the parameters (the
 * update ranges of split-layer.ts and first-layer-step.ts start there), or null.
 */
export function firstDenseLayer(net: Network): SplitDense | null {
  const first = net.arch.layers[0];
  if (first.kind !== 'dense') return null;
  const weight = `${first.name}.weight`;
  if (net.views.get(weight)?.offset !== 0) return null;
  const bias = `${first.name}.bias`;
  return { weight, bias, inputs: first.inFeatures, units: first.outFeatures };
}

/** A side's units of the layer, [from, to). */
export type UnitRange = [from: number, to: number];

/**
 * The outputs of units [from, to) for the `count` images of x, computed into `scratch` and written
 * into columns from.. of `out`'s rows (layer.units wide).
 */
export function forwardUnits(
  own: Network,
  layer: SplitDense,
  [from, to]: UnitRange,
  half: { x: FloatArray; count: number; out: FloatArray },
  scratch: FloatArray,
): void {
  const { inputs, units } = layer;
  const width = to - from;
  const weight = own.param(layer.weight).subarray(from * inputs, to * inputs);
  const bias = own.param(layer.bias).subarray(from, to);
  own.kernels.denseForward(scratch, half.x, weight, bias, half.count, inputs, width);
  for (let n = 0; n < half.count; n++)
    half.out.set(scratch.subarray(n * width, (n + 1) * width), n * units + from);
}

/**
 * The weight gradient of units [from, to) from a half-batch (`count` images x, their output
 * gradients' rows layer.units wide) into dW (those units' rows), and, when dInp is not null, the
 * input gradient through those units; `scratch` holds the gathered output gradients and a bias
 * gradient that is not kept.
 */
export function unitGradients(
  own: Network,
  layer: SplitDense,
  [from, to]: UnitRange,
  half: { x: FloatArray; count: number; outputGrads: FloatArray },
  into: { dW: FloatArray; dInp: FloatArray | null },
  scratch: FloatArray,
): void {
  const { inputs, units } = layer;
  const { x, count, outputGrads } = half;
  const width = to - from;
  const rows = scratch.subarray(0, count * width);
  for (let n = 0; n < count; n++)
    rows.set(outputGrads.subarray(n * units + from, n * units + to), n * width);
  const unused = scratch.subarray(count * width, (count + 1) * width);
  const weight = own.param(layer.weight).subarray(from * inputs, to * inputs);
  own.kernels.denseBackward(into.dInp, into.dW, unused, rows, x, weight, count, inputs, width);
}

/**
 * The weight gradient of units [from, to) from both halves (each half's inputs, and its output
 * gradients in rows layer.units wide from the first unit) and their SGD step, in one pass (the
 * kernels' denseWeightGradStep), the summed gradient left in into.grads[0] as sgdStepSum leaves
 * it; the layer's weights start at `into.offset` in the parameters. Where the kernel declines,
 * each half's gradient goes into its buffer of into.grads instead (the two passes' first, through
 * `scratch`), and the caller updates the rows. Returns whether the rows were stepped.
 */
export function unitWeightGradients(
  own: Network,
  layer: SplitDense,
  [from, to]: UnitRange,
  [first, second]: [DenseHalf, DenseHalf],
  into: { offset: number; grads: [FloatArray, FloatArray]; velocity: FloatArray | null },
  step: { opt: SgdOptions; scratch: FloatArray },
): boolean {
  const { inputs, units } = layer;
  const { offset, grads, velocity } = into;
  const start = offset + from * inputs;
  const rows = (a: FloatArray) => a.subarray(start, start + (to - from) * inputs);
  const { lr, momentum, weightDecay } = step.opt;
  const target = { p: rows(own.params), g: rows(grads[0]), v: velocity && rows(velocity) };
  const halves: [DenseHalf, DenseHalf] = [
    { dOut: first.dOut.subarray(from), inp: first.inp, B: first.B },
    { dOut: second.dOut.subarray(from), inp: second.inp, B: second.B },
  ];
  const sgd = { lr, mu: momentum, wd: weightDecay };
  if (own.kernels.denseWeightGradStep(target, halves, units, inputs, to - from, sgd)) return true;
  for (const [h, half] of [first, second].entries()) {
    const x = { x: half.inp, count: half.B, outputGrads: half.dOut };
    const dW = rows(grads[h]);
    unitGradients(own, layer, [from, to], x, { dW, dInp: null }, step.scratch);
  }
  return false;
}

/**
 * The layer's bias gradient from `count` images' output gradients, as on one thread, into its
 * place in `grads` (own.grads or own.gradsAux).
 */
export function biasGradient(
  own: Network,
  layer: SplitDense,
  dOut: FloatArray,
  count: number,
  grads = own.grads,
) {
  // with no inputs, the dense backward kernel sets only the bias gradient
  const offset = own.views.get(layer.bias)!.offset;
  const bias = grads.subarray(offset, offset + layer.units);
  own.kernels.denseBackward(null, grads, bias, dOut, own.input, own.params, count, 0, layer.units);
}
