// 5x5 convolutions (stride 1, no padding, even output sides, four or more input channels: LeNet-5's
// second layer) by the Winograd minimal filtering algorithm F(2x2, 5x5) (Lavin & Gray, 2016), or
// F(4x4, 5x5) where the output sides are multiples of 4 (tileSide below; its transforms in
// winograd-transforms8.ts, 64 multiplications per 4x4 block instead of 400). F(2x2, 5x5): each
// 2x2 block of outputs is A^T [sum_c (G g G^T) . (B^T d B)] A over a 6x6 block of input, 36
// multiplications per channel pair instead of 100. The backward pass works in the same transformed
// domain: dU = sum over tiles of dM . V gives the weight gradient as G^T dU G, and dV = U^T dM the
// input gradient as B dV B^T, added over overlapping tiles; dM = A dY A^T.
//
// The points are 0, 1, -1, 2, -2 and infinity. The rows of B^T are scaled to integers and the rows
// of G by the inverse factors, so that the input transforms are additions and small multiples:
//   B^T = [4 0 -5 0 1 0; 0 4 4 -1 -1 0; 0 -4 4 1 -1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0 0 0; 1/6 1/6 1/6 1/6 1/6; 1/6 -1/6 1/6 -1/6 1/6;
//          1/24 1/12 1/6 1/3 2/3; 1/24 -1/12 1/6 -1/3 2/3; 0 0 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
// Results differ from the direct convolution by float32 rounding (about 1e-6 relative, 4e-6 for
// F(4x4, 5x5), whose points reach 1/2 and whose G has 2/9 and 1/90; tested against the reference
// kernels).
//
// Four images at a time, one per SIMD lane: a group's inputs are first interleaved ([C, H, W] of
// 4-image vectors), so every transform is the scalar algorithm on vectors and no shuffles are
// needed. Batches that are not a multiple of 4 leave lanes of zeros. Scratch layout (bytes from
// `scratch`, every part 16-aligned), T = tiles per image, TP = T rounded up to even, XI = 36 or 64:
//   Xi [C*H*W] vectors, U [XI][C][OC] floats, V [XI][C][TP] vectors, M [XI][OC][TP] vectors,
//   E [ALPHA][W] vectors, tmp TMP_VECTORS vectors, Yi or dYi [OC*OH*OW] vectors (outputs or their
//   gradient, interleaved); backward also dV [XI][C][TP] and dU [XI][C][OC] vectors (F(4x4, 5x5):
//   dU [XI][OC][C rounded up to 4] floats, winograd-weight-product4.ts).
//
// The room: this file (when it applies, its scratch), winograd-transforms.ts and
// winograd-transforms8.ts (the 1-D transforms), winograd-tiles4.ts (F(4x4, 5x5)'s output tiles),
// winograd-layout.ts (weights transformed, images interleaved), winograd-forward.ts,
// winograd-backward.ts, winograd-gradients.ts, winograd-input-product.ts and
// winograd-weight-product4.ts (the backward pass's pieces).

// With fewer than four input channels the transforms cost more than the multiplications they save.
// A group's scratch must fit the kernels' fixed scratch region (SCRATCH in src/engine/wasm.ts).
export function winogradApplies(C: i32, H: i32, W: i32, K: i32, OC: i32): bool {
  return (
    K == 5 &&
    C >= 4 &&
    H >= 6 &&
    W >= 6 &&
    ((H - 4) & 1) == 0 &&
    ((W - 4) & 1) == 0 &&
    winogradScratchFloats(C, H, W, OC) <= 1 << 19
  );
}

// The side m of an output tile: 4, F(4x4, 5x5), where both output sides are multiples of 4 (the
// Caffe LeNet-5's second convolution, 8x8), else 2, F(2x2, 5x5) (LeNet-5's, 10x10). The tile's
// input block is m + 4 on a side, ALPHA below, and there are ALPHA^2 transformed values (XI).
@inline export function tileSide(H: i32, W: i32): i32 {
  return ((H - 4) & 3) == 0 && ((W - 4) & 3) == 0 ? 4 : 2;
}

// Tiles per image rounded up to even (the products take two at a time).
@inline export function tilesPadded(H: i32, W: i32, m: i32): i32 {
  return (((H - 4) / m) * ((W - 4) / m) + 1) & ~1;
}
@inline export function align4(n: i32): i32 {
  return (n + 3) & ~3;
}

// Vectors of `tmp` (winograd-forward.ts, winograd-backward.ts).
export const TMP_VECTORS = 160;

// The scratch's parts, in the order of the layout above; PART_END is its size.
export const PART_U = 1,
  PART_V = 2,
  PART_M = 3,
  PART_E = 4,
  PART_TMP = 5,
  PART_Y = 6,
  PART_DV = 7,
  PART_DU = 8,
  PART_END = 9;

// The byte offset of a part of the scratch from its start (Xi, part 0, is at 0).
@inline export function scratchPart(part: i32, C: i32, H: i32, W: i32, OC: i32): usize {
  const m = tileSide(H, W),
    A = m + 4,
    XI = A * A,
    TP = tilesPadded(H, W, m);
  let at: usize = (<usize>(C * H * W)) << 4;
  if (part == PART_U) return at;
  at += (<usize>align4(XI * C * OC)) << 2;
  if (part == PART_V) return at;
  at += (<usize>(XI * C * TP)) << 4;
  if (part == PART_M) return at;
  at += (<usize>(XI * OC * TP)) << 4;
  if (part == PART_E) return at;
  at += (<usize>(A * W)) << 4;
  if (part == PART_TMP) return at;
  at += TMP_VECTORS * 16;
  if (part == PART_Y) return at;
  at += (<usize>(OC * (H - 4) * (W - 4))) << 4;
  if (part == PART_DV) return at;
  at += (<usize>(XI * C * TP)) << 4;
  if (part == PART_DU) return at;
  return at + ((<usize>(XI * C * OC)) << 4);
}

export function winogradScratchFloats(C: i32, H: i32, W: i32, OC: i32): i32 {
  return <i32>(scratchPart(PART_END, C, H, W, OC) >> 2);
}
