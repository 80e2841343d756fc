// 5x5 convolutions (stride 1, no padding, even output sides, four or more input channels: LeNet-5's
// second layer) by the Winograd minimal filtering algorithm F(2x2, 5x5) (Lavin & Gray, 2016): each
// 2x2 block of outputs is A^T [sum_c (G g G^T) . (B^T d B)] A over a 6x6 block of input, 36
// multiplications per channel pair instead of 100. The backward pass works in the same transformed
// domain: dU = sum over tiles of dM . V gives the weight gradient as G^T dU G, and dV = U^T dM the
// input gradient as B dV B^T, added over overlapping tiles; dM = A dY A^T.
//
// The points are 0, 1, -1, 2, -2 and infinity. The rows of B^T are scaled to integers and the rows
// of G by the inverse factors, so that the input transforms are additions and small multiples:
//   B^T = [4 0 -5 0 1 0; 0 4 4 -1 -1 0; 0 -4 4 1 -1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0 0 0; 1/6 1/6 1/6 1/6 1/6; 1/6 -1/6 1/6 -1/6 1/6;
//          1/24 1/12 1/6 1/3 2/3; 1/24 -1/12 1/6 -1/3 2/3; 0 0 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
// Results differ from the direct convolution by float32 rounding (about 1e-6 relative; tested
// against the reference kernels).
//
// Four images at a time, one per SIMD lane: a group's inputs are first interleaved ([C, H, W] of
// 4-image vectors), so every transform is the scalar algorithm on vectors and no shuffles are
// needed. Batches that are not a multiple of 4 leave lanes of zeros. Scratch layout (bytes from
// `scratch`, every part 16-aligned), T = tiles per image, TP = T rounded up to even:
//   Xi [C*H*W] vectors, U [36][C][OC] floats, V [36][C][TP] vectors, M [36][OC][TP] vectors,
//   E [6][W] vectors, tmp 64 vectors, Yi or dYi [OC*OH*OW] vectors (outputs or their gradient,
//   interleaved); backward also dV [36][C][TP] and dU [36][C][OC] vectors.
import { hsum, hsum4, madd, tanh4 } from './simd';

// With fewer than four input channels the transforms cost more than the multiplications they save.
// A group's scratch must fit the kernels' fixed scratch region (SCRATCH in src/engine/wasm.ts).
export function winogradApplies(C: i32, H: i32, W: i32, K: i32, OC: i32): bool {
  return (
    K == 5 &&
    C >= 4 &&
    H >= 6 &&
    W >= 6 &&
    ((H - 4) & 1) == 0 &&
    ((W - 4) & 1) == 0 &&
    winogradScratchFloats(C, H, W, OC) <= 1 << 19
  );
}

@inline function tilesPadded(H: i32, W: i32): i32 {
  return (((H - 4) >> 1) * ((W - 4) >> 1) + 1) & ~1;
}
@inline function align4(n: i32): i32 {
  return (n + 3) & ~3;
}

export function winogradScratchFloats(C: i32, H: i32, W: i32, OC: i32): i32 {
  const TP = tilesPadded(H, W),
    P = (H - 4) * (W - 4);
  return (
    4 * C * H * W +
    align4(36 * C * OC) +
    4 * 36 * C * TP +
    4 * 36 * OC * TP +
    4 * 6 * W +
    4 * 64 +
    4 * OC * P +
    4 * 36 * C * TP +
    4 * 36 * C * OC
  );
}

// --- one-dimensional transforms on vectors (s, d: byte addresses; ss, ds: byte strides) ---

