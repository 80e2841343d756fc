// Fast float32 kernels for the LeNet-class engine, compiled to WebAssembly with 128-bit SIMD.
// Same contracts as src/engine/reference.ts (the oracle they are tested against): every pointer
// is a byte offset into the imported memory; backward passes ADD into dW/dB and SET dInp.
// Layouts: conv input [batch, channels, height, width], conv weight [out, in, k, k], dense weight [out, in].
// Nothing here allocates; the JS side owns the memory (see src/engine/wasm.ts).

import { hsum, hsum4, madd, tanh4 } from './simd';
export * from './layers';
import {
  winogradApplies,
  winogradBackward,
  winogradForward,
  winogradScratchFloats,
} from './winograd';

// Convolutions: 5x5 of four or more channels by the Winograd algorithm (winograd.ts); otherwise as
// below (the forward pass of layers with wide rows without the im2col copy: see conv2dForward).
// Convolution as im2col + register-blocked matrix products. R = C*K*K, P = OH*OW, PS = P rounded up
// past P + 3 to 8 and zero-padded, so that the inner loops never need a scalar tail. Forward, one image at a
// time: scratch holds col [R, PS], tmp [OC, PS] and the packed weights. Backward, a chunk of up to
// CHUNK_MAX images at a time (as many as fit the scratch budget): col [R, nb*PS] and g [OC, nb*PS]
// with the images side by side, so that dW is one long product per chunk, then dcol [R, PS] per image.
@inline function padded(P: i32): i32 {
  return (P + 3 + 7) & ~7;
} // at least 3 floats of padding (see im2col)

const SCRATCH_BUDGET = 1 << 18,
  CHUNK_MAX = 16;

@inline function backwardChunk(R: i32, OC: i32, PS: i32): i32 {
  const c = (SCRATCH_BUDGET - R * PS) / ((R + OC) * PS);
  return c < 1 ? 1 : c > CHUNK_MAX ? CHUNK_MAX : c;
}

export function convScratchFloats(C: i32, K: i32, OC: i32, OH: i32, OW: i32): i32 {
  const H = OH + K - 1,
    W = OW + K - 1;
  const PS = padded(OH * OW),
    R = C * K * K;
  const PT = (K - 1) * 6 <= OW ? (OH * W + 7) & ~7 : PS,
    blocks = 4 * (PT / 8 + OH + 1);
  const forward = ((K - 1) * 6 <= OW ? OC * PT : (2 * R + OC) * PS) + OC * R + R + blocks;
  const backward = (R + OC) * backwardChunk(R, OC, PS) * PS + R * PS;
  const direct = forward > backward ? forward : backward;
  if (!(winograd && winogradApplies(C, H, W, K, OC))) return direct;
  // small forward batches take the direct kernels (see conv2dForward)
  const transformed = winogradScratchFloats(C, H, W, OC);
  return transformed > direct ? transformed : direct;
}

// Forward batches of fewer images than this take the direct kernels even where Winograd applies:
// Winograd works on four images at a time (one per SIMD lane) after transforming the weights, so
// one image costs as much as four (44 us against the direct kernels' 15 us for LeNet-5's conv2).
// An image's outputs then depend on whether it came alone or in a pair (by float32 rounding), so
// every caller splits its batches the same way on one thread and on two (train/trainer.ts).
const WINOGRAD_MIN_BATCH = 3;

// 5x5 convolutions of four or more channels with even output sides go through winograd.ts (about 2.8
// times fewer multiplications) unless turned off (for tests and benchmarks of the direct kernels).
let winograd = true;
export function setWinograd(on: i32): void {
  winograd = on != 0;
}

// Small row copies with SIMD moves: memory.copy's per-call cost dominates for rows of 10-28 floats.
@inline function copyRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4)
    v128.store(dst + ((<usize>i) << 2), v128.load(src + ((<usize>i) << 2)));
  for (; i < n; i++) store<f32>(dst + ((<usize>i) << 2), load<f32>(src + ((<usize>i) << 2)));
}

