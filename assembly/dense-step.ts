// A dense layer's weight gradient from two half-batches and the SGD step on it, in one pass over
// the layer's weight rows. The step otherwise writes each half's gradient into its own buffer
// (dense-sparse.ts), then reads both back with the parameters (sgd.ts's sgdStepSum): for an MLP's
// first layer, most of a network's parameters, that is three full passes over them a step. Here
// each block of a row is summed over the first half's images (into g), then over the second's (in
// registers), and the block's sum and step are made while it is in the nearest cache. The float32
// operations are sgdStepSum's on the gradients the sparse kernels compute, in the same order, so
// the bits are those of the two passes (tested).
import { madd } from './simd';
import { countNonzero, listsFit, sparseWeightGrad, sum4 } from './dense-sparse';

// The step's settings, as module globals (a kernel must not allocate): lr, mu, wd as vectors,
// and whether the velocity is kept.
let lrv = f32x4.splat(0);
let muv = f32x4.splat(0);
let wdv = f32x4.splat(0);
let momentum = false;

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

// sgdStepSum's step of four parameters at byte `o`, the second half's sum of them in `acc`:
// g = g + acc (stored), g' = g + wd * p, v = mu * v + g' (stored, with momentum), p -= lr * g'.
@inline function stepFour(p: usize, g: usize, v: usize, o: usize, acc: v128): void {
  const gv = f32x4.add(v128.load(g + o), acc);
  v128.store(g + o, gv);
  const pv = v128.load(p + o);
  let gi = madd(wdv, pv, gv);
  if (momentum) {
    gi = madd(muv, v128.load(v + o), gi);
    v128.store(v + o, gi);
  }
  v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, gi)));
}

// One unit's row of I floats (a multiple of 4): the sum over list 0, [from0, to0) (rows at
// base0), into g, then over list 1, [to0, to1) (rows at base1), and the step; 28 floats at a time
// (seven sums in registers, as in dense-sparse.ts's rowProduct), then 4.
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
): void {
  let i = 0;
  for (; i + 28 <= I; i += 28) {
    const io = (<usize>i) << 2;
    let a0 = f32x4.splat(0),
      a1 = a0,
      a2 = a0,
      a3 = a0,
      a4 = a0,
      a5 = a0,
      a6 = a0;
    for (let lp = from0; lp < to0; lp += 8) {
      const s = v128.load32_splat(lp, 4),
        xp = base0 + load<u32>(lp) + io;
      a0 = madd(s, v128.load(xp), a0);
      a1 = madd(s, v128.load(xp, 16), a1);
      a2 = madd(s, v128.load(xp, 32), a2);
      a3 = madd(s, v128.load(xp, 48), a3);
      a4 = madd(s, v128.load(xp, 64), a4);
      a5 = madd(s, v128.load(xp, 80), a5);
      a6 = madd(s, v128.load(xp, 96), a6);
    }
    const q = g + io;
    v128.store(q, a0);
    v128.store(q, a1, 16);
    v128.store(q, a2, 32);
    v128.store(q, a3, 48);
    v128.store(q, a4, 64);
    v128.store(q, a5, 80);
    v128.store(q, a6, 96);
    a0 = f32x4.splat(0);
    a1 = a0;
    a2 = a0;
    a3 = a0;
    a4 = a0;
    a5 = a0;
    a6 = a0;
    for (let lp = to0; lp < to1; lp += 8) {
      const s = v128.load32_splat(lp, 4),
        xp = base1 + load<u32>(lp) + io;
      a0 = madd(s, v128.load(xp), a0);
      a1 = madd(s, v128.load(xp, 16), a1);
      a2 = madd(s, v128.load(xp, 32), a2);
      a3 = madd(s, v128.load(xp, 48), a3);
      a4 = madd(s, v128.load(xp, 64), a4);
      a5 = madd(s, v128.load(xp, 80), a5);
      a6 = madd(s, v128.load(xp, 96), a6);
    }
    stepFour(p, g, v, io, a0);
    stepFour(p, g, v, io + 16, a1);
    stepFour(p, g, v, io + 32, a2);
    stepFour(p, g, v, io + 48, a3);
    stepFour(p, g, v, io + 64, a4);
    stepFour(p, g, v, io + 80, a5);
    stepFour(p, g, v, io + 96, a6);
  }
  for (; i < I; i += 4) {
    const io = (<usize>i) << 2;
    const zero = f32x4.splat(0);
    v128.store(g + io, sum4(from0, to0, base0, io, zero));
    stepFour(p, g, v, io, sum4(to0, to1, base1, io, zero));
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
  lrv = f32x4.splat(lr);
  muv = f32x4.splat(mu);
  wdv = f32x4.splat(wd);
  momentum = mu > 0;
  const IB = (<usize>I) << 2;
  for (let o = 0; o < O; o++) {
    const column = (<usize>o) << 2;
    const to0 = unitList(scratch, dOut0 + column, OS, B0, <u32>IB);
    const to1 = unitList(to0, dOut1 + column, OS, B1, <u32>IB);
    const row = <usize>o * IB;
    unitRow(p + row, g + row, momentum ? v + row : 0, scratch, to0, to1, inp0, inp1, I);
  }
  return 1;
}