// d[0..5] = B^T s[0..5]
@inline function bt(s: usize, ss: usize, d: usize, ds: usize): void {
  const d0 = v128.load(s),
    d1 = v128.load(s + ss),
    d2 = v128.load(s + 2 * ss);
  const d3 = v128.load(s + 3 * ss),
    d4 = v128.load(s + 4 * ss),
    d5 = v128.load(s + 5 * ss);
  const four = f32x4.splat(4),
    five = f32x4.splat(5);
  const a = f32x4.add(d1, d2),
    b = f32x4.add(d3, d4),
    e = f32x4.sub(d2, d1),
    f = f32x4.sub(d3, d4);
  const g = f32x4.sub(d4, d2),
    h = f32x4.sub(d3, d1),
    h2 = f32x4.add(h, h);
  v128.store(d, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(d + ds, f32x4.sub(f32x4.mul(four, a), b));
  v128.store(d + 2 * ds, f32x4.add(f32x4.mul(four, e), f));
  v128.store(d + 3 * ds, f32x4.add(h2, g));
  v128.store(d + 4 * ds, f32x4.sub(g, h2));
  v128.store(d + 5 * ds, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

// d[0..5] += B s[0..5] (the transpose of bt)
@inline function btT(s: usize, ss: usize, d: usize, ds: usize): void {
  const v0 = v128.load(s),
    v1 = v128.load(s + ss),
    v2 = v128.load(s + 2 * ss);
  const v3 = v128.load(s + 3 * ss),
    v4 = v128.load(s + 4 * ss),
    v5 = v128.load(s + 5 * ss);
  const four = f32x4.splat(4),
    five = f32x4.splat(5);
  const a = f32x4.sub(v3, v4),
    b = f32x4.add(v3, v4),
    c = f32x4.add(v1, v2),
    e = f32x4.sub(v2, v1);
  const o0 = f32x4.mul(four, v0);
  const o1 = f32x4.sub(f32x4.mul(four, f32x4.sub(v5, e)), f32x4.add(a, a));
  const o2 = f32x4.sub(f32x4.sub(f32x4.mul(four, c), f32x4.mul(five, v0)), b);
  const o3 = f32x4.sub(f32x4.add(e, f32x4.add(a, a)), f32x4.mul(five, v5));
  const o4 = f32x4.add(f32x4.sub(v0, c), b);
  v128.store(d, f32x4.add(v128.load(d), o0));
  v128.store(d + ds, f32x4.add(v128.load(d + ds), o1));
  v128.store(d + 2 * ds, f32x4.add(v128.load(d + 2 * ds), o2));
  v128.store(d + 3 * ds, f32x4.add(v128.load(d + 3 * ds), o3));
  v128.store(d + 4 * ds, f32x4.add(v128.load(d + 4 * ds), o4));
  v128.store(d + 5 * ds, f32x4.add(v128.load(d + 5 * ds), v5));
}

// d[0..5] = A s[0..1] (the transpose of at)
@inline function atT(y0: v128, y1: v128, d: usize, ds: usize): void {
  const y2 = f32x4.add(y1, y1);
  v128.store(d, y0);
  v128.store(d + ds, f32x4.add(y0, y1));
  v128.store(d + 2 * ds, f32x4.sub(y0, y1));
  v128.store(d + 3 * ds, f32x4.add(y0, y2));
  v128.store(d + 4 * ds, f32x4.sub(y0, y2));
  v128.store(d + 5 * ds, y1);
}

const SIXTH: f32 = 1.0 / 6,
  TWENTYFOURTH: f32 = 1.0 / 24;

// scalar: d[0..5] = G s[0..4]
@inline function gs(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = load<f32>(s),
    x1 = load<f32>(s + ss),
    x2 = load<f32>(s + 2 * ss),
    x3 = load<f32>(s + 3 * ss),
    x4 = load<f32>(s + 4 * ss);
  const e: f32 = x0 + x2 + x4,
    o: f32 = x1 + x3,
    e4: f32 = x0 + 4 * x2 + 16 * x4,
    o4: f32 = x1 * 2 + x3 * 8;
  store<f32>(d, x0 * 0.25);
  store<f32>(d + ds, (e + o) * SIXTH);
  store<f32>(d + 2 * ds, (e - o) * SIXTH);
  store<f32>(d + 3 * ds, (e4 + o4) * TWENTYFOURTH);
  store<f32>(d + 4 * ds, (e4 - o4) * TWENTYFOURTH);
  store<f32>(d + 5 * ds, x4);
}

// scalar: d[0..4] = G^T s[0..5]
@inline function gsT(s: usize, ss: usize, d: usize, ds: usize): void {
  const u0 = load<f32>(s),
    u1 = load<f32>(s + ss),
    u2 = load<f32>(s + 2 * ss),
    u3 = load<f32>(s + 3 * ss),
    u4 = load<f32>(s + 4 * ss),
    u5 = load<f32>(s + 5 * ss);
  const p: f32 = (u1 + u2) * SIXTH,
    m: f32 = (u1 - u2) * SIXTH,
    q: f32 = (u3 + u4) * TWENTYFOURTH,
    n: f32 = (u3 - u4) * TWENTYFOURTH;
  store<f32>(d, u0 * 0.25 + p + q);
  store<f32>(d + ds, m + 2 * n);
  store<f32>(d + 2 * ds, p + 4 * q);
  store<f32>(d + 3 * ds, m + 8 * n);
  store<f32>(d + 4 * ds, p + 16 * q + u5);
}

// d[0..5] = G s[0..4] on vectors (the same operations as gs, lane by lane)
@inline function gsv(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s),
    x1 = v128.load(s + ss),
    x2 = v128.load(s + 2 * ss),
    x3 = v128.load(s + 3 * ss),
    x4 = v128.load(s + 4 * ss);
  const e = f32x4.add(f32x4.add(x0, x2), x4),
    o = f32x4.add(x1, x3);
  const e4 = f32x4.add(
    f32x4.add(x0, f32x4.mul(f32x4.splat(4), x2)),
    f32x4.mul(f32x4.splat(16), x4),
  );
  const o4 = f32x4.add(f32x4.mul(x1, f32x4.splat(2)), f32x4.mul(x3, f32x4.splat(8)));
  const sixth = f32x4.splat(SIXTH),
    tf = f32x4.splat(TWENTYFOURTH);
  v128.store(d, f32x4.mul(x0, f32x4.splat(0.25)));
  v128.store(d + ds, f32x4.mul(f32x4.add(e, o), sixth));
  v128.store(d + 2 * ds, f32x4.mul(f32x4.sub(e, o), sixth));
  v128.store(d + 3 * ds, f32x4.mul(f32x4.add(e4, o4), tf));
  v128.store(d + 4 * ds, f32x4.mul(f32x4.sub(e4, o4), tf));
  v128.store(d + 5 * ds, x4);
}

// d[0..4] = G^T s[0..5] on vectors
@inline function gsTv(s: usize, ss: usize, d: usize, ds: usize): void {
  const u0 = v128.load(s),
    u1 = v128.load(s + ss),
    u2 = v128.load(s + 2 * ss),
    u3 = v128.load(s + 3 * ss),
    u4 = v128.load(s + 4 * ss),
    u5 = v128.load(s + 5 * ss);
  const sixth = f32x4.splat(SIXTH),
    tf = f32x4.splat(TWENTYFOURTH);
  const p = f32x4.mul(f32x4.add(u1, u2), sixth),
    m = f32x4.mul(f32x4.sub(u1, u2), sixth);
  const q = f32x4.mul(f32x4.add(u3, u4), tf),
    n = f32x4.mul(f32x4.sub(u3, u4), tf);
  v128.store(d, f32x4.add(f32x4.add(f32x4.mul(u0, f32x4.splat(0.25)), p), q));
  v128.store(d + ds, f32x4.add(m, f32x4.mul(f32x4.splat(2), n)));
  v128.store(d + 2 * ds, f32x4.add(p, f32x4.mul(f32x4.splat(4), q)));
  v128.store(d + 3 * ds, f32x4.add(m, f32x4.mul(f32x4.splat(8), n)));
  v128.store(d + 4 * ds, f32x4.add(f32x4.add(p, f32x4.mul(f32x4.splat(16), q)), u5));
}

// --- the pieces ---

// U[xi][c][oc] = (G w[oc, c] G^T)[xi], xi = 6 i + j: four output channels at a time (side by side
// in U, so one vector each), the rest one by one.
function weightTransform(U: usize, w: usize, C: i32, OC: i32, tmp: usize): void {
  const UX = (<usize>(C * OC)) << 2,
    WO = (<usize>(C * 25)) << 2,
    OC4 = OC & ~3; // bytes from one xi, one oc to the next
  const Tw = tmp,
    T = tmp + 25 * 16;
  for (let oc = 0; oc < OC4; oc += 4)
    for (let c = 0; c < C; c++) {
      const wp = w + ((<usize>((oc * C + c) * 25)) << 2);
      for (let k = 0; k < 25; k++) {
        const a = wp + ((<usize>k) << 2);
        let v = f32x4.splat(load<f32>(a));
        v = f32x4.replace_lane(v, 1, load<f32>(a + WO));
        v = f32x4.replace_lane(v, 2, load<f32>(a + 2 * WO));
        v = f32x4.replace_lane(v, 3, load<f32>(a + 3 * WO));
        v128.store(Tw + ((<usize>k) << 4), v);
      }
      for (let ky = 0; ky < 5; ky++)
        gsv(Tw + ((<usize>(ky * 5)) << 4), 16, T + ((<usize>(ky * 6)) << 4), 16); // T[ky][j]
      const u = U + ((<usize>(c * OC + oc)) << 2);
      for (let j = 0; j < 6; j++) gsv(T + ((<usize>j) << 4), 96, u + <usize>j * UX, 6 * UX);
    }
  for (let oc = OC4; oc < OC; oc++)
    for (let c = 0; c < C; c++) {
      const wp = w + ((<usize>((oc * C + c) * 25)) << 2);
      for (let ky = 0; ky < 5; ky++)
        gs(wp + ((<usize>(ky * 5)) << 2), 4, tmp + ((<usize>(ky * 6)) << 2), 4); // tmp[ky][j]
      const u = U + ((<usize>(c * OC + oc)) << 2);
      for (let j = 0; j < 6; j++) gs(tmp + ((<usize>j) << 2), 24, u + <usize>j * UX, 6 * UX);
    }
}

// dst[k] = the 4 images n0.. of src (n floats each, `stride` floats apart) at k, as one vector; zeros past B.
function interleave(dst: usize, src: usize, n0: i32, B: i32, n: i32): void {
  const lanes = B - n0 < 4 ? B - n0 : 4;
  if (lanes == 4) {
    const s0 = src + ((<usize>(n0 * n)) << 2),
      SB = (<usize>n) << 2;
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      // 4x4 transposes
      const o = (<usize>k) << 2;
      const a = v128.load(s0 + o),
        b = v128.load(s0 + SB + o),
        c = v128.load(s0 + 2 * SB + o),
        d = v128.load(s0 + 3 * SB + o);
      const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5),
        ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5),
        cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
      const q = dst + ((<usize>k) << 4);
      v128.store(q, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
      v128.store(q, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7), 16);
      v128.store(q, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5), 32);
      v128.store(q, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7), 48);
    }
    for (; k < n; k++)
      for (let l = 0; l < 4; l++)
        store<f32>(
          dst + ((<usize>(k * 4 + l)) << 2),
          load<f32>(src + ((<usize>((n0 + l) * n + k)) << 2)),
        );
    return;
  }
  for (let k = 0; k < n; k++)
    for (let l = 0; l < 4; l++) {
      store<f32>(
        dst + ((<usize>(k * 4 + l)) << 2),
        l < lanes ? load<f32>(src + ((<usize>((n0 + l) * n + k)) << 2)) : 0,
      );
    }
}