// col[r, p] = x[c, oy + ky, ox + kx] for r = (c, ky, kx), p = (oy, ox); rows `stride` floats apart.
// Each output row is copied in whole vectors: up to 3 floats too many, which the next row's copy
// overwrites or, after the last row, land in the padding [P, PS) that is zeroed afterwards. (The
// reads run up to 3 floats past the image, inside the network's memory: the values are discarded.)
function im2col(
  col: usize,
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  K: i32,
  OH: i32,
  OW: i32,
  PS: i32,
  stride: i32,
): void {
  const P = OH * OW,
    OWB = (<usize>OW) << 2,
    WB = (<usize>W) << 2;
  for (let c = 0; c < C; c++)
    for (let ky = 0; ky < K; ky++)
      for (let kx = 0; kx < K; kx++) {
        const row = col + ((<usize>(((c * K + ky) * K + kx) * stride)) << 2);
        let src = x + ((<usize>((c * H + ky) * W + kx)) << 2),
          dst = row;
        for (let oy = 0; oy < OH; oy++) {
          for (let i: usize = 0; i < OWB; i += 16) v128.store(dst + i, v128.load(src + i));
          src += WB;
          dst += OWB;
        }
        for (let p = P; p < PS; p++) store<f32>(row + ((<usize>p) << 2), 0);
      }
}

// The forward pass's blocks of eight positions, as [p, d, q, e] at blk (16 bytes each): the
// positions p..p+3 and p+d/4..p+d/4+3 (d in bytes) of the computation, written to q..q+3 and
// q+e/4..q+e/4+3. On the input's row pitch (`rows`), only the OW columns of each output row that
// are kept: whole blocks of eight, and a row's last four columns paired with the next row's (d = W
// floats; the last of an odd number of rows with the row above it, computed twice). When those
// blocks cover each row exactly (OW a multiple of 4) they go straight to the output (q = oy * OW +
// ox: `direct`). Otherwise (more than four columns left over, or one row) every position of the
// pitch up to PT, as a run of blocks; these, and blocks of rows that end with 1 to 3 columns, go to
// the scratch planes (q = p) and are copied to the output afterwards. Each output is the same sum
// whichever block computes it. Returns the number of blocks.
@inline function pairedBlocks(rows: bool, OH: i32, OW: i32): bool {
  return rows && OW - (OW & ~7) <= 4 && OH >= 2;
}

@inline function directBlocks(rows: bool, OH: i32, OW: i32): bool {
  return pairedBlocks(rows, OH, OW) && (OW & 3) == 0;
}

function forwardBlocks(blk: usize, rows: bool, PT: i32, OH: i32, OW: i32, W: i32): i32 {
  const full = OW & ~7,
    rem = OW - full;
  let nb = 0;
  if (!pairedBlocks(rows, OH, OW)) {
    for (let p = 0; p < PT; p += 8) {
      setBlock(blk, nb, p, 16, p, 16);
      nb++;
    }
    return nb;
  }
  const direct = directBlocks(rows, OH, OW),
    pitch = direct ? OW : W;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < full; ox += 8) {
      setBlock(blk, nb, oy * W + ox, 16, oy * pitch + ox, 16);
      nb++;
    }
  if (rem > 0)
    for (let oy = 0; oy < OH; oy += 2) {
      const next = oy + 1 < OH ? 1 : -1;
      setBlock(blk, nb, oy * W + full, (next * W) << 2, oy * pitch + full, (next * pitch) << 2);
      nb++;
    }
  return nb;
}

@inline function setBlock(blk: usize, k: i32, p: i32, d: i32, q: i32, e: i32): void {
  const at = blk + ((<usize>k) << 4);
  store<i32>(at, p);
  store<i32>(at, d, 4);
  store<i32>(at, q, 8);
  store<i32>(at, e, 12);
}

