// The dense layer's backward products over the nonzero output gradients only. After a ReLU (and
// after dropout) half or more of a dense layer's output gradients are exactly zero, and every one
// of them costs the dense kernels (dense-backward.ts) a multiply and an add per input. These
// kernels first list each row's nonzero gradients, then sum over the list alone, in the order the
// dense kernels sum (ascending image for dW, ascending output for dInp), starting from zero as they
// do: a term g * x with g zero adds a zero, which changes no sum, so the results are the dense
// kernels' to the bit. The list is [byte offset of the row the gradient multiplies, gradient],
// eight bytes an entry, in the caller's scratch.
import { addRow, madd, put } from './simd';

// The kernels' scratch (src/engine/wasm.ts), in floats: the lists take two an entry.
const SCRATCH_FLOATS = 1 << 19;

// Whether the kernels below are on (the default): off, the dense kernels do everything (for tests
// and benchmarks, the same bits either way).
let sparseOn = true;

export function setSparse(on: i32): void {
  sparseOn = on != 0;
}

// Whether the sparse kernels pay for `nonzero` of `total` gradients. A listed term costs them more
// than a term costs the dense kernels (seven sums in registers instead of eight, and a load of the
// list entry); measured on LeNet-300-100's and the Caffe LeNet-5's layers, they are faster below
// three in five nonzero for dW (short lists, one per output) and below eleven in twenty for dInp.
@inline export function sparseWeightGrad(nonzero: i32, total: i32): bool {
  return sparseOn && nonzero * 5 < total * 3;
}

@inline export function sparseInputGrad(nonzero: i32, total: i32): bool {
  return sparseOn && nonzero * 20 < total * 11;
}

// The nonzero values among n floats at p.
export function countNonzero(p: usize, n: i32): i32 {
  const zero = f32x4.splat(0);
  let zeros = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4)
    zeros = i32x4.sub(zeros, f32x4.eq(v128.load(p + ((<usize>i) << 2)), zero));
  let count =
    i32x4.extract_lane(zeros, 0) +
    i32x4.extract_lane(zeros, 1) +
    i32x4.extract_lane(zeros, 2) +
    i32x4.extract_lane(zeros, 3);
  for (; i < n; i++) count += i32(load<f32>(p + ((<usize>i) << 2)) == 0);
  return n - count;
}

// Outputs a block of the input gradient's lists takes (denseInputGradSparse).
const BLOCK_ROWS = 128;

// Whether lists of up to `entries` entries in all, and B list ends, fit the scratch.
@inline export function listsFit(entries: i32, B: i32): bool {
  return <i64>entries * 2 + B <= SCRATCH_FLOATS;
}

// Whether denseInputGradSparse's lists, their ends and (with `add`) its sums fit the scratch.
@inline export function inputListsFit(B: i32, I: i32, O: i32, add: i32): bool {
  const blocks = (<i64>O + BLOCK_ROWS - 1) / BLOCK_ROWS;
  return <i64>B * O * 2 + B * blocks + 4 + (add ? <i64>B * I : 0) <= SCRATCH_FLOATS;
}

// Appends (offset, g) to the list at `end` when g is nonzero (without a branch); the new end.
@inline function append(end: usize, offset: u32, g: f32): usize {
  store<u32>(end, offset);
  store<f32>(end, g, 4);
  return end + (g != 0 ? 8 : 0);
}

// acc + sum over the list [from, to) of g * (the four floats at `at` bytes into its row).
@inline export function sum4(
  from: usize,
  to: usize,
  base: usize,
  at: usize,
  acc: v128,
): v128 {
  for (let lp = from; lp < to; lp += 8)
    acc = madd(v128.load32_splat(lp, 4), v128.load(base + load<u32>(lp) + at), acc);
  return acc;
}

// The same for one float.
@inline function sum1(from: usize, to: usize, base: usize, at: usize, acc: f32): f32 {
  for (let lp = from; lp < to; lp += 8)
    acc += load<f32>(lp, 4) * load<f32>(base + load<u32>(lp) + at);
  return acc;
}