// The inverse of interleave: dst image n0 + l, float k = lane l of src[k], for the images present.
function deinterleave(dst: usize, src: usize, n0: i32, B: i32, n: i32): void {
  const lanes = B - n0 < 4 ? B - n0 : 4;
  const d0 = dst + ((<usize>(n0 * n)) << 2),
    DB = (<usize>n) << 2;
  let k = 0;
  if (lanes == 4)
    for (; k + 4 <= n; k += 4) {
      // 4x4 transposes
      const q = src + ((<usize>k) << 4);
      const a = v128.load(q),
        b = v128.load(q, 16),
        c = v128.load(q, 32),
        d = v128.load(q, 48);
      const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5),
        ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5),
        cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
      const o = (<usize>k) << 2;
      v128.store(d0 + o, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
      v128.store(d0 + DB + o, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7));
      v128.store(d0 + 2 * DB + o, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5));
      v128.store(d0 + 3 * DB + o, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7));
    }
  for (let l = 0; l < lanes; l++)
    for (let kk = k; kk < n; kk++)
      store<f32>(
        d0 + <usize>l * DB + ((<usize>kk) << 2),
        load<f32>(src + ((<usize>kk) << 4) + ((<usize>l) << 2)),
      );
}

// V[xi][c][t] = (B^T d B)[xi] for every channel and 6x6 input block (tile t = (ty, tx) at (2ty, 2tx)):
// first B^T down the columns of a band of six rows (E[i][x], shared by the tiles of the band), then
// B^T along the rows of each tile.
function inputTransform(V: usize, Xi: usize, E: usize, C: i32, H: i32, W: i32, TP: i32): void {
  const TY = (H - 4) >> 1,
    TX = (W - 4) >> 1,
    WV = (<usize>W) << 4,
    VX = (<usize>(C * TP)) << 4;
  for (let c = 0; c < C; c++)
    for (let ty = 0; ty < TY; ty++) {
      const band = Xi + <usize>((c * H + 2 * ty) * W) * 16;
      for (let x = 0; x < W; x++) bt(band + ((<usize>x) << 4), WV, E + ((<usize>x) << 4), WV);
      for (let tx = 0; tx < TX; tx++) {
        const v = V + ((<usize>(c * TP + ty * TX + tx)) << 4);
        for (let i = 0; i < 6; i++)
          bt(E + <usize>i * WV + ((<usize>(2 * tx)) << 4), 16, v + <usize>(6 * i) * VX, VX);
      }
    }
}

