// The direct convolutions' layout and scratch (shared by conv-forward.ts and conv-backward.ts), the
// switch to the Winograd kernels, and im2col.
import { align4, tileSide, winogradApplies, winogradScratchFloats } from './winograd';

// Convolutions: 5x5 of four or more channels by the Winograd algorithm (winograd.ts); otherwise as
// below (the forward pass of layers with wide rows without the im2col copy: see conv2dForward).
// Convolution as im2col + register-blocked matrix products. R = C*K*K, P = OH*OW, PS = P rounded up
// past P + 3 to 8 and zero-padded, so that the inner loops never need a scalar tail. Forward, one
// image at a time: scratch holds col [R, PS], tmp [OC, PS] and the packed weights. Backward, a
// chunk of up to CHUNK_MAX images at a time (as many as fit the scratch budget): col [R, nb*PS] and
// g [OC, nb*PS] with the images side by side, so that dW is one long product per chunk, then dcol
// [R, PS] per image.
// P rounded up to a multiple of 8 past at least 3 floats of padding (see im2col).
@inline export function padded(P: i32): i32 {
  return (P + 3 + 7) & ~7;
}

const SCRATCH_BUDGET = 1 << 18,
  CHUNK_MAX = 16;

@inline export function backwardChunk(R: i32, OC: i32, PS: i32): i32 {
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
export const WINOGRAD_MIN_BATCH = 3;

// 5x5 convolutions of four or more channels with even output sides go through winograd.ts (about
// 2.8 times fewer multiplications) unless turned off (for tests and benchmarks of the direct
// kernels).
let winograd = true;
@inline export function winogradOn(): bool {
  return winograd;
}
export function setWinograd(on: i32): void {
  winograd = on != 0;
}

// Floats of a layer's transformed weights where the Winograd kernels run it (conv2dForward's
// `transformed`), else 0.
export function transformedFloats(C: i32, H: i32, W: i32, OC: i32, K: i32): i32 {
  if (!(winograd && winogradApplies(C, H, W, K, OC))) return 0;
  const m = tileSide(H, W);
  return align4((m + 4) * (m + 4) * C * OC);
}

// col[r, p] = x[c, oy + ky, ox + kx] for r = (c, ky, kx), p = (oy, ox); rows `stride` floats apart.
// Each output row is copied in whole vectors: up to 3 floats too many, which the next row's copy
// overwrites or, after the last row, land in the padding [P, PS) that is zeroed afterwards. (The
// reads run up to 3 floats past the image, inside the network's memory: the values are discarded.)
export function im2col(
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
