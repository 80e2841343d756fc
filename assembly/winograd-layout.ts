// The Winograd kernels' layouts: the weights transformed by G, the four images of a group
// interleaved into vectors and back.
import { gs, gsv } from './winograd-transforms';
import { gsv8 } from './winograd-transforms8';
import { putColumns } from './simd';

// U[xi][c][oc] = (G w[oc, c] G^T)[xi], xi = 6 i + j (8 i + j for tiles of side m = 4): four
// output channels at a time (side by side in U, so one vector each), the rest one by one (for m = 4
// in a vector of their own).
export function weightTransform(U: usize, w: usize, C: i32, OC: i32, tmp: usize, m: i32): void {
  if (m == 4) {
    weightTransform8(U, w, C, OC, tmp);
    return;
  }
  const UX = (<usize>(C * OC)) << 2,
    WO = (<usize>(C * 25)) << 2,
    OC4 = OC & ~3; // bytes from one xi, one oc to the next
  const Tw = tmp,
    T = tmp + 25 * 16;
  for (let oc = 0; oc < OC4; oc += 4)
    for (let c = 0; c < C; c++) {
      gatherFour(Tw, w + ((<usize>((oc * C + c) * 25)) << 2), WO);
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

// Tw[k] = weight k of the four 5x5 kernels at wp, wp + WO, wp + 2 WO and wp + 3 WO, side by side:
// four weights of each at a time turned around (putColumns), the last one lane by lane.
@inline function gatherFour(Tw: usize, wp: usize, WO: usize): void {
  for (let k = 0; k < 24; k += 4) {
    const a = wp + ((<usize>k) << 2);
    const r0 = v128.load(a),
      r1 = v128.load(a + WO),
      r2 = v128.load(a + 2 * WO),
      r3 = v128.load(a + 3 * WO);
    putColumns(r0, r1, r2, r3, Tw + ((<usize>k) << 4), 16, 0);
  }
  const a = wp + 96;
  let v = f32x4.splat(load<f32>(a));
  v = f32x4.replace_lane(v, 1, load<f32>(a + WO));
  v = f32x4.replace_lane(v, 2, load<f32>(a + 2 * WO));
  v = f32x4.replace_lane(v, 3, load<f32>(a + 3 * WO));
  v128.store(Tw + 24 * 16, v);
}

// weightTransform for F(4x4, 5x5): the output channels four at a time, the last group's missing
// ones zero and not stored.
function weightTransform8(U: usize, w: usize, C: i32, OC: i32, tmp: usize): void {
  const UX = (<usize>(C * OC)) << 2,
    WO = (<usize>(C * 25)) << 2;
  const Tw = tmp,
    T = tmp + 25 * 16,
    R = T + 40 * 16; // Tw[ky][kx], T[ky][j], R[i][j]
  for (let oc = 0; oc < OC; oc += 4) {
    const lanes = OC - oc < 4 ? OC - oc : 4;
    for (let c = 0; c < C; c++) {
      const wp = w + ((<usize>((oc * C + c) * 25)) << 2);
      if (lanes == 4) gatherFour(Tw, wp, WO);
      else
        for (let k = 0; k < 25; k++) {
          const a = wp + ((<usize>k) << 2);
          let v = f32x4.splat(0);
          v = f32x4.replace_lane(v, 0, load<f32>(a));
          if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(a + WO));
          if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(a + 2 * WO));
          v128.store(Tw + ((<usize>k) << 4), v);
        }
      for (let ky = 0; ky < 5; ky++)
        gsv8(Tw + ((<usize>(ky * 5)) << 4), 16, T + ((<usize>(ky * 8)) << 4), 16);
      const u = U + ((<usize>(c * OC + oc)) << 2);
      if (lanes == 4) {
        for (let j = 0; j < 8; j++) gsv8(T + ((<usize>j) << 4), 128, u + <usize>j * UX, 8 * UX);
        continue;
      }
      for (let j = 0; j < 8; j++) gsv8(T + ((<usize>j) << 4), 128, R + ((<usize>j) << 4), 128);
      for (let xi = 0; xi < 64; xi++)
        for (let l = 0; l < lanes; l++)
          store<f32>(
            u + <usize>xi * UX + ((<usize>l) << 2),
            load<f32>(R + ((<usize>xi) << 4) + ((<usize>l) << 2)),
          );
    }
  }
}

// dst[k] = the 4 images n0.. of src (n floats each, `stride` floats apart) at k, as one vector;
// zeros past B.
export function interleave(dst: usize, src: usize, n0: i32, B: i32, n: i32): void {
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
export function deinterleave(dst: usize, src: usize, n0: i32, B: i32, n: i32): void {
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