// Forward: out[oc] = b[oc] + W[oc, :] col, four output channels by eight positions at a time, as
// products over rows x + off[r] of the im2col matrix; the weights of each block of four channels are
// first packed as [R][4], so that the inner loop reads them with one pointer and immediate offsets.
// Layers with wide rows (the first: K - 1 extra columns are at most a sixth of a row) skip im2col:
// their outputs are computed on the input's row pitch, position p = oy * W + ox for ox < W, so that
// im2col row r = (c, ky, kx) is the image itself shifted by (c * H + ky) * W + kx and the products
// read the image (in L1) instead of a copy K*K times its size; the K - 1 columns past each output row
// are computed and dropped. (Reads run up to K + 6 floats past the image, inside the network's memory.)
// Otherwise each image is copied by im2col (positions p = oy * OW + ox, rows PS floats apart).
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
  tanh: i32,
): void {
  if (winograd && B >= WINOGRAD_MIN_BATCH && winogradApplies(C, H, W, K, OC)) {
    winogradForward(out, inp, w, b, B, C, H, W, OC, scratch, tanh);
    return;
  }
  const OH = H - K + 1,
    OW = W - K + 1,
    P = OH * OW,
    R = C * K * K,
    OC4 = OC & ~3,
    rows = (K - 1) * 6 <= OW;
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
  const blk = off + ((<usize>R) << 2),
    nb = forwardBlocks(blk, rows, PT, OH, OW, W);
  // direct blocks write the output planes (tanh taken in registers), others the scratch planes
  const exact = directBlocks(rows, OH, OW),
    fuse = exact && tanh != 0,
    PSB = exact ? (<usize>P) << 2 : RS;
  for (let n = 0; n < B; n++) {
    let x = inp + ((<usize>(n * C * H * W)) << 2);
    if (!rows) {
      im2col(col, x, C, H, W, K, OH, OW, PS, PS);
      x = col;
    }
    const planes = exact ? out + ((<usize>(n * OC * P)) << 2) : tmp;
    for (let oc = 0; oc < OC4; oc += 4) {
      const t0 = planes + <usize>oc * PSB,
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
        if (fuse) {
          a0 = tanh4(a0);
          c0 = tanh4(c0);
          a1 = tanh4(a1);
          c1 = tanh4(c1);
          a2 = tanh4(a2);
          c2 = tanh4(c2);
          a3 = tanh4(a3);
          c3 = tanh4(c3);
        }
        const o = t0 + ((<usize>load<i32>(bk, 8)) << 2),
          e = o + <usize>load<i32>(bk, 12);
        v128.store(o, a0);
        v128.store(e, c0);
        v128.store(o + PSB, a1);
        v128.store(e + PSB, c1);
        v128.store(o + 2 * PSB, a2);
        v128.store(e + 2 * PSB, c2);
        v128.store(o + 3 * PSB, a3);
        v128.store(e + 3 * PSB, c3);
      }
    }
    let oc = OC4;
    for (; oc + 2 <= OC; oc += 2) {
      const w0 = w + ((<usize>(oc * R)) << 2),
        w1 = w0 + ((<usize>R) << 2),
        t0 = planes + <usize>oc * PSB,
        t1 = t0 + PSB;
      for (let k = 0; k < nb; k++) {
        const bk = blk + ((<usize>k) << 4),
          p = load<i32>(bk),
          d = <usize>load<i32>(bk, 4);
        let a0 = v128.load32_splat(b + ((<usize>oc) << 2)),
          c0 = a0,
          a1 = v128.load32_splat(b + ((<usize>(oc + 1)) << 2)),
          c1 = a1;
        const xp = x + ((<usize>p) << 2);
        for (let r = 0; r < R; r++) {
          const ro = (<usize>r) << 2,
            xr = xp + <usize>load<i32>(off + ro);
          const x0 = v128.load(xr),
            x1 = v128.load(xr + d);
          let s = v128.load32_splat(w0 + ro);
          a0 = madd(s, x0, a0);
          c0 = madd(s, x1, c0);
          s = v128.load32_splat(w1 + ro);
          a1 = madd(s, x0, a1);
          c1 = madd(s, x1, c1);
        }
        if (fuse) {
          a0 = tanh4(a0);
          c0 = tanh4(c0);
          a1 = tanh4(a1);
          c1 = tanh4(c1);
        }
        const q = (<usize>load<i32>(bk, 8)) << 2,
          e = <usize>load<i32>(bk, 12);
        v128.store(t0 + q, a0);
        v128.store(t0 + q + e, c0);
        v128.store(t1 + q, a1);
        v128.store(t1 + q + e, c1);
      }
    }
    for (; oc < OC; oc++) {
      const w0 = w + ((<usize>(oc * R)) << 2),
        t0 = planes + <usize>oc * PSB;
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
        if (fuse) {
          a0 = tanh4(a0);
          c0 = tanh4(c0);
        }
        const o = t0 + ((<usize>load<i32>(bk, 8)) << 2);
        v128.store(o, a0);
        v128.store(o + <usize>load<i32>(bk, 12), c0);
      }
    }
    if (exact) continue;
    // out = tmp (or its tanh), a plane at a time when its rows are contiguous, else row by row
    const rowsPer = pitch == OW ? 1 : OH,
      len = pitch == OW ? P : OW;
    for (let o = 0; o < OC; o++)
      for (let y = 0; y < rowsPer; y++) {
        const dst = out + ((<usize>((n * OC + o) * P + y * OW)) << 2),
          src = tmp + ((<usize>(o * PT + y * pitch)) << 2);
        if (tanh) tanhForward(dst, src, len);
        else copyRow(dst, src, len);
      }
  }
}