// M[xi][oc][t] = sum_c U[xi][c][oc] V[xi][c][t]: four output channels by two tiles at a time.
function productForward(M: usize, U: usize, V: usize, C: i32, OC: i32, TP: i32): void {
  const VC = (<usize>TP) << 4,
    UC = (<usize>OC) << 2,
    MO = (<usize>TP) << 4;
  for (let xi = 0; xi < 36; xi++) {
    const Ux = U + ((<usize>(xi * C * OC)) << 2),
      Vx = V + ((<usize>(xi * C * TP)) << 4),
      Mx = M + ((<usize>(xi * OC * TP)) << 4);
    let oc = 0;
    for (; oc + 4 <= OC; oc += 4) {
      for (let t = 0; t < TP; t += 2) {
        let a0 = f32x4.splat(0),
          a1 = a0,
          a2 = a0,
          a3 = a0,
          b0 = a0,
          b1 = a0,
          b2 = a0,
          b3 = a0;
        let vp = Vx + ((<usize>t) << 4),
          up = Ux + ((<usize>oc) << 2);
        for (let c = 0; c < C; c++) {
          const x0 = v128.load(vp),
            x1 = v128.load(vp, 16);
          let s = v128.load32_splat(up);
          a0 = madd(s, x0, a0);
          b0 = madd(s, x1, b0);
          s = v128.load32_splat(up, 4);
          a1 = madd(s, x0, a1);
          b1 = madd(s, x1, b1);
          s = v128.load32_splat(up, 8);
          a2 = madd(s, x0, a2);
          b2 = madd(s, x1, b2);
          s = v128.load32_splat(up, 12);
          a3 = madd(s, x0, a3);
          b3 = madd(s, x1, b3);
          vp += VC;
          up += UC;
        }
        const m = Mx + ((<usize>(oc * TP + t)) << 4);
        v128.store(m, a0);
        v128.store(m, b0, 16);
        v128.store(m + MO, a1);
        v128.store(m + MO, b1, 16);
        v128.store(m + 2 * MO, a2);
        v128.store(m + 2 * MO, b2, 16);
        v128.store(m + 3 * MO, a3);
        v128.store(m + 3 * MO, b3, 16);
      }
    }
    for (; oc < OC; oc++) {
      for (let t = 0; t < TP; t += 2) {
        let a0 = f32x4.splat(0),
          b0 = a0;
        let vp = Vx + ((<usize>t) << 4),
          up = Ux + ((<usize>oc) << 2);
        for (let c = 0; c < C; c++) {
          const s = v128.load32_splat(up);
          a0 = madd(s, v128.load(vp), a0);
          b0 = madd(s, v128.load(vp, 16), b0);
          vp += VC;
          up += UC;
        }
        const m = Mx + ((<usize>(oc * TP + t)) << 4);
        v128.store(m, a0);
        v128.store(m, b0, 16);
      }
    }
  }
}

