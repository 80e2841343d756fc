// The dense layer's backward pass: dW and dB set from the batch, dInp set (when asked).
import { madd, put } from './simd';
import { countNonzero, denseInputGradSparse, denseWeightGradSparse } from './dense-sparse';
import { inputListsFit, listsFit, sparseInputGrad, sparseWeightGrad } from './dense-sparse';

export function denseBackward(
  dInp: usize,
  dW: usize,
  dB: usize,
  dOut: usize,
  inp: usize,
  w: usize,
  B: i32,
  I: i32,
  O: i32,
  scratch: usize,
): void {
  for (let o = 0; o < O; o++) {
    let sb: f32 = 0;
    for (let n = 0; n < B; n++) sb += load<f32>(dOut + ((<usize>(n * O + o)) << 2));
    store<f32>(dB + ((<usize>o) << 2), <f32>0 + sb);
  }
  if (I > 0 && listsFit(B, 0) && sparseWeightGrad(countNonzero(dOut, B * O), B * O))
    denseWeightGradSparse(dW, dOut, inp, B, I, O, scratch);
  else denseWeightGrad(dW, dOut, inp, B, I, O);
  if (dInp != 0) denseInputGrad(dInp, dOut, O, w, B, I, O, 0, scratch);
}

// dW[o, i] = sum_n g[n, o] * x[n, i] for every output and input.
function denseWeightGrad(dW: usize, dOut: usize, inp: usize, B: i32, I: i32, O: i32): void {
  const OB = (<usize>O) << 2,
    IB = (<usize>I) << 2,
    I8 = I & ~7,
    O4 = O & ~3;
  // dW[o, i] = sum_n g[n, o] * x[n, i]: four outputs by eight inputs at a time, in registers over
  // the batch
  for (let o = 0; o < O4; o += 4) {
    const d0 = dW + ((<usize>(o * I)) << 2),
      d1 = d0 + IB,
      d2 = d1 + IB,
      d3 = d2 + IB;
    for (let i = 0; i < I8; i += 8) {
      const io = (<usize>i) << 2;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0,
        c0 = a0,
        c1 = a0,
        c2 = a0,
        c3 = a0;
      let gp = dOut + ((<usize>o) << 2),
        xp = inp + io;
      for (let n = 0; n < B; n++) {
        const u = v128.load(xp),
          v = v128.load(xp, 16);
        let s = v128.load32_splat(gp);
        a0 = madd(s, u, a0);
        c0 = madd(s, v, c0);
        s = v128.load32_splat(gp, 4);
        a1 = madd(s, u, a1);
        c1 = madd(s, v, c1);
        s = v128.load32_splat(gp, 8);
        a2 = madd(s, u, a2);
        c2 = madd(s, v, c2);
        s = v128.load32_splat(gp, 12);
        a3 = madd(s, u, a3);
        c3 = madd(s, v, c3);
        gp += OB;
        xp += IB;
      }
      v128.store(d0 + io, a0);
      v128.store(d1 + io, a1);
      v128.store(d2 + io, a2);
      v128.store(d3 + io, a3);
      v128.store(d0 + io, c0, 16);
      v128.store(d1 + io, c1, 16);
      v128.store(d2 + io, c2, 16);
      v128.store(d3 + io, c3, 16);
    }
    for (let k = 0; k < 4; k++) denseGradRow(dW, dOut, inp, B, I, O, o + k, I8);
  }
  for (let o = O4; o < O; o++) denseGradRow(dW, dOut, inp, B, I, O, o, 0);
}

