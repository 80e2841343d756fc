// The direct convolution's forward pass (conv-forward.ts) works on blocks of eight positions, four
// output channels at a time: the positions each block computes and where its outputs go, for a
// plain pass and for a pass that also pools (two rows at a time), and the stores of a block.
import { activate4 } from './simd';
import { storePooled } from './pooling';

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
@inline export function pairedBlocks(rows: bool, OH: i32, OW: i32): bool {
  return rows && OW - (OW & ~7) <= 4 && OH >= 2;
}

@inline export function directBlocks(rows: bool, OH: i32, OW: i32): bool {
  return pairedBlocks(rows, OH, OW) && (OW & 3) == 0;
}

export function forwardBlocks(
  blk: usize,
  rows: bool,
  PT: i32,
  OH: i32,
  OW: i32,
  W: i32,
  direct: bool,
): i32 {
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
  const pitch = direct ? OW : W;
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

// The blocks of a pooled pass (OH even, OW a multiple of 4), as [p, d, q, e] (see forwardBlocks):
// four columns of two rows, p = oy * W + ox and d = one input row, q = oy * OW + ox the first
// output and e = (oy / 2) * (OW / 2) + ox / 2 its pooled output. avgPool2Forward adds the columns
// it pools four at a time in one order and the rest of a row in another: those blocks come last.
// Returns the number of blocks, and in the upper 16 bits the number of those before the rest.
export function poolBlocks(blk: usize, OH: i32, OW: i32, W: i32): i32 {
  const vectorColumns = ((OW >> 1) & ~3) << 1;
  const before = pairedRowBlocks(blk, 0, OH, OW, W, 0, vectorColumns);
  return pairedRowBlocks(blk, before, OH, OW, W, vectorColumns, OW) | (before << 16);
}

// The pooled pass's blocks of columns [from, to) of every pair of rows, from block nb on; returns
// the number of blocks then.
function pairedRowBlocks(blk: usize, nb: i32, OH: i32, OW: i32, W: i32, from: i32, to: i32): i32 {
  const PW = OW >> 1;
  for (let oy = 0; oy < OH; oy += 2)
    for (let ox = from; ox < to; ox += 4) {
      setBlock(blk, nb, oy * W + ox, W << 2, oy * OW + ox, (oy >> 1) * PW + (ox >> 1));
      nb++;
    }
  return nb;
}

// A block of the forward pass's positions, [p, d, q, e] at blk + 16 k (see forwardBlocks).
@inline function setBlock(blk: usize, k: i32, p: i32, d: i32, q: i32, e: i32): void {
  const at = blk + ((<usize>k) << 4);
  store<i32>(at, p);
  store<i32>(at, d, 4);
  store<i32>(at, q, 8);
  store<i32>(at, e, 12);
}

// The outputs of block `bk` for two channels (a0, c0 and a1, c1: its two vectors of each), from
// channel planes t0 (outputs) and p0 (pooled), PSB and PPB bytes per channel: with `fused`, the
// activation taken in registers; with `keep || !exact`, the outputs written (exact: straight to the
// output planes); with `inRows`, the block's second vector a row below and the two pooled (as
// vectors unless `pooledRest`).
@inline export function storeBlockPair(
  a0: v128,
  c0: v128,
  a1: v128,
  c1: v128,
  bk: usize,
  pooledRest: bool,
  t0: usize,
  p0: usize,
  PSB: usize,
  PPB: usize,
  rowBytes: usize,
  fused: i32,
  keep: bool,
  exact: bool,
  inRows: bool,
): void {
  if (fused) {
    a0 = activate4(a0, fused);
    c0 = activate4(c0, fused);
    a1 = activate4(a1, fused);
    c1 = activate4(c1, fused);
  }
  const q = (<usize>load<i32>(bk, 8)) << 2,
    e = <usize>load<i32>(bk, 12);
  if (keep || !exact) {
    const e2 = inRows ? rowBytes : e,
      t1 = t0 + PSB;
    v128.store(t0 + q, a0);
    v128.store(t0 + q + e2, c0);
    v128.store(t1 + q, a1);
    v128.store(t1 + q + e2, c1);
  }
  if (inRows) {
    const pp = p0 + (e << 2);
    storePooled(a0, c0, pp, pooledRest);
    storePooled(a1, c1, pp + PPB, pooledRest);
  }
}