// dB[oc] += the sum of g's row oc (OC rows of n floats, n a multiple of 4).
@inline function addBiasGrad(dB: usize, g: usize, OC: i32, n: i32): void {
  for (let oc = 0; oc < OC; oc++) {
    const gr = g + ((<usize>(oc * n)) << 2);
    let acc = f32x4.splat(0);
    for (let p = 0; p < n; p += 4) acc = f32x4.add(acc, v128.load(gr + ((<usize>p) << 2)));
    store<f32>(dB + ((<usize>oc) << 2), load<f32>(dB + ((<usize>oc) << 2)) + hsum(acc));
  }
}

// dW[oc, r] += sum over images and positions of g[oc, p] * x[c, oy + ky, ox + kx], r = (c, ky, kx),
// read from the input directly: for the first layer (no input gradient) with rows of a multiple of
// 4 outputs. Two channels by four r at a time (each r an offset into the input), one image at a time
// so that the image and its gradient rows stay in L1.
function convWeightGradDirect(
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
    addBiasGrad(dB, g, OC, P);
    let oc = 0;
    for (; oc + 2 <= OC; oc += 2) {
      const g0 = g + ((<usize>(oc * P)) << 2),
        g1 = g0 + PB,
        d0 = dW + ((<usize>(oc * R)) << 2),
        d1 = d0 + RB;
      let r = 0;
      for (; r + 4 <= R; r += 4) {
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
      for (; r < R; r++) {
        const o0 = <usize>load<i32>(off + ((<usize>r) << 2));
        let a0 = f32x4.splat(0),
          e0 = a0;
        let gp: usize = 0,
          xr = x;
        for (let oy = 0; oy < OH; oy++) {
          for (let q = 0; q < Q; q++) {
            const t = v128.load(xr + ((<usize>q) << 4) + o0);
            a0 = madd(v128.load(g0 + gp), t, a0);
            e0 = madd(v128.load(g1 + gp), t, e0);
            gp += 16;
          }
          xr += WB;
        }
        store<f32>(d0 + ((<usize>r) << 2), load<f32>(d0 + ((<usize>r) << 2)) + hsum(a0));
        store<f32>(d1 + ((<usize>r) << 2), load<f32>(d1 + ((<usize>r) << 2)) + hsum(e0));
      }
    }
    for (; oc < OC; oc++) {
      const g0 = g + ((<usize>(oc * P)) << 2),
        d0 = dW + ((<usize>(oc * R)) << 2);
      for (let r = 0; r < R; r++) {
        const o0 = <usize>load<i32>(off + ((<usize>r) << 2));
        let a0 = f32x4.splat(0);
        let gp: usize = 0,
          xr = x;
        for (let oy = 0; oy < OH; oy++) {
          for (let q = 0; q < Q; q++) {
            a0 = madd(v128.load(g0 + gp), v128.load(xr + ((<usize>q) << 4) + o0), a0);
            gp += 16;
          }
          xr += WB;
        }
        store<f32>(d0 + ((<usize>r) << 2), load<f32>(d0 + ((<usize>r) << 2)) + hsum(a0));
      }
    }
  }
}