// Sets the 28 floats at `out` (as `add` says: SET, ADD or CONTINUE below) the sum over the list
// [from, to) of g * (the 28 floats `at` bytes into its row, at `base` + offset), in registers. Each
// sum is a chain of fused multiply-adds, each waiting for the last (four cycles); seven chains keep
// the multipliers busy for most of that. Eight would keep them busier, but eight sums and their
// eight loads do not fit the 16 vector registers, and the compiler then spills in every round.
@inline export function sum28(
  out: usize,
  from: usize,
  to: usize,
  base: usize,
  at: usize,
  add: i32,
): void {
  const go = add == CONTINUE;
  let a0 = start(out, go),
    a1 = start(out + 16, go),
    a2 = start(out + 32, go),
    a3 = start(out + 48, go),
    a4 = start(out + 64, go),
    a5 = start(out + 80, go),
    a6 = start(out + 96, go);
  for (let lp = from; lp < to; lp += 8) {
    const s = v128.load32_splat(lp, 4),
      xp = base + load<u32>(lp) + at;
    a0 = madd(s, v128.load(xp), a0);
    a1 = madd(s, v128.load(xp, 16), a1);
    a2 = madd(s, v128.load(xp, 32), a2);
    a3 = madd(s, v128.load(xp, 48), a3);
    a4 = madd(s, v128.load(xp, 64), a4);
    a5 = madd(s, v128.load(xp, 80), a5);
    a6 = madd(s, v128.load(xp, 96), a6);
  }
  put(out, a0, add == ADD);
  put(out + 16, a1, add == ADD);
  put(out + 32, a2, add == ADD);
  put(out + 48, a3, add == ADD);
  put(out + 64, a4, add == ADD);
  put(out + 80, a5, add == ADD);
  put(out + 96, a6, add == ADD);
}

// How a sum meets what its output holds: SET overwrites it, ADD adds to it, CONTINUE takes it as
// the sum so far of the same chain (a block of the list summed before) and goes on from it.
export const SET = 0;
export const ADD = 1;
export const CONTINUE = 2;

// A chain's first value: zero, or with `go`, the four floats at p.
@inline function start(p: usize, go: bool): v128 {
  return go ? v128.load(p) : f32x4.splat(0);
}

// Sets the I floats at `out` (as `add` says, as sum28's) the sum over the list [from, to) of g *
// (its row, at `base` + offset): 28 floats at a time in registers (sum28), then 16, 4, then one.
function rowProduct(out: usize, from: usize, to: usize, base: usize, I: i32, add: i32): void {
  let i = 0;
  for (; i + 28 <= I; i += 28) {
    const io = (<usize>i) << 2;
    sum28(out + io, from, to, base, io, add);
  }
  for (; i + 16 <= I; i += 16) {
    const io = (<usize>i) << 2;
    const q = out + io,
      go = add == CONTINUE;
    let a0 = start(q, go),
      a1 = start(q + 16, go),
      a2 = start(q + 32, go),
      a3 = start(q + 48, go);
    for (let lp = from; lp < to; lp += 8) {
      const s = v128.load32_splat(lp, 4),
        xp = base + load<u32>(lp) + io;
      a0 = madd(s, v128.load(xp), a0);
      a1 = madd(s, v128.load(xp, 16), a1);
      a2 = madd(s, v128.load(xp, 32), a2);
      a3 = madd(s, v128.load(xp, 48), a3);
    }
    put(q, a0, add == ADD);
    put(q + 16, a1, add == ADD);
    put(q + 32, a2, add == ADD);
    put(q + 48, a3, add == ADD);
  }
  for (; i + 4 <= I; i += 4) {
    const io = (<usize>i) << 2;
    const q = out + io;
    put(q, sum4(from, to, base, io, start(q, add == CONTINUE)), add == ADD);
  }
  for (; i < I; i++) {
    const q = out + ((<usize>i) << 2),
      acc = sum1(from, to, base, (<usize>i) << 2, add == CONTINUE ? load<f32>(q) : 0);
    store<f32>(q, add == ADD ? load<f32>(q) + acc : acc);
  }
}

