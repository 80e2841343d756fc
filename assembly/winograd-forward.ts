// The Winograd convolution's forward pass (winograd.ts): the input transform, the products in the
// transformed domain and the output transform, four images at a time.
import { madd, activate4 } from './simd';
import { bt } from './winograd-transforms';
import { bt8 } from './winograd-transforms8';
import { outputTile4 } from './winograd-tiles4';
import { weightTransform, interleave, deinterleave } from './winograd-layout';
import { tilesPadded, tileSide, scratchPart } from './winograd';
import { PART_U, PART_V, PART_M, PART_E, PART_TMP, PART_Y } from './winograd';

// V[xi][c][t] = (B^T d B)[xi] for every channel and ALPHA x ALPHA input block (tile t = (ty, tx) at
// (m ty, m tx), ALPHA = m + 4): first B^T down the columns of a band of ALPHA rows (E[i][x], shared
// by the tiles of the band), then B^T along the rows of each tile.
export function inputTransform(
  V: usize,
  Xi: usize,
  E: usize,
  C: i32,
  H: i32,
  W: i32,
  TP: i32,
  m: i32,
): void {
  const A = m + 4,
    TY = (H - 4) / m,
    TX = (W - 4) / m,
    WV = (<usize>W) << 4,
    VX = (<usize>(C * TP)) << 4;
  for (let c = 0; c < C; c++)
    for (let ty = 0; ty < TY; ty++) {
      const band = Xi + <usize>((c * H + m * ty) * W) * 16;
      for (let x = 0; x < W; x++) {
        const s = band + ((<usize>x) << 4),
          e = E + ((<usize>x) << 4);
        if (m == 4) bt8(s, WV, e, WV);
        else bt(s, WV, e, WV);
      }
      for (let tx = 0; tx < TX; tx++) {
        const v = V + ((<usize>(c * TP + ty * TX + tx)) << 4);
        for (let i = 0; i < A; i++) {
          const e = E + <usize>i * WV + ((<usize>(m * tx)) << 4);
          if (m == 4) bt8(e, 16, v + <usize>(A * i) * VX, VX);
          else bt(e, 16, v + <usize>(A * i) * VX, VX);
        }
      }
    }
}

// M[xi][oc][t] = sum_c U[xi][c][oc] V[xi][c][t]: four output channels by two tiles at a time.
function productForward(M: usize, U: usize, V: usize, C: i32, OC: i32, TP: i32, XI: i32): void {
  const VC = (<usize>TP) << 4,
    UC = (<usize>OC) << 2,
    MO = (<usize>TP) << 4;
  for (let xi = 0; xi < XI; xi++) {
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

// One 2x2 block of outputs: Y = A^T M A + bias (then its activation), M's 36 values MX bytes apart
// (6 MX from one row i to the next): A^T down each of M's six columns j (r0j, r1j), then along the
// two rows.
// Written out per column: with constant indices every value stays in a register. With `pooled`,
// only the block's average is stored, there: the 2x2 average pooling of the output.
@inline function outputTile(
  m: usize,
  MX: usize,
  y: usize,
  rowBytes: usize,
  bias: v128,
  activation: i32,
  pooled: usize,
  rest: bool,
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
  if (activation) {
    y00 = activate4(y00, activation);
    y01 = activate4(y01, activation);
    y10 = activate4(y10, activation);
    y11 = activate4(y11, activation);
  }
  if (pooled) {
    // avgPool2Forward's order of additions: vectors of columns, or the rest of a row
    const sum = rest
      ? f32x4.add(f32x4.add(f32x4.add(y00, y01), y10), y11)
      : f32x4.add(f32x4.add(y00, y10), f32x4.add(y01, y11));
    v128.store(pooled, f32x4.mul(sum, f32x4.splat(0.25)));
    return;
  }
  v128.store(y, y00);
  v128.store(y, y01, 16);
  v128.store(y + rowBytes, y10);
  v128.store(y + rowBytes, y11, 16);
}

// out = conv(inp, w) + b (or its activation); with `pooled` (not 0), only its 2x2 average pooling
// there.
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
  activation: i32,
  pooled: usize,
  transformed: usize,
): void {
  const OH = H - 4,
    OW = W - 4,
    P = OH * OW,
    m = tileSide(H, W),
    A = m + 4,
    XI = A * A,
    TY = OH / m,
    TX = OW / m,
    TP = tilesPadded(H, W, m);
  // the transformed weights where the caller keeps them for the backward pass, else in scratch
  const Xi = scratch,
    U = transformed ? transformed : scratch + scratchPart(PART_U, C, H, W, OC),
    V = scratch + scratchPart(PART_V, C, H, W, OC),
    M = scratch + scratchPart(PART_M, C, H, W, OC),
    E = scratch + scratchPart(PART_E, C, H, W, OC),
    tmp = scratch + scratchPart(PART_TMP, C, H, W, OC);
  const Yi = scratch + scratchPart(PART_Y, C, H, W, OC), // outputs, interleaved
    MX = (<usize>(OC * TP)) << 4;
  weightTransform(U, w, C, OC, tmp, m);
  if (TP > TY * TX)
    for (let xi = 0; xi < XI; xi++)
      for (let c = 0; c < C; c++)
        v128.store(V + ((<usize>((xi * C + c) * TP + TP - 1)) << 4), f32x4.splat(0));
  for (let n0 = 0; n0 < B; n0 += 4) {
    interleave(Xi, inp, n0, B, C * H * W);
    inputTransform(V, Xi, E, C, H, W, TP, m);
    productForward(M, U, V, C, OC, TP, XI);
    for (let oc = 0; oc < OC; oc++) {
      const bias = v128.load32_splat(b + ((<usize>oc) << 2));
      for (let ty = 0; ty < TY; ty++)
        for (let tx = 0; tx < TX; tx++) {
          const mt = M + ((<usize>(oc * TP + ty * TX + tx)) << 4);
          if (m == 4) {
            outputTile4(mt, MX, Yi, oc, ty, tx, OH, OW, bias, activation, pooled != 0, tmp);
            continue;
          }
          outputTile(
            mt,
            MX,
            Yi + ((<usize>(oc * P + 2 * ty * OW + 2 * tx)) << 4),
            (<usize>OW) << 4,
            bias,
            activation,
            pooled ? Yi + ((<usize>((oc * TY + ty) * TX + tx)) << 4) : 0,
            tx >= (TX & ~3),
          );
        }
    }
    if (pooled) deinterleave(pooled, Yi, n0, B, OC * (OH >> 1) * (OW >> 1));
    else deinterleave(out, Yi, n0, B, OC * P);
  }
}
