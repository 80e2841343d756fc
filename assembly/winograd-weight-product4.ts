// The Winograd backward pass's weight-gradient product for F(4x4, 5x5) (winograd-backward.ts; the
// Caffe LeNet-5's second convolution), with vectors of four input channels instead of four images.
// Its tiles are few (4 per image on an 8x8 output), so the lane-by-lane product (productWeights in
// winograd-gradients.ts, as F(2x2, 5x5) keeps on its 26 tiles) made chains of four multiply-adds,
// each read and written back to a vector of dU: 1 MB for that layer, more than a core's L2 cache,
// read again and summed over its lanes by the weight gradient's transform. Here each transformed
// value's V is first turned around (vectors of images into rows of channels, Vt below), and each
// sum runs over every tile and image of the group, sixteen multiply-adds of one output channel's
// dM, broadcast from memory, by a row of channels, as the input gradient's product
// (winograd-input-product.ts) does; dU holds one float per transformed value, output and input
// channel, a quarter of the room, and the weight gradient's transform (weightGradient8) reads it
// as it is (four input channels' weights at a time: addColumns). The product and that transform
// together took 213 µs of the Caffe LeNet-5's conv2 backward pass on 8 images and take 135. The
// sums run in another order than lane by lane (each group's tiles and images in turn, then the
// groups): the same bits on one thread and on two, which run the same groups.
import { madd, putColumns } from './simd';

// Input channels rounded up to a multiple of 4: a row of Vt and of dU (the channels past C zero).
@inline export function channels4(C: i32): i32 {
  return (C + 3) & ~3;
}

// dU[xi][oc][c] += sum over the group's tiles t and images l of dM[xi][oc][t][l] V[xi][c][t][l]
// (dU in floats, rows of channels4(C)): four output channels by two vectors of channels at a time,
// the last vector (of an odd count) by itself. Eight sums in registers at most: with ten, V8 kept
// two on the stack. Vt: room for 4 * TP rows of channels4(C) floats (in the scratch's dV, free
// until the input gradient's product).
export function productWeightsByChannel(
  dU: usize,
  M: usize,
  V: usize,
  Vt: usize,
  C: i32,
  OC: i32,
  TP: i32,
  XI: i32,
): void {
  const C4 = channels4(C),
    S = TP << 2,
    MX = (<usize>(OC * TP)) << 4,
    VX = (<usize>(C * TP)) << 4,
    MO = (<usize>TP) << 4,
    VS = (<usize>C4) << 2;
  for (let xi = 0; xi < XI; xi++) {
    turnAround(Vt, V + <usize>xi * VX, C, TP);
    const Mx = M + <usize>xi * MX,
      Ux = dU + ((<usize>(xi * OC * C4)) << 2);
    for (let oc = 0; oc < OC; oc += 4) {
      // past the last output channel, a block repeats it and does not store it
      const n = OC - oc < 4 ? OC - oc : 4;
      const m0 = Mx + <usize>oc * MO,
        m1 = n > 1 ? m0 + MO : m0,
        m2 = n > 2 ? m0 + 2 * MO : m0,
        m3 = n > 3 ? m0 + 3 * MO : m0;
      const u = Ux + ((<usize>(oc * C4)) << 2);
      let c = 0;
      for (; c + 8 <= C4; c += 8) twoVectors(m0, m1, m2, m3, u, n, c, Vt, VS, S);
      if (c < C4) oneVector(m0, m1, m2, m3, u, n, c, Vt, VS, S);
    }
  }
}