// dW[o, i] = sum_n g[n, o] * x[n, i] over the images whose g[n, o] is nonzero (denseBackward's
// weight gradient; the list holds up to B entries).
export function denseWeightGradSparse(
  dW: usize,
  dOut: usize,
  inp: usize,
  B: i32,
  I: i32,
  O: i32,
  list: usize,
): void {
  const OB = (<usize>O) << 2,
    IB = (<usize>I) << 2;
  for (let o = 0; o < O; o++) {
    let end = list,
      gp = dOut + ((<usize>o) << 2);
    for (let n = 0; n < B; n++) {
      end = append(end, <u32>n * <u32>IB, load<f32>(gp));
      gp += OB;
    }
    rowProduct(dW + <usize>o * IB, list, end, inp, I, 0);
  }
}

// dInp[n, i] = sum_o g[n, o] * w[o, i] over the outputs whose g[n, o] is nonzero (denseInputGrad's
// contract; the lists hold B * O entries). The outputs go in blocks of BLOCK_ROWS: each block's
// lists (every image's), then its products a block of inputs at a time over all the images, so
// that the part of the block's weight rows they read stays in the nearest cache for all of them
// (28 inputs of 250 rows, a side's part of the Caffe LeNet-5's fc1, take 40 KB, and on 8 images
// ran 26% slower than blocks of 128 rows: 62 µs against 46). Each block's sums go on from the last
// block's (CONTINUE), in dInp, or with `add` in `sums` (B * I floats) added to dInp at the end:
// the same chains as over all the outputs at once.
export function denseInputGradSparse(
  dInp: usize,
  dOut: usize,
  OS: i32,
  w: usize,
  B: i32,
  I: i32,
  O: i32,
  add: i32,
  list: usize,
): void {
  const blocks = (O + BLOCK_ROWS - 1) / BLOCK_ROWS;
  // ends[b * B + n]: where block b's list for image n ends (each list starts where the last ends)
  const ends = list + <usize>(B * O) * 8;
  const sums = add ? (ends + <usize>(B * blocks) * 4 + 15) & ~15 : dInp;
  let end = list;
  for (let b = 0; b < blocks; b++) {
    const o0 = b * BLOCK_ROWS,
      o1 = o0 + BLOCK_ROWS < O ? o0 + BLOCK_ROWS : O;
    for (let n = 0; n < B; n++) {
      const gr = dOut + <usize>(n * OS) * 4;
      for (let o = o0; o < o1; o++)
        end = append(end, <u32>o * <u32>(I << 2), load<f32>(gr + ((<usize>o) << 2)));
      store<usize>(ends + ((<usize>(b * B + n)) << 2), end);
    }
  }
  for (let b = 0; b < blocks; b++) {
    const first = b == 0 ? list : load<usize>(ends + ((<usize>(b * B - 1)) << 2));
    blockProduct(sums, first, ends + ((<usize>(b * B)) << 2), w, B, I, b == 0 ? SET : CONTINUE);
  }
  if (add) addRow(dInp, sums, B * I);
}

// The products of one block of outputs (lists from `first`, images' ends at `ends`) into out (B
// rows of I floats): 28 inputs at a time over all the images, then the rest.
function blockProduct(
  out: usize,
  first: usize,
  ends: usize,
  w: usize,
  B: i32,
  I: i32,
  how: i32,
): void {
  const IB = (<usize>I) << 2,
    I28 = I - (I % 28);
  for (let i = 0; i < I28; i += 28) {
    const at = (<usize>i) << 2;
    let from = first;
    for (let n = 0; n < B; n++) {
      const to = load<usize>(ends + ((<usize>n) << 2));
      rowProduct(out + <usize>n * IB + at, from, to, w + at, 28, how);
      from = to;
    }
  }
  if (I28 == I) return;
  let from = first;
  for (let n = 0; n < B; n++) {
    const to = load<usize>(ends + ((<usize>n) << 2)),
      at = (<usize>I28) << 2;
    rowProduct(out + <usize>n * IB + at, from, to, w + at, I - I28, how);
    from = to;
  }
}
