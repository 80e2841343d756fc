// F(4x4, 5x5)'s output tiles (winograd.ts): the forward pass's output transform, Y = A^T M A, and
// the backward pass's output-gradient transform, dM = A dY A^T, on one 4x4 block of four images.
import { activate4 } from './simd';
import { at8, atT8 } from './winograd-transforms8';

// One 4x4 block of outputs of channel oc, tile (ty, tx): Y = A^T M A + bias (then its activation),
// M's 64 values MX bytes apart (xi = 8 i + j), written into the interleaved outputs Yi; with
// `pooled`, only the four 2x2 averages, where the pooled outputs go, added in avgPool2Forward's
// orders (vectors of four columns, or the rest of a row one by one). tmp: 48 vectors.
@inline export function outputTile4(
  mt: usize,
  MX: usize,
  Yi: usize,
  oc: i32,
  ty: i32,
  tx: i32,
  OH: i32,
  OW: i32,
  bias: v128,
  activation: i32,
  pooled: bool,
  tmp: usize,
): void {
  // R[i][j] = (A^T M)[i][j] down each column j (at tmp + 64 j + 16 i), then Y[i] along each row
  for (let j = 0; j < 8; j++) at8(mt + <usize>j * MX, 8 * MX, tmp + ((<usize>j) << 6));
  const Y = tmp + 8 * 64;
  for (let i = 0; i < 4; i++) at8(tmp + ((<usize>i) << 4), 64, Y + ((<usize>i) << 6));
  for (let q = 0; q < 16; q++) {
    const a = Y + ((<usize>q) << 4);
    let y = f32x4.add(v128.load(a), bias);
    if (activation) y = activate4(y, activation);
    v128.store(a, y);
  }
  if (!pooled) {
    const row = Yi + ((<usize>(oc * OH * OW + 4 * ty * OW + 4 * tx)) << 4);
    for (let i = 0; i < 4; i++) {
      const d = row + ((<usize>(i * OW)) << 4),
        s = Y + ((<usize>i) << 6);
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
      v128.store(d, v128.load(s, 32), 32);
      v128.store(d, v128.load(s, 48), 48);
    }
    return;
  }
  const PH = OH >> 1,
    PW = OW >> 1;
  for (let a = 0; a < 2; a++)
    for (let b = 0; b < 2; b++) {
      const s = Y + ((<usize>(8 * a + 2 * b)) << 4);
      const y00 = v128.load(s),
        y01 = v128.load(s, 16),
        y10 = v128.load(s, 64),
        y11 = v128.load(s, 80);
      const px = 2 * tx + b,
        py = 2 * ty + a;
      const sum =
        px >= (PW & ~3)
          ? f32x4.add(f32x4.add(f32x4.add(y00, y01), y10), y11)
          : f32x4.add(f32x4.add(y00, y10), f32x4.add(y01, y11));
      v128.store(
        Yi + ((<usize>((oc * PH + py) * PW + px)) << 4),
        f32x4.mul(sum, f32x4.splat(0.25)),
      );
    }
}

// One 4x4 block of output gradient y (rows OWV bytes apart) into dM at mt (values MX bytes apart,
// xi = 8 i + j): A along each of the block's four rows (into tmp, 32 vectors), then down each of
// the eight columns.
@inline export function outputGradTile4(
  y: usize,
  OWV: usize,
  mt: usize,
  MX: usize,
  tmp: usize,
): void {
  for (let i = 0; i < 4; i++) {
    const r = y + <usize>i * OWV;
    const y0 = v128.load(r),
      y1 = v128.load(r, 16),
      y2 = v128.load(r, 32),
      y3 = v128.load(r, 48);
    atT8(y0, y1, y2, y3, tmp + ((<usize>i) << 7), 16);
  }
  for (let b = 0; b < 8; b++) {
    const c = tmp + ((<usize>b) << 4);
    const r0 = v128.load(c),
      r1 = v128.load(c, 128),
      r2 = v128.load(c, 256),
      r3 = v128.load(c, 384);
    atT8(r0, r1, r2, r3, mt + <usize>b * MX, 8 * MX);
  }
}
