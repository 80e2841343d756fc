// The Winograd backward pass's input-gradient product (winograd-backward.ts): dV from the
// transformed weights U and the transformed output gradient dM, in the transformed domain.
import { madd } from './simd';

// dV[xi][c][t] = sum_oc U[xi][c][oc] dM[xi][oc][t]: four input channels by two tiles at a time
// (eight sums in registers: each is a chain of multiply-adds, and fewer chains leave the
// multipliers idle), then two channels by four tiles, then by two, then one channel by two tiles.
// Every sum runs over oc in order, whatever the block, so the blocks do not change the bits.
export function productInput(
  dV: usize,
  U: usize,
  M: usize,
  C: i32,
  OC: i32,
  TP: i32,
  XI: i32,
): void {
  const MX = (<usize>(OC * TP)) << 4,
    VX = (<usize>(C * TP)) << 4,
    MO = (<usize>TP) << 4,
    UC = (<usize>OC) << 2;
  for (let xi = 0; xi < XI; xi++) {
    const Mx = M + <usize>xi * MX,
      Ux = U + ((<usize>(xi * C * OC)) << 2),
      Dx = dV + <usize>xi * VX;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const uc = Ux + ((<usize>(c * OC)) << 2);
      for (let t = 0; t < TP; t += 2) {
        let a0 = f32x4.splat(0),
          b0 = a0,
          a1 = a0,
          b1 = a0,
          a2 = a0,
          b2 = a0,
          a3 = a0,
          b3 = a0;
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
          s = v128.load32_splat(up + 3 * UC);
          a3 = madd(s, m0, a3);
          b3 = madd(s, m1, b3);
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
        v128.store(d + 3 * MO, a3);
        v128.store(d + 3 * MO, b3, 16);
      }
    }
    for (; c + 2 <= C; c += 2) inputPair(Dx, Ux + ((<usize>(c * OC)) << 2), Mx, c, OC, TP);
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

// productInput for input channels c and c + 1 (their U rows at uc): four tiles at a time, then two.
function inputPair(Dx: usize, uc: usize, Mx: usize, c: i32, OC: i32, TP: i32): void {
  const MO = (<usize>TP) << 4,
    UC = (<usize>OC) << 2;
  let t = 0;
  for (; t + 4 <= TP; t += 4) {
    let a0 = f32x4.splat(0),
      a1 = a0,
      a2 = a0,
      a3 = a0,
      b0 = a0,
      b1 = a0,
      b2 = a0,
      b3 = a0;
    let mp = Mx + ((<usize>t) << 4),
      up = uc;
    for (let oc = 0; oc < OC; oc++) {
      const m0 = v128.load(mp),
        m1 = v128.load(mp, 16),
        m2 = v128.load(mp, 32),
        m3 = v128.load(mp, 48);
      let s = v128.load32_splat(up);
      a0 = madd(s, m0, a0);
      a1 = madd(s, m1, a1);
      a2 = madd(s, m2, a2);
      a3 = madd(s, m3, a3);
      s = v128.load32_splat(up + UC);
      b0 = madd(s, m0, b0);
      b1 = madd(s, m1, b1);
      b2 = madd(s, m2, b2);
      b3 = madd(s, m3, b3);
      mp += MO;
      up += 4;
    }
    const d = Dx + ((<usize>(c * TP + t)) << 4);
    v128.store(d, a0);
    v128.store(d, a1, 16);
    v128.store(d, a2, 32);
    v128.store(d, a3, 48);
    v128.store(d + MO, b0);
    v128.store(d + MO, b1, 16);
    v128.store(d + MO, b2, 32);
    v128.store(d + MO, b3, 48);
  }
  for (; t < TP; t += 2) {
    let a0 = f32x4.splat(0),
      a1 = a0,
      b0 = a0,
      b1 = a0;
    let mp = Mx + ((<usize>t) << 4),
      up = uc;
    for (let oc = 0; oc < OC; oc++) {
      const m0 = v128.load(mp),
        m1 = v128.load(mp, 16);
      let s = v128.load32_splat(up);
      a0 = madd(s, m0, a0);
      a1 = madd(s, m1, a1);
      s = v128.load32_splat(up + UC);
      b0 = madd(s, m0, b0);
      b1 = madd(s, m1, b1);
      mp += MO;
      up += 4;
    }
    const d = Dx + ((<usize>(c * TP + t)) << 4);
    v128.store(d, a0);
    v128.store(d, a1, 16);
    v128.store(d + MO, b0);
    v128.store(d + MO, b1, 16);
  }
}
