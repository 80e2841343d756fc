// One layer's forward and backward pass on the kernels, for every layer kind of architecture.ts.
// A padded or strided convolution runs as pad2d, the kernels' stride-1 convolution and
// subsample2d, through buffers of its own (ConvBuffers), so the fast convolution kernels serve
// every convolution. A convolution followed by tanh or ReLU runs as one fused kernel, and so do the
// backward passes of a pooling and the activation before it (tanh and average, ReLU and max).
// Dropout draws its mask per pass (dropout.ts) and is the identity when no training step runs.
import type { ConvActivation, FloatArray, Kernels } from '../engine/kernels.js';
import { size, type LayerSpec, type Shape3 } from './architecture.js';
import { dropoutMask } from './dropout.js';
import { unitSplit } from './unit-split.js';

type Conv = Extract<LayerSpec, { kind: 'conv' }>;

/** The sizes a convolution works on: its padded input and its stride-1 output. */
export function convGeometry(l: Conv, [, h, w]: Shape3) {
  const pad = l.padding ?? 0,
    stride = l.stride ?? 1;
  const paddedH = h + 2 * pad,
    paddedW = w + 2 * pad;
  return {
    pad,
    stride,
    paddedH,
    paddedW,
    fullH: paddedH - l.kernel + 1,
    fullW: paddedW - l.kernel + 1,
  };
}

/**
 * A padded convolution's padded input and its gradient; a strided one's stride-1 output; where the
 * kernels transform the weights (Winograd), the forward pass's transformed weights, and whether
 * the last forward pass left them there (for the backward pass to take).
 */
export interface ConvBuffers {
  padded: FloatArray | null;
  dPadded: FloatArray | null;
  full: FloatArray | null;
  dFull: FloatArray | null;
  transformed: FloatArray | null;
  transformedReady: boolean;
}

/** Floats of a layer's own buffers (ConvBuffers, a dropout mask) at batch capacity `batch`. */
export function layerBufferFloats(l: LayerSpec, input: Shape3, batch: number): number {
  if (l.kind === 'dropout') return batch * size(input);
  if (l.kind !== 'conv') return 0;
  const g = convGeometry(l, input);
  const padded = g.pad ? input[0] * g.paddedH * g.paddedW : 0;
  const full = g.stride > 1 ? l.outChannels * g.fullH * g.fullW : 0;
  // at most the transformed weights of F(4x4, 5x5): 64 per pair of channels
  const transformed = l.kernel === 5 ? 64 * input[0] * l.outChannels : 0;
  return 2 * batch * (padded + full) + transformed;
}

export function allocConvBuffers(
  k: Kernels,
  l: LayerSpec,
  input: Shape3,
  batch: number,
): ConvBuffers | null {
  if (l.kind !== 'conv') return null;
  const g = convGeometry(l, input);
  const padded = batch * input[0] * g.paddedH * g.paddedW,
    full = batch * l.outChannels * g.fullH * g.fullW;
  const transformed = k.transformedFloats(input[0], g.paddedH, g.paddedW, l.outChannels, l.kernel);
  return {
    padded: g.pad ? k.alloc(padded) : null,
    dPadded: g.pad ? k.alloc(padded) : null,
    full: g.stride > 1 ? k.alloc(full) : null,
    dFull: g.stride > 1 ? k.alloc(full) : null,
    transformed: transformed > 0 ? k.alloc(transformed, true) : null,
    transformedReady: false,
  };
}

export interface LayerIo {
  inp: FloatArray;
  out: FloatArray;
  /** The input's shape (one image). */
  shape: Shape3;
  B: number;
  param: (name: string) => FloatArray;
}

/** What a convolution's pass also does: the activation that follows it, the pooling after that. */
export interface ConvEpilogue {
  activation: ConvActivation;
  /** The 2x2 average pooling's output (a stride-1 convolution's only), or null. */
  pooled: FloatArray | null;
  /** Whether `out` is written (it may not be when pooling: no backward pass will read it). */
  keep: boolean;
}

/** Conv forward into `out` (its activation with `then.activation`) and `then.pooled`. */
export function convForward(
  k: Kernels,
  l: Conv,
  io: LayerIo,
  buffers: ConvBuffers,
  then: ConvEpilogue,
): void {
  const [c, h, w] = io.shape;
  const g = convGeometry(l, io.shape);
  let src = io.inp;
  if (buffers.padded) {
    k.pad2d(buffers.padded, io.inp, io.B * c, h, w, g.pad);
    src = buffers.padded;
  }
  if (then.pooled && buffers.full)
    throw new Error('a strided convolution is not pooled in its pass');
  const target = buffers.full ?? (then.keep || !then.pooled ? io.out : null);
  const weight = io.param(`${l.name}.weight`),
    bias = io.param(`${l.name}.bias`);
  buffers.transformedReady = k.conv2dForward(
    target,
    src,
    weight,
    bias,
    io.B,
    c,
    g.paddedH,
    g.paddedW,
    l.outChannels,
    l.kernel,
    then.activation,
    then.pooled,
    buffers.transformed,
  );
  if (buffers.full)
    k.subsample2d(io.out, buffers.full, io.B * l.outChannels, g.fullH, g.fullW, g.stride);
}