// dInp may be 0 (not needed for the first layer).
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
): void {
  // every path below adds into dW and dB (a chunk of images, or a group of four, at a time)
  memory.fill(dW, 0, (<usize>(OC * C * K * K)) << 2);
  memory.fill(dB, 0, (<usize>OC) << 2);
  if (winograd && winogradApplies(C, H, W, K, OC)) {
    winogradBackward(dInp, dW, dB, dOut, inp, w, B, C, H, W, OC, scratch);
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

// out[n, o] = b[o] + <w[o], x[n]>. Two images by four outputs at a time (eight independent
// accumulators, so the loop is bound by arithmetic, not by the latency of one chain of additions).
export function denseForward(
  out: usize,
  inp: usize,
  w: usize,
  b: usize,
  B: i32,
  I: i32,
  O: i32,
): void {
  const I4 = I & ~3,
    IB = (<usize>I) << 2,
    O4 = O & ~3;
  let n = 0;
  for (; n + 2 <= B; n += 2) {
    const x0 = inp + ((<usize>(n * I)) << 2),
      x1 = x0 + IB;
    for (let o = 0; o < O4; o += 4) {
      const w0 = w + ((<usize>(o * I)) << 2),
        w1 = w0 + IB,
        w2 = w1 + IB,
        w3 = w2 + IB;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0,
        c0 = a0,
        c1 = a0,
        c2 = a0,
        c3 = a0;
      for (let i = 0; i < I4; i += 4) {
        const io = (<usize>i) << 2,
          u = v128.load(x0 + io),
          v = v128.load(x1 + io);
        let q = v128.load(w0 + io);
        a0 = madd(q, u, a0);
        c0 = madd(q, v, c0);
        q = v128.load(w1 + io);
        a1 = madd(q, u, a1);
        c1 = madd(q, v, c1);
        q = v128.load(w2 + io);
        a2 = madd(q, u, a2);
        c2 = madd(q, v, c2);
        q = v128.load(w3 + io);
        a3 = madd(q, u, a3);
        c3 = madd(q, v, c3);
      }
      const bias = v128.load(b + ((<usize>o) << 2));
      let s0 = f32x4.add(hsum4(a0, a1, a2, a3), bias),
        s1 = f32x4.add(hsum4(c0, c1, c2, c3), bias);
      for (let i = I4; i < I; i++) {
        const io = (<usize>i) << 2;
        const wv = f32x4.replace_lane(
          f32x4.replace_lane(
            f32x4.replace_lane(f32x4.splat(load<f32>(w0 + io)), 1, load<f32>(w1 + io)),
            2,
            load<f32>(w2 + io),
          ),
          3,
          load<f32>(w3 + io),
        );
        s0 = madd(wv, v128.load32_splat(x0 + io), s0);
        s1 = madd(wv, v128.load32_splat(x1 + io), s1);
      }
      v128.store(out + ((<usize>(n * O + o)) << 2), s0);
      v128.store(out + ((<usize>((n + 1) * O + o)) << 2), s1);
    }
    for (let o = O4; o < O; o++) {
      denseDot(out, x0, w, b, n, I, O, o);
      denseDot(out, x1, w, b, n + 1, I, O, o);
    }
  }
  // an odd last image: the same operations, in the same order, as for each image of a pair, so an
  // image's outputs never depend on where it falls in a batch (one thread or two, any batch size)
  for (; n < B; n++) {
    const x0 = inp + ((<usize>(n * I)) << 2);
    for (let o = 0; o < O4; o += 4) {
      const w0 = w + ((<usize>(o * I)) << 2),
        w1 = w0 + IB,
        w2 = w1 + IB,
        w3 = w2 + IB;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0;
      for (let i = 0; i < I4; i += 4) {
        const io = (<usize>i) << 2,
          u = v128.load(x0 + io);
        a0 = madd(v128.load(w0 + io), u, a0);
        a1 = madd(v128.load(w1 + io), u, a1);
        a2 = madd(v128.load(w2 + io), u, a2);
        a3 = madd(v128.load(w3 + io), u, a3);
      }
      let s0 = f32x4.add(hsum4(a0, a1, a2, a3), v128.load(b + ((<usize>o) << 2)));
      for (let i = I4; i < I; i++) {
        const io = (<usize>i) << 2;
        const wv = f32x4.replace_lane(
          f32x4.replace_lane(
            f32x4.replace_lane(f32x4.splat(load<f32>(w0 + io)), 1, load<f32>(w1 + io)),
            2,
            load<f32>(w2 + io),
          ),
          3,
          load<f32>(w3 + io),
        );
        s0 = madd(wv, v128.load32_splat(x0 + io), s0);
      }
      v128.store(out + ((<usize>(n * O + o)) << 2), s0);
    }
    for (let o = O4; o < O; o++) denseDot(out, x0, w, b, n, I, O, o);
  }
}

@inline function denseDot(
  out: usize,
  x: usize,
  w: usize,
  b: usize,
  n: i32,
  I: i32,
  O: i32,
  o: i32,
): void {
  const wr = w + ((<usize>(o * I)) << 2),
    I4 = I & ~3;
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i < I4; i += 4)
    acc = madd(v128.load(wr + ((<usize>i) << 2)), v128.load(x + ((<usize>i) << 2)), acc);
  let s = hsum(acc) + load<f32>(b + ((<usize>o) << 2));
  for (; i < I; i++) s += load<f32>(wr + ((<usize>i) << 2)) * load<f32>(x + ((<usize>i) << 2));
  store<f32>(out + ((<usize>(n * O + o)) << 2), s);
}

export function denseBackward(
  dInp: usize,
  dW: usize,
  dB: usize,
  dOut: usize,
  inp: usize,
  w: usize,
  B: i32,
  I: i32,
  O: i32,
): void {
  const OB = (<usize>O) << 2,
    IB = (<usize>I) << 2,
    I8 = I & ~7,
    O4 = O & ~3;
  for (let o = 0; o < O; o++) {
    let sb: f32 = 0;
    for (let n = 0; n < B; n++) sb += load<f32>(dOut + ((<usize>(n * O + o)) << 2));
    store<f32>(dB + ((<usize>o) << 2), <f32>0 + sb);
  }
  // dW[o, i] = sum_n g[n, o] * x[n, i]: four outputs by eight inputs at a time, in registers over the batch
  for (let o = 0; o < O4; o += 4) {
    const d0 = dW + ((<usize>(o * I)) << 2),
      d1 = d0 + IB,
      d2 = d1 + IB,
      d3 = d2 + IB;
    for (let i = 0; i < I8; i += 8) {
      const io = (<usize>i) << 2;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0,
        c0 = a0,
        c1 = a0,
        c2 = a0,
        c3 = a0;
      let gp = dOut + ((<usize>o) << 2),
        xp = inp + io;
      for (let n = 0; n < B; n++) {
        const u = v128.load(xp),
          v = v128.load(xp, 16);
        let s = v128.load32_splat(gp);
        a0 = madd(s, u, a0);
        c0 = madd(s, v, c0);
        s = v128.load32_splat(gp, 4);
        a1 = madd(s, u, a1);
        c1 = madd(s, v, c1);
        s = v128.load32_splat(gp, 8);
        a2 = madd(s, u, a2);
        c2 = madd(s, v, c2);
        s = v128.load32_splat(gp, 12);
        a3 = madd(s, u, a3);
        c3 = madd(s, v, c3);
        gp += OB;
        xp += IB;
      }
      v128.store(d0 + io, a0);
      v128.store(d1 + io, a1);
      v128.store(d2 + io, a2);
      v128.store(d3 + io, a3);
      v128.store(d0 + io, c0, 16);
      v128.store(d1 + io, c1, 16);
      v128.store(d2 + io, c2, 16);
      v128.store(d3 + io, c3, 16);
    }
    for (let k = 0; k < 4; k++) denseGradRow(dW, dOut, inp, B, I, O, o + k, I8);
  }
  for (let o = O4; o < O; o++) denseGradRow(dW, dOut, inp, B, I, O, o, 0);
  if (dInp == 0) return;
  // dInp[n, i] = sum_o g[n, o] * w[o, i]: four images by eight inputs at a time, in registers over the outputs
  let n = 0;
  for (; n + 4 <= B; n += 4) {
    const g0 = dOut + ((<usize>(n * O)) << 2),
      g1 = g0 + OB,
      g2 = g1 + OB,
      g3 = g2 + OB;
    const e0 = dInp + ((<usize>(n * I)) << 2),
      e1 = e0 + IB,
      e2 = e1 + IB,
      e3 = e2 + IB;
    for (let i = 0; i < I8; i += 8) {
      const io = (<usize>i) << 2;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0,
        c0 = a0,
        c1 = a0,
        c2 = a0,
        c3 = a0;
      let wp = w + io;
      for (let o = 0; o < O; o++) {
        const oo = (<usize>o) << 2,
          u = v128.load(wp),
          v = v128.load(wp, 16);
        let s = v128.load32_splat(g0 + oo);
        a0 = madd(s, u, a0);
        c0 = madd(s, v, c0);
        s = v128.load32_splat(g1 + oo);
        a1 = madd(s, u, a1);
        c1 = madd(s, v, c1);
        s = v128.load32_splat(g2 + oo);
        a2 = madd(s, u, a2);
        c2 = madd(s, v, c2);
        s = v128.load32_splat(g3 + oo);
        a3 = madd(s, u, a3);
        c3 = madd(s, v, c3);
        wp += IB;
      }
      v128.store(e0 + io, a0);
      v128.store(e1 + io, a1);
      v128.store(e2 + io, a2);
      v128.store(e3 + io, a3);
      v128.store(e0 + io, c0, 16);
      v128.store(e1 + io, c1, 16);
      v128.store(e2 + io, c2, 16);
      v128.store(e3 + io, c3, 16);
    }
    for (let k = 0; k < 4; k++) denseInputGradRow(dInp, dOut, w, I, O, n + k, I8);
  }
  for (; n < B; n++) denseInputGradRow(dInp, dOut, w, I, O, n, 0);
}

// dW[o, i] = sum_n g[n, o] * x[n, i] for one output o and i from i0.
@inline function denseGradRow(
  dW: usize,
  dOut: usize,
  inp: usize,
  B: i32,
  I: i32,
  O: i32,
  o: i32,
  i0: i32,
): void {
  const OB = (<usize>O) << 2,
    IB = (<usize>I) << 2,
    I4 = I & ~3,
    dwr = dW + ((<usize>(o * I)) << 2);
  let i = i0;
  for (; i < I4; i += 4) {
    const q = dwr + ((<usize>i) << 2);
    let acc = f32x4.splat(0);
    let gp = dOut + ((<usize>o) << 2),
      xp = inp + ((<usize>i) << 2);
    for (let n = 0; n < B; n++) {
      acc = madd(v128.load32_splat(gp), v128.load(xp), acc);
      gp += OB;
      xp += IB;
    }
    v128.store(q, acc);
  }
  for (; i < I; i++) {
    const q = dwr + ((<usize>i) << 2);
    let acc: f32 = 0;
    for (let n = 0; n < B; n++)
      acc +=
        load<f32>(dOut + ((<usize>(n * O + o)) << 2)) *
        load<f32>(inp + ((<usize>(n * I + i)) << 2));
    store<f32>(q, acc);
  }
}

// dInp[n, i] = sum_o g[n, o] * w[o, i] for one image n and i from i0.
@inline function denseInputGradRow(
  dInp: usize,
  dOut: usize,
  w: usize,
  I: i32,
  O: i32,
  n: i32,
  i0: i32,
): void {
  const IB = (<usize>I) << 2,
    I4 = I & ~3,
    d = dInp + ((<usize>(n * I)) << 2),
    gr = dOut + ((<usize>(n * O)) << 2);
  let i = i0;
  for (; i < I4; i += 4) {
    let acc = f32x4.splat(0);
    let wp = w + ((<usize>i) << 2);
    for (let o = 0; o < O; o++) {
      acc = madd(v128.load32_splat(gr + ((<usize>o) << 2)), v128.load(wp), acc);
      wp += IB;
    }
    v128.store(d + ((<usize>i) << 2), acc);
  }
  for (; i < I; i++) {
    let acc: f32 = 0;
    for (let o = 0; o < O; o++)
      acc += load<f32>(gr + ((<usize>o) << 2)) * load<f32>(w + ((<usize>(o * I + i)) << 2));
    store<f32>(d + ((<usize>i) << 2), acc);
  }
}

export function tanhForward(out: usize, inp: usize, n: i32): void {
  const n4 = n & ~3,
    n8 = n & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    // two independent vectors per iteration (the rational function is a long chain)
    const a = tanh4(v128.load(inp + ((<usize>i) << 2))),
      b = tanh4(v128.load(inp + ((<usize>i) << 2), 16));
    v128.store(out + ((<usize>i) << 2), a);
    v128.store(out + ((<usize>i) << 2), b, 16);
  }
  for (; i < n4; i += 4)
    v128.store(out + ((<usize>i) << 2), tanh4(v128.load(inp + ((<usize>i) << 2))));
  for (; i < n; i++) {
    const v = tanh4(f32x4.splat(load<f32>(inp + ((<usize>i) << 2))));
    store<f32>(out + ((<usize>i) << 2), f32x4.extract_lane(v, 0));
  }
}