// A^T's two rows applied to six values: m0 + m1 + m2 + m3 + m4, and (m1 - m2) + 2 (m3 - m4) + m5.
@inline function at0(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.add(m0, m1), f32x4.add(m2, m3)), m4);
}
@inline function at1(m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): v128 {
  const d = f32x4.sub(m3, m4);
  return f32x4.add(f32x4.add(f32x4.sub(m1, m2), f32x4.add(d, d)), m5);
}

// One 2x2 block of outputs: Y = A^T M A + bias (then tanh), M's 36 values MX bytes apart (6 MX
// from one row i to the next): A^T down each of M's six columns j (r0j, r1j), then along the two rows.
// Written out per column: with constant indices every value stays in a register.
@inline function outputTile(
  m: usize,
  MX: usize,
  y: usize,
  rowBytes: usize,
  bias: v128,
  tanh: i32,
): void {
  const S: usize = 6 * MX;
  const q0 = m + 0 * MX;
  const m00 = v128.load(q0),
    m01 = v128.load(q0 + S),
    m02 = v128.load(q0 + 2 * S),
    m03 = v128.load(q0 + 3 * S),
    m04 = v128.load(q0 + 4 * S),
    m05 = v128.load(q0 + 5 * S);
  const r00 = at0(m00, m01, m02, m03, m04),
    r10 = at1(m01, m02, m03, m04, m05);
  const q1 = m + 1 * MX;
  const m10 = v128.load(q1),
    m11 = v128.load(q1 + S),
    m12 = v128.load(q1 + 2 * S),
    m13 = v128.load(q1 + 3 * S),
    m14 = v128.load(q1 + 4 * S),
    m15 = v128.load(q1 + 5 * S);
  const r01 = at0(m10, m11, m12, m13, m14),
    r11 = at1(m11, m12, m13, m14, m15);
  const q2 = m + 2 * MX;
  const m20 = v128.load(q2),
    m21 = v128.load(q2 + S),
    m22 = v128.load(q2 + 2 * S),
    m23 = v128.load(q2 + 3 * S),
    m24 = v128.load(q2 + 4 * S),
    m25 = v128.load(q2 + 5 * S);
  const r02 = at0(m20, m21, m22, m23, m24),
    r12 = at1(m21, m22, m23, m24, m25);
  const q3 = m + 3 * MX;
  const m30 = v128.load(q3),
    m31 = v128.load(q3 + S),
    m32 = v128.load(q3 + 2 * S),
    m33 = v128.load(q3 + 3 * S),
    m34 = v128.load(q3 + 4 * S),
    m35 = v128.load(q3 + 5 * S);
  const r03 = at0(m30, m31, m32, m33, m34),
    r13 = at1(m31, m32, m33, m34, m35);
  const q4 = m + 4 * MX;
  const m40 = v128.load(q4),
    m41 = v128.load(q4 + S),
    m42 = v128.load(q4 + 2 * S),
    m43 = v128.load(q4 + 3 * S),
    m44 = v128.load(q4 + 4 * S),
    m45 = v128.load(q4 + 5 * S);
  const r04 = at0(m40, m41, m42, m43, m44),
    r14 = at1(m41, m42, m43, m44, m45);
  const q5 = m + 5 * MX;
  const m50 = v128.load(q5),
    m51 = v128.load(q5 + S),
    m52 = v128.load(q5 + 2 * S),
    m53 = v128.load(q5 + 3 * S),
    m54 = v128.load(q5 + 4 * S),
    m55 = v128.load(q5 + 5 * S);
  const r05 = at0(m50, m51, m52, m53, m54),
    r15 = at1(m51, m52, m53, m54, m55);
  let y00 = f32x4.add(at0(r00, r01, r02, r03, r04), bias),
    y01 = f32x4.add(at1(r01, r02, r03, r04, r05), bias);
  let y10 = f32x4.add(at0(r10, r11, r12, r13, r14), bias),
    y11 = f32x4.add(at1(r11, r12, r13, r14, r15), bias);
  if (tanh) {
    y00 = tanh4(y00);
    y01 = tanh4(y01);
    y10 = tanh4(y10);
    y11 = tanh4(y11);
  }
  v128.store(y, y00);
  v128.store(y, y01, 16);
  v128.store(y + rowBytes, y10);
  v128.store(y + rowBytes, y11, 16);
}

export function winogradForward(
  out: usize,
  inp: usize,
  w: usize,
  b: usize,
  B: i32,
  C: i32,
  H: i32,
  W: i32,
  OC: i32,
  scratch: usize,
  tanh: i32,
): void {
  const OH = H - 4,
    OW = W - 4,
    P = OH * OW,
    TY = OH >> 1,
    TX = OW >> 1,
    TP = tilesPadded(H, W);
  const Xi = scratch,
    U = Xi + ((<usize>(C * H * W)) << 4),
    V = U + ((<usize>align4(36 * C * OC)) << 2);
  const M = V + ((<usize>(36 * C * TP)) << 4),
    E = M + ((<usize>(36 * OC * TP)) << 4),
    tmp = E + ((<usize>(6 * W)) << 4);
  const Yi = tmp + 64 * 16,
    MX = (<usize>(OC * TP)) << 4; // Yi: outputs, interleaved (where the backward pass keeps dYi)
  weightTransform(U, w, C, OC, tmp);
  if (TP > TY * TX)
    for (let xi = 0; xi < 36; xi++)
      for (let c = 0; c < C; c++)
        v128.store(V + ((<usize>((xi * C + c) * TP + TP - 1)) << 4), f32x4.splat(0));
  for (let n0 = 0; n0 < B; n0 += 4) {
    interleave(Xi, inp, n0, B, C * H * W);
    inputTransform(V, Xi, E, C, H, W, TP);
    productForward(M, U, V, C, OC, TP);
    for (let oc = 0; oc < OC; oc++) {
      const bias = v128.load32_splat(b + ((<usize>oc) << 2));
      for (let ty = 0; ty < TY; ty++)
        for (let tx = 0; tx < TX; tx++) {
          outputTile(
            M + ((<usize>(oc * TP + ty * TX + tx)) << 4),
            MX,
            Yi + ((<usize>(oc * P + 2 * ty * OW + 2 * tx)) << 4),
            (<usize>OW) << 4,
            bias,
            tanh,
          );
        }
    }
    deinterleave(out, Yi, n0, B, OC * P);
  }
}

