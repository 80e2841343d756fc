// The convolution's backward pass: dW and dB added to, dInp set; on the direct kernels (im2col, a
// chunk of images at a time) or on the Winograd kernels.
import { madd, hsum, hsum4, copyRow, addRow } from './simd';
import { addBiasGrad, convWeightGradDirect } from './conv-weight-grad';
import { winogradApplies } from './winograd';
import { winogradBackward } from './winograd-backward';
import { padded, backwardChunk, winogradOn, im2col } from './conv-layout';

// dInp may be 0 (not needed for the first layer). `transformed` (not 0): the transformed weights
// the forward pass kept (conv2dForward), for the Winograd kernels to take instead of transforming
// the weights again.
export function conv2dBackward(
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
  K: i32,
  scratch: usize,
  transformed: usize,
): void {
  // every path below adds into dW and dB (a chunk of images, or a group of four, at a time)
  memory.fill(dW, 0, (<usize>(OC * C * K * K)) << 2);
  memory.fill(dB, 0, (<usize>OC) << 2);
  if (winogradOn() && winogradApplies(C, H, W, K, OC)) {
    winogradBackward(dInp, dW, dB, dOut, inp, w, B, C, H, W, OC, scratch, transformed);
    return;
  }
  const OH = H - K + 1,
    OW = W - K + 1,
    P = OH * OW,
    PS = padded(P),
    R = C * K * K,
    CH = backwardChunk(R, OC, PS);
  const DS = (<usize>PS) << 2,
    RB = (<usize>R) << 2;
  if (dInp == 0 && (OW & 3) == 0) {
    convWeightGradDirect(dW, dB, dOut, inp, B, C, H, W, OC, K, scratch);
    return;
  }
  for (let n0 = 0; n0 < B; n0 += CH) {
    const nb = B - n0 < CH ? B - n0 : CH,
      PT = nb * PS,
      RS = (<usize>PT) << 2;
    const col = scratch,
      g = col + ((<usize>(R * PT)) << 2),
      dcol = g + ((<usize>(OC * PT)) << 2);
    for (let j = 0; j < nb; j++) {
      im2col(
        col + ((<usize>(j * PS)) << 2),
        inp + ((<usize>((n0 + j) * C * H * W)) << 2),
        C,
        H,
        W,
        K,
        OH,
        OW,
        PS,
        PT,
      );
      for (let oc = 0; oc < OC; oc++) {
        const dst = g + ((<usize>(oc * PT + j * PS)) << 2);
        copyRow(dst, dOut + ((<usize>(((n0 + j) * OC + oc) * P)) << 2), P);
        for (let p = P; p < PS; p++) store<f32>(dst + ((<usize>p) << 2), 0);
      }
    }
    addBiasGrad(dB, g, OC, PT);
    // dW[oc, r] += <g[oc], col[r]>, two output channels by four rows at a time
    let oc = 0;
    for (; oc + 2 <= OC; oc += 2) {
      const g0 = g + ((<usize>(oc * PT)) << 2),
        g1 = g0 + RS;
      const d0 = dW + ((<usize>(oc * R)) << 2),
        d1 = d0 + RB;
      let r = 0;
      for (; r + 4 <= R; r += 4) {
        let a0 = f32x4.splat(0),
          a1 = a0,
          a2 = a0,
          a3 = a0,
          b0 = a0,
          b1 = a0,
          b2 = a0,
          b3 = a0;
        const x0 = col + ((<usize>(r * PT)) << 2),
          x1 = x0 + RS,
          x2 = x1 + RS,
          x3 = x2 + RS;
        for (let p = 0; p < PT; p += 4) {
          const po = (<usize>p) << 2;
          const u = v128.load(g0 + po),
            v = v128.load(g1 + po);
          let c = v128.load(x0 + po);
          a0 = madd(u, c, a0);
          b0 = madd(v, c, b0);
          c = v128.load(x1 + po);
          a1 = madd(u, c, a1);
          b1 = madd(v, c, b1);
          c = v128.load(x2 + po);
          a2 = madd(u, c, a2);
          b2 = madd(v, c, b2);
          c = v128.load(x3 + po);
          a3 = madd(u, c, a3);
          b3 = madd(v, c, b3);
        }
        const q = d0 + ((<usize>r) << 2),
          t = d1 + ((<usize>r) << 2);
        v128.store(q, f32x4.add(v128.load(q), hsum4(a0, a1, a2, a3)));
        v128.store(t, f32x4.add(v128.load(t), hsum4(b0, b1, b2, b3)));
      }
      for (; r < R; r++) {
        let a0 = f32x4.splat(0),
          b0 = a0;
        const x0 = col + ((<usize>(r * PT)) << 2);
        for (let p = 0; p < PT; p += 4) {
          const po = (<usize>p) << 2,
            c0 = v128.load(x0 + po);
          a0 = madd(v128.load(g0 + po), c0, a0);
          b0 = madd(v128.load(g1 + po), c0, b0);
        }
        const q = d0 + ((<usize>r) << 2),
          t = d1 + ((<usize>r) << 2);
        store<f32>(q, load<f32>(q) + hsum(a0));
        store<f32>(t, load<f32>(t) + hsum(b0));
      }
    }
    for (; oc < OC; oc++) {
      const gr = g + ((<usize>(oc * PT)) << 2),
        dwr = dW + ((<usize>(oc * R)) << 2);
      for (let r = 0; r < R; r++) {
        let a0 = f32x4.splat(0);
        const x0 = col + ((<usize>(r * PT)) << 2);
        for (let p = 0; p < PT; p += 4)
          a0 = madd(v128.load(gr + ((<usize>p) << 2)), v128.load(x0 + ((<usize>p) << 2)), a0);
        const q = dwr + ((<usize>r) << 2);
        store<f32>(q, load<f32>(q) + hsum(a0));
      }
    }
    if (dInp == 0) continue;
    for (let j = 0; j < nb; j++) {
      const gj = g + ((<usize>(j * PS)) << 2);
      // dcol[r, p] = sum_oc W[oc, r] * g[oc, p], four rows by eight columns at a time
      let r = 0;
      for (; r + 4 <= R; r += 4) {
        const dr = dcol + ((<usize>(r * PS)) << 2);
        for (let p = 0; p < PS; p += 8) {
          let a0 = f32x4.splat(0),
            a1 = a0,
            a2 = a0,
            a3 = a0,
            e0 = a0,
            e1 = a0,
            e2 = a0,
            e3 = a0;
          let gp = gj + ((<usize>p) << 2),
            wp = w + ((<usize>r) << 2);
          for (let o = 0; o < OC; o++) {
            const x0 = v128.load(gp),
              x1 = v128.load(gp, 16);
            let s = v128.load32_splat(wp);
            a0 = madd(s, x0, a0);
            e0 = madd(s, x1, e0);
            s = v128.load32_splat(wp, 4);
            a1 = madd(s, x0, a1);
            e1 = madd(s, x1, e1);
            s = v128.load32_splat(wp, 8);
            a2 = madd(s, x0, a2);
            e2 = madd(s, x1, e2);
            s = v128.load32_splat(wp, 12);
            a3 = madd(s, x0, a3);
            e3 = madd(s, x1, e3);
            gp += RS;
            wp += RB;
          }
          const q = dr + ((<usize>p) << 2);
          v128.store(q, a0);
          v128.store(q, e0, 16);
          v128.store(q + DS, a1);
          v128.store(q + DS, e1, 16);
          v128.store(q + 2 * DS, a2);
          v128.store(q + 2 * DS, e2, 16);
          v128.store(q + 3 * DS, a3);
          v128.store(q + 3 * DS, e3, 16);
        }
      }
      for (; r < R; r++) {
        const dr = dcol + ((<usize>(r * PS)) << 2);
        for (let p = 0; p < PS; p += 8) {
          let a0 = f32x4.splat(0),
            c0 = a0;
          let gp = gj + ((<usize>p) << 2),
            wp = w + ((<usize>r) << 2);
          for (let o = 0; o < OC; o++) {
            const s = v128.load32_splat(wp);
            a0 = madd(s, v128.load(gp), a0);
            c0 = madd(s, v128.load(gp, 16), c0);
            gp += RS;
            wp += RB;
          }
          v128.store(dr + ((<usize>p) << 2), a0);
          v128.store(dr + ((<usize>p) << 2), c0, 16);
        }
      }
      // col2im: scatter-add dcol into the input gradient
      const di = dInp + ((<usize>((n0 + j) * C * H * W)) << 2);
      memory.fill(di, 0, (<usize>(C * H * W)) << 2);
      for (let c = 0; c < C; c++)
        for (let ky = 0; ky < K; ky++)
          for (let kx = 0; kx < K; kx++) {
            const src = dcol + ((<usize>(((c * K + ky) * K + kx) * PS)) << 2);
            for (let oy = 0; oy < OH; oy++)
              addRow(
                di + ((<usize>((c * H + oy + ky) * W + kx)) << 2),
                src + ((<usize>(oy * OW)) << 2),
                OW,
              );
          }
    }
  }
}
