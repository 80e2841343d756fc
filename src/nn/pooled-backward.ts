// The backward passes that take a pooling layer together with the layers before it, in one kernel
// where there is one: a pooling and its activation (tanh and average, ReLU and max), and a
// network's first convolution, ReLU and max-pooling.
import type { FloatArray, Kernels } from '../engine/kernels.js';
import type { LayerSpec } from './architecture.js';
import { convGeometry, type LayerIo } from './layer-passes.js';

/**
 * Layer i's backward pass together with those of the layers before it that one kernel takes with
 * it (none below downTo): how many layers that was, or 0 where there is no such kernel (and
 * nothing was done). `io(j)` is layer j's io, dActs the network's activation gradients.
 */
export function pooledBackward(
  k: Kernels,
  layers: LayerSpec[],
  i: number,
  downTo: number,
  io: (j: number) => LayerIo,
  dActs: FloatArray[],
  grad: (name: string) => FloatArray,
): number {
  const pool = layers[i].kind;
  if (pool !== 'maxpool' && pool !== 'avgpool') return 0;
  if (i === 2 && downTo === 0 && firstConvPoolBackward(k, layers, io, dActs[3], grad)) return 3;
  const before = i - 1 >= Math.max(downTo, 1) ? layers[i - 1] : null;
  return pooledActivationBackward(k, layers[i], before, io(i), dActs[i - 1], dActs[i + 1]) ? 2 : 0;
}

/**
 * The backward passes of a pooling layer and of the activation before it as one kernel, where there
 * is one (average pooling after tanh, max-pooling after ReLU): `dInp` is the activation's input
 * gradient, with the bits of the two passes one after the other (the pooling's input gradient is
 * not written). `io` is the pooling's. False, and nothing done, for any other pair or without an
 * activation layer before it that may run (null).
 */
function pooledActivationBackward(
  k: Kernels,
  pool: LayerSpec,
  activation: LayerSpec | null,
  io: LayerIo,
  dInp: FloatArray,
  dOut: FloatArray,
): boolean {
  const [c, h, w] = io.shape;
  if (pool.kind === 'avgpool' && activation?.kind === 'tanh')
    k.avgPoolTanhBackward(dInp, dOut, io.inp, io.B * c, h, w);
  else if (pool.kind === 'maxpool' && activation?.kind === 'relu')
    k.maxPool2Backward(dInp, dOut, io.inp, io.B * c, h, w, true);
  else return false;
  return true;
}

/**
 * The backward pass of a network's first three layers when they are a convolution (5x5, stride 1,
 * no padding, even output sides), ReLU and 2x2 max-pooling, in one kernel from the pooling's output
 * gradient (kernels.ts's convReluMaxPoolBackward) instead of the pooling's pass and the
 * convolution's: the Caffe LeNet-5's first layer. False, with nothing done, where the layers are
 * not those.
 */
function firstConvPoolBackward(
  k: Kernels,
  layers: LayerSpec[],
  io: (j: number) => LayerIo,
  dPooled: FloatArray,
  grad: (name: string) => FloatArray,
): boolean {
  const [l, relu, pool] = layers;
  if (l?.kind !== 'conv' || relu?.kind !== 'relu' || pool?.kind !== 'maxpool') return false;
  const conv = io(0);
  const [c, h, w] = conv.shape;
  const g = convGeometry(l, conv.shape);
  if (l.kernel !== 5 || g.pad !== 0 || g.stride !== 1 || g.fullH % 2 || g.fullW % 2) return false;
  const dW = grad(`${l.name}.weight`),
    dB = grad(`${l.name}.bias`);
  // the pooling's input is the ReLU's output
  const y = io(2).inp;
  k.convReluMaxPoolBackward(dW, dB, dPooled, y, conv.inp, conv.B, c, h, w, l.outChannels);
  return true;
}