export function winogradBackward(
  dInp: usize,
  dW: usize,
  dB: usize,
  dOut: usize,
  inp: usize,
  w: usize,
  B: i32,
  C: i32,
  H: i32,
  W: i32,
  OC: i32,
  scratch: usize,
): void {
  const OH = H - 4,
    OW = W - 4,
    P = OH * OW,
    TY = OH >> 1,
    TX = OW >> 1,
    TP = tilesPadded(H, W);
  const Xi = scratch,
    U = Xi + ((<usize>(C * H * W)) << 4),
    V = U + ((<usize>align4(36 * C * OC)) << 2);
  const M = V + ((<usize>(36 * C * TP)) << 4),
    E = M + ((<usize>(36 * OC * TP)) << 4),
    tmp = E + ((<usize>(6 * W)) << 4);
  const dYi = tmp + 64 * 16,
    dV = dYi + ((<usize>(OC * P)) << 4),
    dU = dV + ((<usize>(36 * C * TP)) << 4);
  if (dInp != 0) weightTransform(U, w, C, OC, tmp);
  memory.fill(dU, 0, (<usize>(36 * C * OC)) << 4);
  if (TP > TY * TX)
    for (let xi = 0; xi < 36; xi++) {
      for (let c = 0; c < C; c++)
        v128.store(V + ((<usize>((xi * C + c) * TP + TP - 1)) << 4), f32x4.splat(0));
      for (let oc = 0; oc < OC; oc++)
        v128.store(M + ((<usize>((xi * OC + oc) * TP + TP - 1)) << 4), f32x4.splat(0));
    }
  for (let n = 0; n < B; n++)
    for (let oc = 0; oc < OC; oc++) {
      // bias gradient
      const g = dOut + ((<usize>((n * OC + oc) * P)) << 2);
      let acc = f32x4.splat(0);
      for (let p = 0; p < P; p += 4) acc = f32x4.add(acc, v128.load(g + ((<usize>p) << 2)));
      store<f32>(dB + ((<usize>oc) << 2), load<f32>(dB + ((<usize>oc) << 2)) + hsum(acc));
    }
  for (let n0 = 0; n0 < B; n0 += 4) {
    interleave(Xi, inp, n0, B, C * H * W);
    interleave(dYi, dOut, n0, B, OC * P);
    inputTransform(V, Xi, E, C, H, W, TP);
    outputGradTransform(M, dYi, OC, OH, OW, TP);
    productWeights(dU, M, V, C, OC, TP);
    if (dInp == 0) continue;
    productInput(dV, U, M, C, OC, TP);
    const dXi = Xi; // the interleaved input is no longer needed
    inputGradTransform(dXi, dV, E, C, H, W, TP);
    deinterleave(dInp, dXi, n0, B, C * H * W);
  }
  // dW[oc, c] += G^T dU[., c, oc] G, dU summed over the lanes: four output channels at a time (their
  // lane sums side by side in one vector), in the space of V (free by now)
  const T = V,
    T2 = T + 36 * 16,
    T3 = T2 + 30 * 16;
  const OC4 = OC & ~3;
  for (let c = 0; c < C; c++) {
    for (let oc = 0; oc < OC4; oc += 4) {
      for (let xi = 0; xi < 36; xi++) {
        const u = dU + ((<usize>((xi * C + c) * OC + oc)) << 4);
        v128.store(
          T + ((<usize>xi) << 4),
          hsum4(v128.load(u), v128.load(u, 16), v128.load(u, 32), v128.load(u, 48)),
        );
      }
      for (let i = 0; i < 6; i++)
        gsTv(T + ((<usize>(6 * i)) << 4), 16, T2 + ((<usize>(5 * i)) << 4), 16); // t2[i][kx]
      for (let kx = 0; kx < 5; kx++) gsTv(T2 + ((<usize>kx) << 4), 80, T3 + ((<usize>kx) << 4), 80); // t3[ky][kx]
      for (let l = 0; l < 4; l++) {
        const d = dW + ((<usize>(((oc + l) * C + c) * 25)) << 2),
          t = T3 + ((<usize>l) << 2);
        for (let k = 0; k < 25; k++)
          store<f32>(
            d + ((<usize>k) << 2),
            load<f32>(d + ((<usize>k) << 2)) + load<f32>(t + ((<usize>k) << 4)),
          );
      }
    }
    for (let oc = OC4; oc < OC; oc++) {
      for (let xi = 0; xi < 36; xi++)
        store<f32>(
          tmp + ((<usize>xi) << 2),
          hsum(v128.load(dU + ((<usize>((xi * C + c) * OC + oc)) << 4))),
        );
      for (let i = 0; i < 6; i++)
        gsT(tmp + ((<usize>(6 * i)) << 2), 4, tmp + 256 + ((<usize>(5 * i)) << 2), 4); // t2[i][kx]
      for (let kx = 0; kx < 5; kx++)
        gsT(tmp + 256 + ((<usize>kx) << 2), 20, tmp + 512 + ((<usize>kx) << 2), 20); // t3[ky][kx]
      const d = dW + ((<usize>((oc * C + c) * 25)) << 2);
      for (let k = 0; k < 25; k++)
        store<f32>(
          d + ((<usize>k) << 2),
          load<f32>(d + ((<usize>k) << 2)) + load<f32>(tmp + 512 + ((<usize>k) << 2)),
        );
    }
  }
}

