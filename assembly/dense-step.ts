// A dense layer's weight gradient from two half-batches and the SGD step on it, in one pass over
// the layer's weight rows. The step otherwise writes each half's gradient into its own buffer
// (dense-sparse.ts), then reads both back with the parameters (sgd.ts's sgdStepSum): for an MLP's
// first layer, most of a network's parameters, that is three full passes over them a step. Here
// each block of 28 weights of a row is summed over the first half's images, then the second's sum
// added, and the block stepped, while it is in the nearest cache. The float32
// operations are sgdStepSum's on the gradients the sparse kernels compute, in the same order, so
// the bits are those of the two passes (tested).
import { put } from './simd';
import { countNonzero, listsFit, sparseWeightGrad, sum28, sum4 } from './dense-sparse';
import { updateFour } from './sgd';

// Appends (offset of image n's input row, g) to the list at `end` when g is nonzero: the list of
// one unit's nonzero output gradients over a half-batch of B images, rows OS floats apart.
function unitList(end: usize, dOut: usize, OS: i32, B: i32, IB: u32): usize {
  const OSB = (<usize>OS) << 2;
  for (let n = 0; n < B; n++) {
    const g = load<f32>(dOut);
    store<u32>(end, <u32>n * IB);
    store<f32>(end, g, 4);
    end += g != 0 ? 8 : 0;
    dOut += OSB;
  }
  return end;
}

// One unit's row of I floats (a multiple of 4) at p, g and v: the sum over list 0, [from0, to0)
// (rows at base0), set into g, then over list 1, [to0, to1) (rows at base1), added to it, and the
// step of the block; 28 floats at a time (dense-sparse.ts's sum28), then 4.
function unitRow(
  p: usize,
  g: usize,
  v: usize,
  from0: usize,
  to0: usize,
  to1: usize,
  base0: usize,
  base1: usize,
  I: i32,
  lrv: v128,
  muv: v128,
  wdv: v128,
  momentum: bool,
): void {
  let i = 0;
  for (; i + 28 <= I; i += 28) {
    const io = (<usize>i) << 2;
    sum28(g + io, from0, to0, base0, io, 0);
    sum28(g + io, to0, to1, base1, io, 1);
    for (let o = io; o < io + 112; o += 16)
      updateFour(p, g, 0, v, o, lrv, muv, wdv, false, momentum);
  }
  const zero = f32x4.splat(0);
  for (; i < I; i += 4) {
    const io = (<usize>i) << 2;
    v128.store(g + io, sum4(from0, to0, base0, io, zero));
    put(g + io, sum4(to0, to1, base1, io, zero), 1);
    updateFour(p, g, 0, v, io, lrv, muv, wdv, false, momentum);
  }
}

// For each of O units (rows of I floats at p, g, v): the weight gradient from half-batches 0 (B0
// images, inputs at inp0, output gradients at dOut0, rows OS floats apart) and 1 (likewise), added
// and stored in g, and the SGD step on it (p, and v when mu > 0), as denseBackward on each half
// then sgdStepSum. Returns 0, having done nothing, where the sparse kernels would not run (more
// than three in five output gradients nonzero) or I is not a multiple of 4 (sgdStepSum's vector
// and scalar parts then fall elsewhere than a row's): the caller then makes the two passes.
export function denseWeightGradStep(
  p: usize,
  g: usize,
  v: usize,
  dOut0: usize,
  inp0: usize,
  B0: i32,
  dOut1: usize,
  inp1: usize,
  B1: i32,
  OS: i32,
  I: i32,
  O: i32,
  lr: f32,
  mu: f32,
  wd: f32,
  scratch: usize,
): i32 {
  if (I % 4 != 0 || B0 < 1 || B1 < 1 || !listsFit(B0 + B1, 0)) return 0;
  let nonzero = 0;
  for (let n = 0; n < B0; n++) nonzero += countNonzero(dOut0 + <usize>(n * OS) * 4, O);
  for (let n = 0; n < B1; n++) nonzero += countNonzero(dOut1 + <usize>(n * OS) * 4, O);
  if (!sparseWeightGrad(nonzero, (B0 + B1) * O)) return 0;
  const lrv = f32x4.splat(lr),
    muv = f32x4.splat(mu),
    wdv = f32x4.splat(wd),
    momentum = mu > 0;
  const IB = (<usize>I) << 2;
  for (let o = 0; o < O; o++) {
    const column = (<usize>o) << 2;
    const to0 = unitList(scratch, dOut0 + column, OS, B0, <u32>IB);
    const to1 = unitList(to0, dOut1 + column, OS, B1, <u32>IB);
    const row = <usize>o * IB;
    const at = momentum ? v + row : 0;
    unitRow(p + row, g + row, at, scratch, to0, to1, inp0, inp1, I, lrv, muv, wdv, momentum);
  }
  return 1;
}
