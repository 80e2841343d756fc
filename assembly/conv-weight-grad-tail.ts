// The bias gradient of a convolution (every backward path's), and the part of a first layer's
// weight gradient (conv-weight-grad.ts) that does not fill its blocks of two channels by four rows.
// Both keep eight sums in flight where one channel at a time had one or two, each waiting on the
// add before it: the bias sums four channels side by side, and for four channels at a time the
// bias sums run beside the last R % 4 rows' sums. Every sum adds the same values in the same order
// as before, so the bits are the same.
import { madd, hsum } from './simd';

@inline function addTo(at: usize, v: v128): void {
  store<f32>(at, load<f32>(at) + hsum(v));
}

// dB[oc] += the sum of g's row oc (OC rows of n floats, n a multiple of 4), four rows at a time.
export function addBiasGrad(dB: usize, g: usize, OC: i32, n: i32): void {
  const NB = (<usize>n) << 2;
  let oc = 0;
  for (; oc + 4 <= OC; oc += 4) {
    const g0 = g + <usize>oc * NB,
      g1 = g0 + NB,
      g2 = g1 + NB,
      g3 = g2 + NB;
    let b0 = f32x4.splat(0),
      b1 = b0,
      b2 = b0,
      b3 = b0;
    for (let p: usize = 0; p < NB; p += 16) {
      b0 = f32x4.add(b0, v128.load(g0 + p));
      b1 = f32x4.add(b1, v128.load(g1 + p));
      b2 = f32x4.add(b2, v128.load(g2 + p));
      b3 = f32x4.add(b3, v128.load(g3 + p));
    }
    const e0 = dB + ((<usize>oc) << 2);
    addTo(e0, b0);
    addTo(e0 + 4, b1);
    addTo(e0 + 8, b2);
    addTo(e0 + 12, b3);
  }
  for (; oc < OC; oc++) {
    const gr = g + <usize>oc * NB;
    let acc = f32x4.splat(0);
    for (let p: usize = 0; p < NB; p += 16) acc = f32x4.add(acc, v128.load(gr + p));
    addTo(dB + ((<usize>oc) << 2), acc);
  }
}

// dW[oc, r] += sum over positions of g[oc, p] * x at p + off[r], for oc in [from, to) and one r.
function lastRow(
  dW: usize,
  g: usize,
  x: usize,
  from: i32,
  to: i32,
  r: i32,
  R: i32,
  P: i32,
  OH: i32,
  Q: i32,
  WB: usize,
  off: usize,
): void {
  const o0 = <usize>load<i32>(off + ((<usize>r) << 2));
  for (let oc = from; oc < to; oc++) {
    const g0 = g + ((<usize>(oc * P)) << 2);
    let a0 = f32x4.splat(0);
    let gp: usize = 0,
      xr = x;
    for (let oy = 0; oy < OH; oy++) {
      for (let q = 0; q < Q; q++) {
        a0 = madd(v128.load(g0 + gp), v128.load(xr + ((<usize>q) << 4) + o0), a0);
        gp += 16;
      }
      xr += WB;
    }
    addTo(dW + ((<usize>(oc * R + r)) << 2), a0);
  }
}

// One image: the bias gradient of channels [0, OC), rows [R & ~3, R) of the channels in blocks of
// two (OC2 = OC & ~1), and every row of an odd last channel. `g` is the image's output gradient
// (OC planes of P = OH * 4Q floats), `x` its input (rows WB bytes apart), `off` each row's byte
// offset into it.
export function biasAndTailRows(
  dW: usize,
  dB: usize,
  g: usize,
  x: usize,
  OC: i32,
  R: i32,
  P: i32,
  OH: i32,
  Q: i32,
  WB: usize,
  off: usize,
): void {
  const OC2 = OC & ~1,
    R4 = R & ~3,
    PB = (<usize>P) << 2;
  let oc = 0;
  if (R4 < R)
    for (; oc + 4 <= OC2; oc += 4) {
      const g0 = g + ((<usize>(oc * P)) << 2),
        g1 = g0 + PB,
        g2 = g1 + PB,
        g3 = g2 + PB;
      const o0 = <usize>load<i32>(off + ((<usize>R4) << 2));
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0,
        b0 = a0,
        b1 = a0,
        b2 = a0,
        b3 = a0;
      let gp: usize = 0,
        xr = x;
      for (let oy = 0; oy < OH; oy++) {
        for (let q = 0; q < Q; q++) {
          const t = v128.load(xr + ((<usize>q) << 4) + o0);
          const u0 = v128.load(g0 + gp),
            u1 = v128.load(g1 + gp),
            u2 = v128.load(g2 + gp),
            u3 = v128.load(g3 + gp);
          a0 = madd(u0, t, a0);
          b0 = f32x4.add(b0, u0);
          a1 = madd(u1, t, a1);
          b1 = f32x4.add(b1, u1);
          a2 = madd(u2, t, a2);
          b2 = f32x4.add(b2, u2);
          a3 = madd(u3, t, a3);
          b3 = f32x4.add(b3, u3);
          gp += 16;
        }
        xr += WB;
      }
      const d0 = dW + ((<usize>(oc * R + R4)) << 2),
        RB = (<usize>R) << 2;
      addTo(d0, a0);
      addTo(d0 + RB, a1);
      addTo(d0 + 2 * RB, a2);
      addTo(d0 + 3 * RB, a3);
      const e0 = dB + ((<usize>oc) << 2);
      addTo(e0, b0);
      addTo(e0 + 4, b1);
      addTo(e0 + 8, b2);
      addTo(e0 + 12, b3);
      for (let r = R4 + 1; r < R; r++) lastRow(dW, g, x, oc, oc + 4, r, R, P, OH, Q, WB, off);
    }
  addBiasGrad(dB + ((<usize>oc) << 2), g + <usize>oc * PB, OC - oc, P);
  for (let r = R4; r < R; r++) lastRow(dW, g, x, oc, OC2, r, R, P, OH, Q, WB, off);
  for (let r = 0; r < R && OC2 < OC; r++) lastRow(dW, g, x, OC2, OC, r, R, P, OH, Q, WB, off);
}