// dM[xi][oc][t] = (A dY A^T)[xi] for every output channel and 2x2 block of output gradient.
function outputGradTransform(M: usize, dYi: usize, OC: i32, OH: i32, OW: i32, TP: i32): void {
  const TY = OH >> 1,
    TX = OW >> 1,
    P = OH * OW,
    MX = (<usize>(OC * TP)) << 4,
    OWV = (<usize>OW) << 4,
    S: usize = 6 * MX;
  for (let oc = 0; oc < OC; oc++)
    for (let ty = 0; ty < TY; ty++)
      for (let tx = 0; tx < TX; tx++) {
        const y = dYi + ((<usize>(oc * P + 2 * ty * OW + 2 * tx)) << 4),
          m = M + ((<usize>(oc * TP + ty * TX + tx)) << 4);
        const y00 = v128.load(y),
          y01 = v128.load(y, 16),
          y10 = v128.load(y + OWV),
          y11 = v128.load(y + OWV, 16);
        const p0 = f32x4.add(y01, y01),
          p1 = f32x4.add(y11, y11);
        // column j of A dY: (A^T)[.][j] applied along each row of dY, then A down the column
        atT(y00, y10, m, S);
        atT(f32x4.add(y00, y01), f32x4.add(y10, y11), m + MX, S);
        atT(f32x4.sub(y00, y01), f32x4.sub(y10, y11), m + 2 * MX, S);
        atT(f32x4.add(y00, p0), f32x4.add(y10, p1), m + 3 * MX, S);
        atT(f32x4.sub(y00, p0), f32x4.sub(y10, p1), m + 4 * MX, S);
        atT(y01, y11, m + 5 * MX, S);
      }
}

// dU[xi][c][oc] += sum_t dM[xi][oc][t] V[xi][c][t], lane by lane: four output channels by two input channels.
function productWeights(dU: usize, M: usize, V: usize, C: i32, OC: i32, TP: i32): void {
  const MX = (<usize>(OC * TP)) << 4,
    VX = (<usize>(C * TP)) << 4,
    MO = (<usize>TP) << 4;
  for (let xi = 0; xi < 36; xi++) {
    const Mx = M + <usize>xi * MX,
      Vx = V + <usize>xi * VX,
      Ux = dU + ((<usize>(xi * C * OC)) << 4);
    let c = 0;
    for (; c + 2 <= C; c += 2) {
      let oc = 0;
      for (; oc + 4 <= OC; oc += 4) {
        let a0 = f32x4.splat(0),
          a1 = a0,
          a2 = a0,
          a3 = a0,
          e0 = a0,
          e1 = a0,
          e2 = a0,
          e3 = a0;
        const v0 = Vx + ((<usize>(c * TP)) << 4),
          v1 = v0 + MO,
          m0 = Mx + ((<usize>(oc * TP)) << 4);
        for (let t = 0; t < TP; t++) {
          const o = (<usize>t) << 4,
            x0 = v128.load(v0 + o),
            x1 = v128.load(v1 + o);
          let g = v128.load(m0 + o);
          a0 = madd(g, x0, a0);
          e0 = madd(g, x1, e0);
          g = v128.load(m0 + MO + o);
          a1 = madd(g, x0, a1);
          e1 = madd(g, x1, e1);
          g = v128.load(m0 + 2 * MO + o);
          a2 = madd(g, x0, a2);
          e2 = madd(g, x1, e2);
          g = v128.load(m0 + 3 * MO + o);
          a3 = madd(g, x0, a3);
          e3 = madd(g, x1, e3);
        }
        const u0 = Ux + ((<usize>(c * OC + oc)) << 4),
          u1 = u0 + ((<usize>OC) << 4);
        v128.store(u0, f32x4.add(v128.load(u0), a0));
        v128.store(u0, f32x4.add(v128.load(u0, 16), a1), 16);
        v128.store(u0, f32x4.add(v128.load(u0, 32), a2), 32);
        v128.store(u0, f32x4.add(v128.load(u0, 48), a3), 48);
        v128.store(u1, f32x4.add(v128.load(u1), e0));
        v128.store(u1, f32x4.add(v128.load(u1, 16), e1), 16);
        v128.store(u1, f32x4.add(v128.load(u1, 32), e2), 32);
        v128.store(u1, f32x4.add(v128.load(u1, 48), e3), 48);
      }
      for (; oc < OC; oc++) {
        dUdot(Ux, Mx, Vx, c, oc, C, OC, TP);
        dUdot(Ux, Mx, Vx, c + 1, oc, C, OC, TP);
      }
    }
    for (; c < C; c++) for (let oc = 0; oc < OC; oc++) dUdot(Ux, Mx, Vx, c, oc, C, OC, TP);
  }
}