// dInp = dOut * (1 - y^2), y the forward output.
export function tanhBackward(dInp: usize, dOut: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  const one = f32x4.splat(1);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const yv = v128.load(y + o);
    v128.store(dInp + o, f32x4.mul(v128.load(dOut + o), f32x4.sub(one, f32x4.mul(yv, yv))));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const yv = load<f32>(y + o);
    store<f32>(dInp + o, load<f32>(dOut + o) * (1 - yv * yv));
  }
}

// 2x2 average pooling, stride 2, over `planes` planes of H x W (H, W even); four outputs at a time
// (the pairs of two rows' sums separated by shuffles), the rest of each row one by one.
export function avgPool2Forward(out: usize, inp: usize, planes: i32, H: i32, W: i32): void {
  const OH = H >> 1,
    OW = W >> 1,
    OW4 = OW & ~3,
    WB = (<usize>W) << 2,
    q = f32x4.splat(0.25);
  for (let p = 0; p < planes; p++) {
    const ip = inp + ((<usize>(p * H * W)) << 2),
      op = out + ((<usize>(p * OH * OW)) << 2);
    for (let y = 0; y < OH; y++) {
      const r0 = ip + ((<usize>(2 * y * W)) << 2),
        r1 = r0 + WB,
        o = op + ((<usize>(y * OW)) << 2);
      let x = 0;
      for (; x < OW4; x += 4) {
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        const s0 = f32x4.add(v128.load(a), v128.load(c)),
          s1 = f32x4.add(v128.load(a, 16), v128.load(c, 16));
        v128.store(
          o + ((<usize>x) << 2),
          f32x4.mul(
            f32x4.add(v128.shuffle<f32>(s0, s1, 0, 2, 4, 6), v128.shuffle<f32>(s0, s1, 1, 3, 5, 7)),
            q,
          ),
        );
      }
      for (; x < OW; x++) {
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        store<f32>(
          o + ((<usize>x) << 2),
          (load<f32>(a) + load<f32>(a + 4) + load<f32>(c) + load<f32>(c + 4)) * 0.25,
        );
      }
    }
  }
}