// Vt[t * 4 + l][c] = V[c][t]'s lane l (image l of the group), for one transformed value's V (C rows
// of TP vectors); channels past C zero.
function turnAround(Vt: usize, V: usize, C: i32, TP: i32): void {
  const C4 = channels4(C),
    MO = (<usize>TP) << 4,
    VS = (<usize>C4) << 2,
    zero = f32x4.splat(0);
  for (let t = 0; t < TP; t++)
    for (let c = 0; c < C4; c += 4) {
      const p = V + ((<usize>(c * TP + t)) << 4);
      const r0 = v128.load(p),
        r1 = c + 1 < C ? v128.load(p + MO) : zero,
        r2 = c + 2 < C ? v128.load(p + 2 * MO) : zero,
        r3 = c + 3 < C ? v128.load(p + 3 * MO) : zero;
      putColumns(r0, r1, r2, r3, Vt + <usize>(t << 2) * VS + ((<usize>c) << 2), VS, 0);
    }
}

// d += a, for the block's output channel k if it is stored (n: how many are; u: where the first
// one's row of dU starts, the others UO bytes apart).
@inline function addTo(u: usize, UO: usize, n: i32, k: i32, c: i32, a: v128): void {
  if (k >= n) return;
  const d = u + <usize>k * UO + ((<usize>c) << 2);
  v128.store(d, f32x4.add(v128.load(d), a));
}

// A block's sums for channels c..c+7: its output channels' dM rows m0..m3 (S floats each; n of them
// stored, from u in dU, rows VS bytes apart as Vt's).
@inline function twoVectors(
  m0: usize,
  m1: usize,
  m2: usize,
  m3: usize,
  u: usize,
  n: i32,
  c: i32,
  Vt: usize,
  VS: usize,
  S: i32,
): void {
  let a0 = f32x4.splat(0),
    a1 = a0,
    a2 = a0,
    a3 = a0,
    b0 = a0,
    b1 = a0,
    b2 = a0,
    b3 = a0;
  let q = Vt + ((<usize>c) << 2);
  for (let o: usize = 0; o < (<usize>S) << 2; o += 4) {
    const x = v128.load(q),
      y = v128.load(q, 16);
    let g = v128.load32_splat(m0 + o);
    a0 = madd(g, x, a0);
    b0 = madd(g, y, b0);
    g = v128.load32_splat(m1 + o);
    a1 = madd(g, x, a1);
    b1 = madd(g, y, b1);
    g = v128.load32_splat(m2 + o);
    a2 = madd(g, x, a2);
    b2 = madd(g, y, b2);
    g = v128.load32_splat(m3 + o);
    a3 = madd(g, x, a3);
    b3 = madd(g, y, b3);
    q += VS;
  }
  addTo(u, VS, n, 0, c, a0);
  addTo(u, VS, n, 1, c, a1);
  addTo(u, VS, n, 2, c, a2);
  addTo(u, VS, n, 3, c, a3);
  addTo(u, VS, n, 0, c + 4, b0);
  addTo(u, VS, n, 1, c + 4, b1);
  addTo(u, VS, n, 2, c + 4, b2);
  addTo(u, VS, n, 3, c + 4, b3);
}

// The block's sums for channels c..c+3 (as twoVectors' first half). Four chains only: with eight
// (the even steps and the odd ones) V8 kept two of them on the stack, twice as slow.
@inline function oneVector(
  m0: usize,
  m1: usize,
  m2: usize,
  m3: usize,
  u: usize,
  n: i32,
  c: i32,
  Vt: usize,
  VS: usize,
  S: i32,
): void {
  let a0 = f32x4.splat(0),
    a1 = a0,
    a2 = a0,
    a3 = a0;
  let q = Vt + ((<usize>c) << 2);
  for (let o: usize = 0; o < (<usize>S) << 2; o += 4) {
    const x = v128.load(q);
    a0 = madd(v128.load32_splat(m0 + o), x, a0);
    a1 = madd(v128.load32_splat(m1 + o), x, a1);
    a2 = madd(v128.load32_splat(m2 + o), x, a2);
    a3 = madd(v128.load32_splat(m3 + o), x, a3);
    q += VS;
  }
  addTo(u, VS, n, 0, c, a0);
  addTo(u, VS, n, 1, c, a1);
  addTo(u, VS, n, 2, c, a2);
  addTo(u, VS, n, 3, c, a3);
}