// dV[xi][c][t] = sum_oc U[xi][c][oc] dM[xi][oc][t]: three input channels by two tiles at a time.
function productInput(dV: usize, U: usize, M: usize, C: i32, OC: i32, TP: i32): void {
  const MX = (<usize>(OC * TP)) << 4,
    VX = (<usize>(C * TP)) << 4,
    MO = (<usize>TP) << 4,
    UC = (<usize>OC) << 2;
  for (let xi = 0; xi < 36; xi++) {
    const Mx = M + <usize>xi * MX,
      Ux = U + ((<usize>(xi * C * OC)) << 2),
      Dx = dV + <usize>xi * VX;
    let c = 0;
    for (; c + 3 <= C; c += 3) {
      const uc = Ux + ((<usize>(c * OC)) << 2);
      for (let t = 0; t < TP; t += 2) {
        let a0 = f32x4.splat(0),
          b0 = a0,
          a1 = a0,
          b1 = a0,
          a2 = a0,
          b2 = a0;
        let mp = Mx + ((<usize>t) << 4),
          up = uc;
        for (let oc = 0; oc < OC; oc++) {
          const m0 = v128.load(mp),
            m1 = v128.load(mp, 16);
          let s = v128.load32_splat(up);
          a0 = madd(s, m0, a0);
          b0 = madd(s, m1, b0);
          s = v128.load32_splat(up + UC);
          a1 = madd(s, m0, a1);
          b1 = madd(s, m1, b1);
          s = v128.load32_splat(up + 2 * UC);
          a2 = madd(s, m0, a2);
          b2 = madd(s, m1, b2);
          mp += MO;
          up += 4;
        }
        const d = Dx + ((<usize>(c * TP + t)) << 4);
        v128.store(d, a0);
        v128.store(d, b0, 16);
        v128.store(d + MO, a1);
        v128.store(d + MO, b1, 16);
        v128.store(d + 2 * MO, a2);
        v128.store(d + 2 * MO, b2, 16);
      }
    }
    for (; c < C; c++) {
      const uc = Ux + ((<usize>(c * OC)) << 2);
      for (let t = 0; t < TP; t += 2) {
        let a0 = f32x4.splat(0),
          b0 = a0;
        let mp = Mx + ((<usize>t) << 4);
        for (let oc = 0; oc < OC; oc++) {
          const s = v128.load32_splat(uc + ((<usize>oc) << 2));
          a0 = madd(s, v128.load(mp), a0);
          b0 = madd(s, v128.load(mp, 16), b0);
          mp += MO;
        }
        const d = Dx + ((<usize>(c * TP + t)) << 4);
        v128.store(d, a0);
        v128.store(d, b0, 16);
      }
    }
  }
}

// dX = the sum over tiles of B dV B^T at each tile's place: B along the rows of each tile into a band
// of six rows E (shared by the tiles of the band), then B down the band's columns into dXi.
function inputGradTransform(
  dXi: usize,
  dV: usize,
  E: usize,
  C: i32,
  H: i32,
  W: i32,
  TP: i32,
): void {
  const TY = (H - 4) >> 1,
    TX = (W - 4) >> 1,
    VX = (<usize>(C * TP)) << 4,
    WV = (<usize>W) << 4;
  memory.fill(dXi, 0, (<usize>(C * H * W)) << 4);
  for (let c = 0; c < C; c++)
    for (let ty = 0; ty < TY; ty++) {
      memory.fill(E, 0, (<usize>(6 * W)) << 4);
      for (let tx = 0; tx < TX; tx++) {
        const v = dV + ((<usize>(c * TP + ty * TX + tx)) << 4);
        for (let i = 0; i < 6; i++)
          btT(v + <usize>(6 * i) * VX, VX, E + <usize>i * WV + ((<usize>(2 * tx)) << 4), 16);
      }
      const band = dXi + <usize>((c * H + 2 * ty) * W) * 16;
      for (let x = 0; x < W; x++) btT(E + ((<usize>x) << 4), WV, band + ((<usize>x) << 4), WV);
    }
}

@inline function dUdot(
  Ux: usize,
  Mx: usize,
  Vx: usize,
  c: i32,
  oc: i32,
  C: i32,
  OC: i32,
  TP: i32,
): void {
  let a = f32x4.splat(0);
  const v = Vx + ((<usize>(c * TP)) << 4),
    m = Mx + ((<usize>(oc * TP)) << 4);
  for (let t = 0; t < TP; t++)
    a = madd(v128.load(m + ((<usize>t) << 4)), v128.load(v + ((<usize>t) << 4)), a);
  const u = Ux + ((<usize>(c * OC + oc)) << 4);
  v128.store(u, f32x4.add(v128.load(u), a));
}
