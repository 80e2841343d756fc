// Pieces of the convolution's backward pass: the bias gradient, and the weight gradient of a first
// layer read straight from its input (no im2col copy).
import { madd, hsum4 } from './simd';
import { biasAndTailRows } from './conv-weight-grad-tail';

export { addBiasGrad } from './conv-weight-grad-tail';

// dW[oc, r] += sum over images and positions of g[oc, p] * x[c, oy + ky, ox + kx], r = (c, ky, kx),
// read from the input directly: for the first layer (no input gradient) with rows of a multiple of
// 4 outputs. Two channels by four r at a time (each r an offset into the input), one image at a
// time so that the image and its gradient rows stay in L1; the rows past a multiple of four, an odd
// last channel and the bias gradient in conv-weight-grad-tail.ts.
export function convWeightGradDirect(
  dW: usize,
  dB: usize,
  dOut: usize,
  inp: usize,
  B: i32,
  C: i32,
  H: i32,
  W: i32,
  OC: i32,
  K: i32,
  scratch: usize,
): void {
  const OH = H - K + 1,
    OW = W - K + 1,
    P = OH * OW,
    R = C * K * K,
    Q = OW >> 2;
  const WB = (<usize>W) << 2,
    PB = (<usize>P) << 2,
    RB = (<usize>R) << 2,
    off = scratch;
  for (let c = 0; c < C; c++)
    for (let ky = 0; ky < K; ky++)
      for (let kx = 0; kx < K; kx++) {
        store<i32>(off + ((<usize>((c * K + ky) * K + kx)) << 2), ((c * H + ky) * W + kx) << 2);
      }
  for (let n = 0; n < B; n++) {
    const x = inp + ((<usize>(n * C * H * W)) << 2),
      g = dOut + ((<usize>(n * OC * P)) << 2);
    for (let oc = 0; oc + 2 <= OC; oc += 2) {
      const g0 = g + ((<usize>(oc * P)) << 2),
        g1 = g0 + PB,
        d0 = dW + ((<usize>(oc * R)) << 2),
        d1 = d0 + RB;
      for (let r = 0; r + 4 <= R; r += 4) {
        const o0 = <usize>load<i32>(off + ((<usize>r) << 2)),
          o1 = <usize>load<i32>(off + ((<usize>r) << 2), 4);
        const o2 = <usize>load<i32>(off + ((<usize>r) << 2), 8),
          o3 = <usize>load<i32>(off + ((<usize>r) << 2), 12);
        let a0 = f32x4.splat(0),
          a1 = a0,
          a2 = a0,
          a3 = a0,
          e0 = a0,
          e1 = a0,
          e2 = a0,
          e3 = a0;
        let gp: usize = 0,
          xr = x;
        for (let oy = 0; oy < OH; oy++) {
          for (let q = 0; q < Q; q++) {
            const xq = xr + ((<usize>q) << 4);
            const u = v128.load(g0 + gp),
              v = v128.load(g1 + gp);
            let t = v128.load(xq + o0);
            a0 = madd(u, t, a0);
            e0 = madd(v, t, e0);
            t = v128.load(xq + o1);
            a1 = madd(u, t, a1);
            e1 = madd(v, t, e1);
            t = v128.load(xq + o2);
            a2 = madd(u, t, a2);
            e2 = madd(v, t, e2);
            t = v128.load(xq + o3);
            a3 = madd(u, t, a3);
            e3 = madd(v, t, e3);
            gp += 16;
          }
          xr += WB;
        }
        const q0 = d0 + ((<usize>r) << 2),
          q1 = d1 + ((<usize>r) << 2);
        v128.store(q0, f32x4.add(v128.load(q0), hsum4(a0, a1, a2, a3)));
        v128.store(q1, f32x4.add(v128.load(q1), hsum4(e0, e1, e2, e3)));
      }
    }
    biasAndTailRows(dW, dB, g, x, OC, R, P, OH, Q, WB, off);
  }
}
