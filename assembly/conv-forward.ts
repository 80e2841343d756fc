// The convolution's forward pass, out = conv(inp, w) + b (its tanh or ReLU, and its 2x2 average
// pooling, when asked), on the direct kernels (register blocks of four channels by eight positions;
// the last channels when OC is not a multiple of four in conv-forward-rest.ts) or on the Winograd
// kernels.
import { madd } from './simd';
import { activateRow } from './pointwise';
import { winogradApplies } from './winograd';
import { winogradForward } from './winograd-forward';
import { padded, WINOGRAD_MIN_BATCH, winogradOn, im2col } from './conv-layout';
import { directBlocks, forwardBlocks, poolBlocks, storeBlockPair } from './conv-blocks';
import { avgPool2Forward, avgPoolPlane } from './pooling';
import { forwardRestChannels } from './conv-forward-rest';

// Forward: out[oc] = b[oc] + W[oc, :] col, four output channels by eight positions at a time, as
// products over rows x + off[r] of the im2col matrix; the weights of each block of four channels
// are first packed as [R][4], so that the inner loop reads them with one pointer and immediate
// offsets. Layers with wide rows (the first: K - 1 extra columns are at most a sixth of a row) skip
// im2col: their outputs are computed on the input's row pitch, position p = oy * W + ox for ox < W,
// so that im2col row r = (c, ky, kx) is the image itself shifted by (c * H + ky) * W + kx and the
// products read the image (in L1) instead of a copy K*K times its size; the K - 1 columns past each
// output row are computed and dropped. (Reads run up to K + 6 floats past the image, inside the
// network's memory.) Otherwise each image is copied by im2col (positions p = oy * OW + ox, rows PS
// floats apart).
// With `activation` (simd.ts: ACT_TANH, ACT_RELU), the output is the activation's, the bits of
// tanhForward or reluForward after the convolution. With `pooled` (not 0), the 2x2 average pooling
// of the output (after its activation) is written there,
// [B, OC, OH / 2, OW / 2], the bits avgPool2Forward gives; `out` may then be 0 (evaluating: the
// unpooled output is not kept). Direct blocks then cover two rows (conv-blocks.ts) and pool in
// registers; scratch planes are pooled after their activation. With `transformed` (not 0), the
// Winograd kernels keep the layer's transformed weights there for the backward pass
// (conv2dBackward's `transformed`): returns 1 when they did, 0 when the direct kernels ran.
export function conv2dForward(
  out: usize,
  inp: usize,
  w: usize,
  b: usize,
  B: i32,
  C: i32,
  H: i32,
  W: i32,
  OC: i32,
  K: i32,
  scratch: usize,
  activation: i32,
  pooled: usize,
  transformed: usize,
): i32 {
  const OH = H - K + 1,
    OW = W - K + 1,
    P = OH * OW,
    R = C * K * K,
    OC4 = OC & ~3,
    rows = (K - 1) * 6 <= OW;
  if (winogradOn() && B >= WINOGRAD_MIN_BATCH && winogradApplies(C, H, W, K, OC)) {
    // pooled in the output transform only when the unpooled output is not kept
    const p: usize = out ? 0 : pooled;
    winogradForward(out, inp, w, b, B, C, H, W, OC, scratch, activation, p, transformed);
    if (out && pooled) avgPool2Forward(pooled, out, B * OC, OH, OW);
    return transformed ? 1 : 0;
  }
  const keep = out != 0,
    pool = pooled != 0;
  const PS = padded(P),
    PT = rows ? (OH * W + 7) & ~7 : PS,
    pitch = rows ? W : OW; // positions computed; output row pitch
  const col = scratch,
    tmp = rows ? scratch : scratch + ((<usize>(2 * R * PS)) << 2);
  const pk = tmp + ((<usize>(OC * PT)) << 2),
    off = pk + ((<usize>(OC * R)) << 2),
    RS = (<usize>PT) << 2;
  for (let oc = 0; oc < OC4; oc += 4) {
    const dst = pk + ((<usize>(oc * R)) << 2);
    for (let r = 0; r < R; r++)
      for (let k = 0; k < 4; k++)
        store<f32>(
          dst + ((<usize>(r * 4 + k)) << 2),
          load<f32>(w + ((<usize>((oc + k) * R + r)) << 2)),
        );
  }
  for (let c = 0; c < C; c++)
    for (let ky = 0; ky < K; ky++)
      for (let kx = 0; kx < K; kx++) {
        const r = (c * K + ky) * K + kx;
        store<i32>(off + ((<usize>r) << 2), rows ? ((c * H + ky) * W + kx) << 2 : (r * PS) << 2);
      }
  // direct blocks write the output planes (the activation taken in registers), others the scratch
  // planes;
  // pooled direct blocks need pairs of rows
  const exact = directBlocks(rows, OH, OW) && !(pool && (OH & 1) != 0),
    inRows = exact && pool;
  const blk = off + ((<usize>R) << 2),
    counts = inRows ? poolBlocks(blk, OH, OW, W) : forwardBlocks(blk, rows, PT, OH, OW, W, exact);
  const nb = counts & 0xffff,
    vectorBlocks = inRows ? counts >>> 16 : nb;
  const fused = exact ? activation : 0,
    PSB = exact ? (<usize>P) << 2 : RS,
    PPB = (<usize>((OH >> 1) * (OW >> 1))) << 2,
    rowBytes = (<usize>OW) << 2;
  for (let n = 0; n < B; n++) {
    let x = inp + ((<usize>(n * C * H * W)) << 2);
    if (!rows) {
      im2col(col, x, C, H, W, K, OH, OW, PS, PS);
      x = col;
    }
    const planes = exact ? out + ((<usize>(n * OC * P)) << 2) : tmp,
      pooledPlanes = pooled + <usize>(n * OC) * PPB;
    for (let oc = 0; oc < OC4; oc += 4) {
      const t0 = planes + <usize>oc * PSB,
        p0 = pooledPlanes + <usize>oc * PPB,
        wb = pk + ((<usize>(oc * R)) << 2);
      for (let k = 0; k < nb; k++) {
        const bk = blk + ((<usize>k) << 4),
          p = load<i32>(bk),
          d = <usize>load<i32>(bk, 4);
        let a0 = v128.load32_splat(b + ((<usize>oc) << 2)),
          a1 = v128.load32_splat(b + ((<usize>(oc + 1)) << 2));
        let a2 = v128.load32_splat(b + ((<usize>(oc + 2)) << 2)),
          a3 = v128.load32_splat(b + ((<usize>(oc + 3)) << 2));
        let c0 = a0,
          c1 = a1,
          c2 = a2,
          c3 = a3;
        const xp = x + ((<usize>p) << 2);
        let wp = wb,
          op = off;
        for (let r = 0; r < R; r++) {
          const xr = xp + <usize>load<i32>(op);
          const x0 = v128.load(xr),
            x1 = v128.load(xr + d);
          let s = v128.load32_splat(wp);
          a0 = madd(s, x0, a0);
          c0 = madd(s, x1, c0);
          s = v128.load32_splat(wp, 4);
          a1 = madd(s, x0, a1);
          c1 = madd(s, x1, c1);
          s = v128.load32_splat(wp, 8);
          a2 = madd(s, x0, a2);
          c2 = madd(s, x1, c2);
          s = v128.load32_splat(wp, 12);
          a3 = madd(s, x0, a3);
          c3 = madd(s, x1, c3);
          op += 4;
          wp += 16;
        }
        const rest = k >= vectorBlocks;
        storeBlockPair(
          a0,
          c0,
          a1,
          c1,
          bk,
          rest,
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
        const t2 = t0 + 2 * PSB,
          p2 = p0 + 2 * PPB;
        storeBlockPair(
          a2,
          c2,
          a3,
          c3,
          bk,
          rest,
          t2,
          p2,
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
    forwardRestChannels(
      x,
      planes,
      pooledPlanes,
      w,
      b,
      OC4,
      OC,
      R,
      off,
      blk,
      nb,
      vectorBlocks,
      PSB,
      PPB,
      rowBytes,
      fused,
      keep,
      exact,
      inRows,
    );
    if (exact) continue;
    scratchToOutput(out, pooled, tmp, n, OC, OH, OW, PT, pitch, activation);
  }
  return 0;
}

// One image's scratch planes (OC planes PT floats apart, rows `pitch` floats apart) to the output:
// out = tmp or its activation, a plane at a time when its rows are contiguous, else row by row;
// and with `pooled`, its pooling (from out when it is kept, else from tmp after its activation in
// place).
function scratchToOutput(
  out: usize,
  pooled: usize,
  tmp: usize,
  n: i32,
  OC: i32,
  OH: i32,
  OW: i32,
  PT: i32,
  pitch: i32,
  activation: i32,
): void {
  const P = OH * OW,
    PP = (OH >> 1) * (OW >> 1);
  const rowsPer = pitch == OW ? 1 : OH,
    len = pitch == OW ? P : OW;
  for (let o = 0; o < OC; o++) {
    const plane = tmp + ((<usize>(o * PT)) << 2),
      whole = out + ((<usize>((n * OC + o) * P)) << 2);
    if (out)
      for (let y = 0; y < rowsPer; y++) {
        const dst = whole + ((<usize>(y * OW)) << 2),
          src = plane + ((<usize>(y * pitch)) << 2);
        activateRow(dst, src, len, activation);
      }
    if (!pooled) continue;
    const dst = pooled + ((<usize>((n * OC + o) * PP)) << 2);
    if (out) {
      avgPoolPlane(dst, whole, OH, OW, OW);
      continue;
    }
    if (activation)
      for (let y = 0; y < rowsPer; y++) {
        const row = plane + ((<usize>(y * pitch)) << 2);
        activateRow(row, row, len, activation);
      }
    avgPoolPlane(dst, plane, OH, OW, pitch);
  }
}
