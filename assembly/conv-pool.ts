// 2x2 average pooling inside the direct convolution's forward pass (conv-forward.ts): the blocks
// that cover two output rows at a time, and the pooled store of one block. Each pooled output is
// the sum avgPool2Forward (pooling.ts) computes, with its additions in the same order, so a pooled
// pass gives the bits of the convolution followed by the pooling layer.
import { setBlock } from './conv-layout';

// The blocks of a pooled pass (OH even, OW a multiple of 4), as [p, d, q, e] (see forwardBlocks):
// four columns of two rows, p = oy * W + ox and d = one input row, q = oy * OW + ox the first
// output and e = (oy / 2) * (OW / 2) + ox / 2 its pooled output. avgPool2Forward adds the columns
// it pools four at a time in one order and the rest of a row in another: those blocks come last.
// Returns the number of blocks, and in the upper 16 bits the number of those before the rest.
export function poolBlocks(blk: usize, OH: i32, OW: i32, W: i32): i32 {
  const PW = OW >> 1,
    vectorColumns = (PW & ~3) << 1;
  let nb = 0;
  for (let oy = 0; oy < OH; oy += 2)
    for (let ox = 0; ox < vectorColumns; ox += 4) {
      setBlock(blk, nb, oy * W + ox, W << 2, oy * OW + ox, (oy >> 1) * PW + (ox >> 1));
      nb++;
    }
  const before = nb;
  for (let oy = 0; oy < OH; oy += 2)
    for (let ox = vectorColumns; ox < OW; ox += 4) {
      setBlock(blk, nb, oy * W + ox, W << 2, oy * OW + ox, (oy >> 1) * PW + (ox >> 1));
      nb++;
    }
  return nb | (before << 16);
}

// The two pooled outputs of a block's rows a (columns x..x+3) and c (the same columns a row
// below), stored at pp: (a0 + c0) + (a1 + c1) as avgPool2Forward's vectors add them, or with
// `rest`, ((a0 + a1) + c0) + c1 as it adds the rest of a row; then times 1/4.
@inline export function storePooled(a: v128, c: v128, pp: usize, rest: bool): void {
  let s: v128;
  if (rest) {
    s = f32x4.add(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2));
    s = f32x4.add(s, c);
    s = f32x4.add(s, v128.shuffle<f32>(c, c, 1, 0, 3, 2));
  } else {
    const v = f32x4.add(a, c);
    s = f32x4.add(v, v128.shuffle<f32>(v, v, 1, 0, 3, 2));
  }
  s = f32x4.mul(s, f32x4.splat(0.25));
  v128.store64_lane(pp, v128.shuffle<f32>(s, s, 0, 2, 0, 2), 0);
}
