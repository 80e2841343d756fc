// The direct convolution forward's last output channels when OC is not a multiple of four
// (LeNet-5's first convolution has six): pairs of channels over two blocks of positions at a time,
// so that eight sums are in flight as in conv-forward.ts's blocks of four channels (with four, each
// multiply-add waits on the one before it), then a channel left over. Every sum starts
// from the bias and adds the rows in order, as in the blocks of four, so the bits are the same.
import { madd, activate4 } from './simd';
import { storePooled } from './pooling';
import { storeBlockPair } from './conv-blocks';

// Channels OC4..OC-1 of one image: `x` the image (or its im2col copy), `off` the rows' offsets,
// `blk` the nb blocks (the first vectorBlocks pooled as vectors), the rest as in conv2dForward.
export function forwardRestChannels(
  x: usize,
  planes: usize,
  pooledPlanes: usize,
  w: usize,
  b: usize,
  OC4: i32,
  OC: i32,
  R: i32,
  off: usize,
  blk: usize,
  nb: i32,
  vectorBlocks: i32,
  PSB: usize,
  PPB: usize,
  rowBytes: usize,
  fused: i32,
  keep: bool,
  exact: bool,
  inRows: bool,
): void {
  let oc = OC4;
  for (; oc + 2 <= OC; oc += 2) {
    const w0 = w + ((<usize>(oc * R)) << 2),
      w1 = w0 + ((<usize>R) << 2),
      t0 = planes + <usize>oc * PSB,
      p0 = pooledPlanes + <usize>oc * PPB;
    const bias0 = v128.load32_splat(b + ((<usize>oc) << 2)),
      bias1 = v128.load32_splat(b + ((<usize>(oc + 1)) << 2));
    // blocks two at a time; an odd last one with itself (the same sums, stored twice)
    for (let k = 0; k < nb; k += 2) {
      const j = min(k + 1, nb - 1),
        bk = blk + ((<usize>k) << 4),
        bj = blk + ((<usize>j) << 4);
      const xp = x + ((<usize>load<i32>(bk)) << 2),
        d = <usize>load<i32>(bk, 4),
        xq = x + ((<usize>load<i32>(bj)) << 2),
        dq = <usize>load<i32>(bj, 4);
      let a0 = bias0,
        c0 = bias0,
        a1 = bias1,
        c1 = bias1;
      let g0 = bias0,
        h0 = bias0,
        g1 = bias1,
        h1 = bias1;
      for (let r = 0; r < R; r++) {
        const ro = (<usize>r) << 2,
          o = <usize>load<i32>(off + ro);
        const s0 = v128.load32_splat(w0 + ro),
          s1 = v128.load32_splat(w1 + ro);
        const x0 = v128.load(xp + o),
          x1 = v128.load(xp + o + d),
          x2 = v128.load(xq + o),
          x3 = v128.load(xq + o + dq);
        a0 = madd(s0, x0, a0);
        c0 = madd(s0, x1, c0);
        g0 = madd(s0, x2, g0);
        h0 = madd(s0, x3, h0);
        a1 = madd(s1, x0, a1);
        c1 = madd(s1, x1, c1);
        g1 = madd(s1, x2, g1);
        h1 = madd(s1, x3, h1);
      }
      const restK = k >= vectorBlocks,
        restJ = j >= vectorBlocks;
      storeBlockPair(
        a0,
        c0,
        a1,
        c1,
        bk,
        restK,
        t0,
        p0,
        PSB,
        PPB,
        rowBytes,
        fused,
        keep,
        exact,
        inRows,
      );
      storeBlockPair(
        g0,
        h0,
        g1,
        h1,
        bj,
        restJ,
        t0,
        p0,
        PSB,
        PPB,
        rowBytes,
        fused,
        keep,
        exact,
        inRows,
      );
    }
  }
  for (; oc < OC; oc++) {
    const w0 = w + ((<usize>(oc * R)) << 2),
      t0 = planes + <usize>oc * PSB,
      p0 = pooledPlanes + <usize>oc * PPB;
    for (let k = 0; k < nb; k++) {
      const bk = blk + ((<usize>k) << 4),
        p = load<i32>(bk),
        d = <usize>load<i32>(bk, 4);
      let a0 = v128.load32_splat(b + ((<usize>oc) << 2)),
        c0 = a0;
      const xp = x + ((<usize>p) << 2);
      for (let r = 0; r < R; r++) {
        const ro = (<usize>r) << 2,
          xr = xp + <usize>load<i32>(off + ro),
          s0 = v128.load32_splat(w0 + ro);
        a0 = madd(s0, v128.load(xr), a0);
        c0 = madd(s0, v128.load(xr + d), c0);
      }
      if (fused) {
        a0 = activate4(a0, fused);
        c0 = activate4(c0, fused);
      }
      const q = (<usize>load<i32>(bk, 8)) << 2,
        e = <usize>load<i32>(bk, 12);
      if (keep || !exact) {
        v128.store(t0 + q, a0);
        v128.store(t0 + q + (inRows ? rowBytes : e), c0);
      }
      if (inRows) storePooled(a0, c0, p0 + (e << 2), k >= vectorBlocks);
    }
  }
}