// dInp[n, i] = sum_o g[n, o] * w[o, i] for the O outputs whose weight rows start at w and whose
// gradients start at dOut, rows OS floats apart (O, or more for a range of a layer's outputs);
// with `add`, added to what dInp holds (the two ranges of a split layer: nn/layer-passes.ts). Four
// images by eight inputs at a time, in registers over the outputs.
export function denseInputGrad(
  dInp: usize,
  dOut: usize,
  OS: i32,
  w: usize,
  B: i32,
  I: i32,
  O: i32,
  add: i32,
  scratch: usize,
): void {
  if (inputListsFit(B, I, O, add) && sparseInputGrad(nonzeroRows(dOut, OS, B, O), B * O)) {
    denseInputGradSparse(dInp, dOut, OS, w, B, I, O, add, scratch);
    return;
  }
  const OB = (<usize>OS) << 2,
    IB = (<usize>I) << 2,
    I8 = I & ~7;
  const quads = B & ~3;
  // each block of eight inputs for every four images in turn, while the block's part of the weight
  // rows is in the nearest cache (images outside, the rows were read from memory once per four)
  for (let i = 0; i < I8; i += 8)
    for (let n = 0; n < quads; n += 4) {
      const g0 = dOut + ((<usize>(n * OS)) << 2),
        g1 = g0 + OB,
        g2 = g1 + OB,
        g3 = g2 + OB;
      const e0 = dInp + ((<usize>(n * I)) << 2),
        e1 = e0 + IB,
        e2 = e1 + IB,
        e3 = e2 + IB;
      const io = (<usize>i) << 2;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0,
        c0 = a0,
        c1 = a0,
        c2 = a0,
        c3 = a0;
      let wp = w + io;
      for (let o = 0; o < O; o++) {
        const oo = (<usize>o) << 2,
          u = v128.load(wp),
          v = v128.load(wp, 16);
        let s = v128.load32_splat(g0 + oo);
        a0 = madd(s, u, a0);
        c0 = madd(s, v, c0);
        s = v128.load32_splat(g1 + oo);
        a1 = madd(s, u, a1);
        c1 = madd(s, v, c1);
        s = v128.load32_splat(g2 + oo);
        a2 = madd(s, u, a2);
        c2 = madd(s, v, c2);
        s = v128.load32_splat(g3 + oo);
        a3 = madd(s, u, a3);
        c3 = madd(s, v, c3);
        wp += IB;
      }
      put(e0 + io, a0, add);
      put(e1 + io, a1, add);
      put(e2 + io, a2, add);
      put(e3 + io, a3, add);
      put(e0 + io + 16, c0, add);
      put(e1 + io + 16, c1, add);
      put(e2 + io + 16, c2, add);
      put(e3 + io + 16, c3, add);
    }
  for (let n = 0; n < quads; n++) denseInputGradRow(dInp, dOut, OS, w, I, O, n, I8, add);
  for (let n = quads; n < B; n++) denseInputGradRow(dInp, dOut, OS, w, I, O, n, 0, add);
}

// The nonzero values among the first O of B rows OS floats apart at p.
function nonzeroRows(p: usize, OS: i32, B: i32, O: i32): i32 {
  let count = 0;
  for (let n = 0; n < B; n++) count += countNonzero(p + <usize>(n * OS) * 4, O);
  return count;
}

// dW[o, i] = sum_n g[n, o] * x[n, i] for one output o and i from i0.
@inline function denseGradRow(
  dW: usize,
  dOut: usize,
  inp: usize,
  B: i32,
  I: i32,
  O: i32,
  o: i32,
  i0: i32,
): void {
  const OB = (<usize>O) << 2,
    IB = (<usize>I) << 2,
    I4 = I & ~3,
    dwr = dW + ((<usize>(o * I)) << 2);
  let i = i0;
  for (; i < I4; i += 4) {
    const q = dwr + ((<usize>i) << 2);
    let acc = f32x4.splat(0);
    let gp = dOut + ((<usize>o) << 2),
      xp = inp + ((<usize>i) << 2);
    for (let n = 0; n < B; n++) {
      acc = madd(v128.load32_splat(gp), v128.load(xp), acc);
      gp += OB;
      xp += IB;
    }
    v128.store(q, acc);
  }
  for (; i < I; i++) {
    const q = dwr + ((<usize>i) << 2);
    let acc: f32 = 0;
    for (let n = 0; n < B; n++)
      acc +=
        load<f32>(dOut + ((<usize>(n * O + o)) << 2)) *
        load<f32>(inp + ((<usize>(n * I + i)) << 2));
    store<f32>(q, acc);
  }
}

// dInp[n, i] = sum_o g[n, o] * w[o, i] for one image n and i from i0.
@inline function denseInputGradRow(
  dInp: usize,
  dOut: usize,
  OS: i32,
  w: usize,
  I: i32,
  O: i32,
  n: i32,
  i0: i32,
  add: i32,
): void {
  const IB = (<usize>I) << 2,
    I4 = I & ~3,
    d = dInp + ((<usize>(n * I)) << 2),
    gr = dOut + ((<usize>(n * OS)) << 2);
  let i = i0;
  for (; i < I4; i += 4) {
    let acc = f32x4.splat(0);
    let wp = w + ((<usize>i) << 2);
    for (let o = 0; o < O; o++) {
      acc = madd(v128.load32_splat(gr + ((<usize>o) << 2)), v128.load(wp), acc);
      wp += IB;
    }
    put(d + ((<usize>i) << 2), acc, add);
  }
  for (; i < I; i++) {
    let acc: f32 = 0;
    for (let o = 0; o < O; o++)
      acc += load<f32>(gr + ((<usize>o) << 2)) * load<f32>(w + ((<usize>(o * I + i)) << 2));
    const q = d + ((<usize>i) << 2);
    store<f32>(q, add ? load<f32>(q) + acc : acc);
  }
}