export function avgPool2Backward(dInp: usize, dOut: usize, planes: i32, H: i32, W: i32): void {
  const OH = H >> 1,
    OW = W >> 1,
    OW4 = OW & ~3,
    WB = (<usize>W) << 2,
    q = f32x4.splat(0.25);
  for (let p = 0; p < planes; p++) {
    const ip = dInp + ((<usize>(p * H * W)) << 2),
      op = dOut + ((<usize>(p * OH * OW)) << 2);
    for (let y = 0; y < OH; y++) {
      const r0 = ip + ((<usize>(2 * y * W)) << 2),
        r1 = r0 + WB,
        o = op + ((<usize>(y * OW)) << 2);
      let x = 0;
      for (; x < OW4; x += 4) {
        const g = f32x4.mul(v128.load(o + ((<usize>x) << 2)), q);
        const lo = v128.shuffle<f32>(g, g, 0, 0, 1, 1),
          hi = v128.shuffle<f32>(g, g, 2, 2, 3, 3);
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        v128.store(a, lo);
        v128.store(a, hi, 16);
        v128.store(c, lo);
        v128.store(c, hi, 16);
      }
      for (; x < OW; x++) {
        const g = load<f32>(o + ((<usize>x) << 2)) * 0.25;
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        store<f32>(a, g);
        store<f32>(a + 4, g);
        store<f32>(c, g);
        store<f32>(c + 4, g);
      }
    }
  }
}

