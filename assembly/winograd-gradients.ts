// The pieces of the Winograd backward pass (winograd-backward.ts): the output gradient's transform,
// the weight gradient's product in the transformed domain and the input gradient's transform back
// (the input gradient's product: winograd-input-product.ts).
import { madd } from './simd';
import { btT, atT } from './winograd-transforms';
import { btT8 } from './winograd-transforms8';
import { outputGradTile4 } from './winograd-tiles4';

// dM[xi][oc][t] = (A dY A^T)[xi] for every output channel and m x m block of output gradient
// (m = 4: winograd-tiles4.ts).
export function outputGradTransform(
  M: usize,
  dYi: usize,
  OC: i32,
  OH: i32,
  OW: i32,
  TP: i32,
  m: i32,
  tmp: usize,
): void {
  const TY = OH / m,
    TX = OW / m,
    P = OH * OW,
    MX = (<usize>(OC * TP)) << 4,
    OWV = (<usize>OW) << 4,
    S: usize = 6 * MX;
  for (let oc = 0; oc < OC; oc++)
    for (let ty = 0; ty < TY; ty++)
      for (let tx = 0; tx < TX; tx++) {
        const y = dYi + ((<usize>(oc * P + m * ty * OW + m * tx)) << 4),
          mt = M + ((<usize>(oc * TP + ty * TX + tx)) << 4);
        if (m == 4) {
          outputGradTile4(y, OWV, mt, MX, tmp);
          continue;
        }
        const y00 = v128.load(y),
          y01 = v128.load(y, 16),
          y10 = v128.load(y + OWV),
          y11 = v128.load(y + OWV, 16);
        const p0 = f32x4.add(y01, y01),
          p1 = f32x4.add(y11, y11);
        // column j of A dY: (A^T)[.][j] applied along each row of dY, then A down the column
        atT(y00, y10, mt, S);
        atT(f32x4.add(y00, y01), f32x4.add(y10, y11), mt + MX, S);
        atT(f32x4.sub(y00, y01), f32x4.sub(y10, y11), mt + 2 * MX, S);
        atT(f32x4.add(y00, p0), f32x4.add(y10, p1), mt + 3 * MX, S);
        atT(f32x4.sub(y00, p0), f32x4.sub(y10, p1), mt + 4 * MX, S);
        atT(y01, y11, mt + 5 * MX, S);
      }
}

// dU[xi][c][oc] += sum_t dM[xi][oc][t] V[xi][c][t], lane by lane: four output channels by two input
// channels.
export function productWeights(
  dU: usize,
  M: usize,
  V: usize,
  C: i32,
  OC: i32,
  TP: i32,
  XI: i32,
): void {
  const MX = (<usize>(OC * TP)) << 4,
    VX = (<usize>(C * TP)) << 4,
    MO = (<usize>TP) << 4;
  for (let xi = 0; xi < XI; xi++) {
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
          m0 = Mx + ((<usize>(oc * TP)) << 4),
          m1 = m0 + MO,
          m2 = m1 + MO,
          m3 = m2 + MO;
        // each row's start kept, so that each load is one add from it (the product alone 6-9%
        // faster than with m0 + k * MO worked out at every load)
        for (let o: usize = 0; o < MO; o += 16) {
          const x0 = v128.load(v0 + o),
            x1 = v128.load(v1 + o);
          let g = v128.load(m0 + o);
          a0 = madd(g, x0, a0);
          e0 = madd(g, x1, e0);
          g = v128.load(m1 + o);
          a1 = madd(g, x0, a1);
          e1 = madd(g, x1, e1);
          g = v128.load(m2 + o);
          a2 = madd(g, x0, a2);
          e2 = madd(g, x1, e2);
          g = v128.load(m3 + o);
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

// dX = the sum over tiles of B dV B^T at each tile's place: B along the rows of each tile into a
// band of ALPHA = m + 4 rows E (shared by the tiles of the band), then B down the band's columns
// into dXi.
export function inputGradTransform(
  dXi: usize,
  dV: usize,
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
    VX = (<usize>(C * TP)) << 4,
    WV = (<usize>W) << 4;
  memory.fill(dXi, 0, (<usize>(C * H * W)) << 4);
  for (let c = 0; c < C; c++)
    for (let ty = 0; ty < TY; ty++) {
      memory.fill(E, 0, (<usize>(A * W)) << 4);
      for (let tx = 0; tx < TX; tx++) {
        const v = dV + ((<usize>(c * TP + ty * TX + tx)) << 4);
        for (let i = 0; i < A; i++) {
          const e = E + <usize>i * WV + ((<usize>(m * tx)) << 4);
          if (m == 4) btT8(v + <usize>(A * i) * VX, VX, e, 16);
          else btT(v + <usize>(A * i) * VX, VX, e, 16);
        }
      }
      const band = dXi + <usize>((c * H + m * ty) * W) * 16;
      for (let x = 0; x < W; x++) {
        const e = E + ((<usize>x) << 4),
          d = band + ((<usize>x) << 4);
        if (m == 4) btT8(e, WV, d, WV);
        else btT(e, WV, d, WV);
      }
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