/** Conv backward from dOut (the gradient of its output) into dW, dB and dInp (when not null). */
export function convBackward(
  k: Kernels,
  l: Conv,
  io: LayerIo,
  buffers: ConvBuffers,
  dInp: FloatArray | null,
  dOut: FloatArray,
  grad: (name: string) => FloatArray,
): void {
  const [c, h, w] = io.shape;
  const g = convGeometry(l, io.shape);
  let dTarget = dOut;
  if (buffers.dFull) {
    k.upsample2d(buffers.dFull, dOut, io.B * l.outChannels, g.fullH, g.fullW, g.stride);
    dTarget = buffers.dFull;
  }
  const src = buffers.padded ?? io.inp;
  const dSrc = dInp && buffers.dPadded ? buffers.dPadded : dInp;
  k.conv2dBackward(
    dSrc,
    grad(`${l.name}.weight`),
    grad(`${l.name}.bias`),
    dTarget,
    src,
    io.param(`${l.name}.weight`),
    io.B,
    c,
    g.paddedH,
    g.paddedW,
    l.outChannels,
    l.kernel,
    buffers.transformedReady ? buffers.transformed : null,
  );
  if (dInp && buffers.dPadded) k.crop2d(dInp, buffers.dPadded, io.B * c, h, w, g.pad);
}

type Dense = Extract<LayerSpec, { kind: 'dense' }>;

export function denseForward(k: Kernels, l: Dense, io: LayerIo): void {
  const weight = io.param(`${l.name}.weight`),
    bias = io.param(`${l.name}.bias`);
  k.denseForward(io.out, io.inp, weight, bias, io.B, l.inFeatures, l.outFeatures);
}

/**
 * Dense backward from dOut into dW, dB and dInp (each set; dInp when not null). For the layer two
 * threads `split` (unit-split.ts), dInp is the sum over the first thread's units plus the sum over
 * the rest, as the two threads form it.
 */
export function denseBackward(
  k: Kernels,
  l: Dense,
  io: LayerIo,
  dInp: FloatArray | null,
  dOut: FloatArray,
  grad: (name: string) => FloatArray,
  split = false,
): void {
  const dW = grad(`${l.name}.weight`),
    dB = grad(`${l.name}.bias`);
  const weight = io.param(`${l.name}.weight`);
  const I = l.inFeatures,
    O = l.outFeatures;
  if (!dInp || !split) {
    k.denseBackward(dInp, dW, dB, dOut, io.inp, weight, io.B, I, O);
    return;
  }
  const units = unitSplit(O);
  k.denseBackward(null, dW, dB, dOut, io.inp, weight, io.B, I, O);
  k.denseInputGrad(dInp, dOut, O, weight, io.B, I, units, false);
  const rest = weight.subarray(units * I);
  k.denseInputGrad(dInp, dOut.subarray(units), O, rest, io.B, I, O - units, true);
}

/** The step's dropout: its key (null: evaluating, dropout is the identity) and images' offset. */
export interface DropoutState {
  key: number | null;
  first: number;
}

/** Dropout's forward pass (layer `index`), drawing its mask for this pass into `mask`. */
export function dropoutForward(
  k: Kernels,
  l: Extract<LayerSpec, { kind: 'dropout' }>,
  index: number,
  io: LayerIo,
  mask: FloatArray,
  state: DropoutState,
): void {
  const perImage = size(io.shape);
  const n = io.B * perImage;
  if (state.key === null) {
    io.out.set(io.inp.subarray(0, n));
    return;
  }
  dropoutMask(mask, l.p, state.key, index, state.first, io.B, perImage);
  k.dropoutForward(io.out, io.inp, mask, n);
}

/** Dropout's backward pass, through the mask of the forward pass. */
export function dropoutBackward(
  k: Kernels,
  io: LayerIo,
  mask: FloatArray,
  state: DropoutState,
  dInp: FloatArray,
  dOut: FloatArray,
): void {
  const n = io.B * size(io.shape);
  if (state.key === null) dInp.set(dOut.subarray(0, n));
  else k.dropoutBackward(dInp, dOut, mask, n);
}

/**
 * Forward pass of a layer without parameters (activation or pooling); `before`: the layer before
 * it, if any (max-pooling after ReLU takes the kernels' cheaper comparison).
 */
export function plainForward(k: Kernels, l: LayerSpec, io: LayerIo, before?: LayerSpec): void {
  const [c, h, w] = io.shape;
  const n = io.B * size(io.shape);
  if (l.kind === 'tanh') k.tanhForward(io.out, io.inp, n);
  else if (l.kind === 'relu') k.reluForward(io.out, io.inp, n);
  else if (l.kind === 'sigmoid') k.sigmoidForward(io.out, io.inp, n);
  else if (l.kind === 'avgpool') k.avgPool2Forward(io.out, io.inp, io.B * c, h, w);
  else if (l.kind === 'maxpool')
    k.maxPool2Forward(io.out, io.inp, io.B * c, h, w, before?.kind === 'relu');
}

/** Backward pass of a layer without parameters: dInp from dOut (activations use their output). */
export function plainBackward(
  k: Kernels,
  l: LayerSpec,
  io: LayerIo,
  dInp: FloatArray,
  dOut: FloatArray,
): void {
  const [c, h, w] = io.shape;
  const n = io.B * size(io.shape);
  if (l.kind === 'tanh') k.tanhBackward(dInp, dOut, io.out, n);
  else if (l.kind === 'relu') k.reluBackward(dInp, dOut, io.out, n);
  else if (l.kind === 'sigmoid') k.sigmoidBackward(dInp, dOut, io.out, n);
  else if (l.kind === 'avgpool') k.avgPool2Backward(dInp, dOut, io.B * c, h, w);
  else if (l.kind === 'maxpool') k.maxPool2Backward(dInp, dOut, io.inp, io.B * c, h, w);
}