// SGD: g' = g + wd * p; v = mu * v + g' (when mu > 0); p -= lr * (v or g').
export function sgdStep(p: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, wd: f32): void {
  sgdUpdate(p, g, 0, v, n, lr, mu, wd);
}

// The reduction of two half-batch gradients and the SGD step in one pass: g += g2, then exactly
// sgdStep on the sum (the same float32 operations in the same order as accumulate then sgdStep, so
// the same numbers); the data-parallel helper updates one part of the parameters, the main thread
// the other (src/train/parallel.ts).
export function sgdStepSum(
  p: usize,
  g: usize,
  g2: usize,
  v: usize,
  n: i32,
  lr: f32,
  mu: f32,
  wd: f32,
): void {
  sgdUpdate(p, g, g2, v, n, lr, mu, wd);
}

// The step of both: with g2 (not 0) the gradient is first g + g2, stored back into g.
@inline function sgdUpdate(
  p: usize,
  g: usize,
  g2: usize,
  v: usize,
  n: i32,
  lr: f32,
  mu: f32,
  wd: f32,
): void {
  const n4 = n & ~3;
  const lrv = f32x4.splat(lr),
    muv = f32x4.splat(mu),
    wdv = f32x4.splat(wd);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    let gv = v128.load(g + o);
    if (g2) {
      gv = f32x4.add(gv, v128.load(g2 + o));
      v128.store(g + o, gv);
    }
    const pv = v128.load(p + o);
    let gi = madd(wdv, pv, gv);
    if (mu > 0) {
      gi = madd(muv, v128.load(v + o), gi);
      v128.store(v + o, gi);
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, gi)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    let gs = load<f32>(g + o);
    if (g2) {
      gs += load<f32>(g2 + o);
      store<f32>(g + o, gs);
    }
    let gi = gs + wd * load<f32>(p + o);
    if (mu > 0) {
      gi = mu * load<f32>(v + o) + gi;
      store<f32>(v + o, gi);
    }
    store<f32>(p + o, load<f32>(p + o) - lr * gi);
  }
}

// dst += src, elementwise (the fixed-order reduction of two half-batch gradients).
export function accumulate(dst: usize, src: usize, n: i32): void {
  addRow(dst, src, n);
}

// buf[0..n) = 0 with the bulk-memory fill.
export function zero(buf: usize, n: i32): void {
  memory.fill(buf, 0, (<usize>n) << 2);
}

@inline function addRow(dst: usize, src: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}
