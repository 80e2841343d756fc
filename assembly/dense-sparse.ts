// The dense layer's backward products over the nonzero output gradients only. After a ReLU (and
// after dropout) half or more of a dense layer's output gradients are exactly zero, and every one
// of them costs the dense kernels (dense-backward.ts) a multiply and an add per input. These
// kernels first list each row's nonzero gradients, then sum over the list alone, in the order the
// dense kernels sum (ascending image for dW, ascending output for dInp), starting from zero as they
// do: a term g * x with g zero adds a zero, which changes no sum, so the results are the dense
// kernels' to the bit. The list is [byte offset of the row the gradient multiplies, gradient],
// eight bytes an entry, in the caller's scratch.
import { madd, put } from './simd';

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

// Whether lists of up to `entries` entries in all, and B list ends, fit the scratch.
@inline export function listsFit(entries: i32, B: i32): bool {
  return <i64>entries * 2 + B <= SCRATCH_FLOATS;
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
@inline function sum1(from: usize, to: usize, base: usize, at: usize): f32 {
  let acc: f32 = 0;
  for (let lp = from; lp < to; lp += 8)
    acc += load<f32>(lp, 4) * load<f32>(base + load<u32>(lp) + at);
  return acc;
}

// Sets (with `add`, adds to) the 28 floats at `out` the sum over the list [from, to) of g * (the
// 28 floats `at` bytes into its row, at `base` + offset), in registers. Each sum is a chain of
// fused multiply-adds, each waiting for the last (four cycles); seven chains keep the multipliers
// busy for most of that. Eight would keep them busier, but eight sums and their eight loads do not
// fit the 16 vector registers, and the compiler then spills in every round.
@inline export function sum28(
  out: usize,
  from: usize,
  to: usize,
  base: usize,
  at: usize,
  add: i32,
): void {
  let a0 = f32x4.splat(0),
    a1 = a0,
    a2 = a0,
    a3 = a0,
    a4 = a0,
    a5 = a0,
    a6 = a0;
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
  put(out, a0, add);
  put(out + 16, a1, add);
  put(out + 32, a2, add);
  put(out + 48, a3, add);
  put(out + 64, a4, add);
  put(out + 80, a5, add);
  put(out + 96, a6, add);
}

// Sets (with `add`, adds to) the I floats at `out` the sum over the list [from, to) of g * (its
// row, at `base` + offset): 28 floats at a time in registers (sum28), then 16, then 4, then one.
function rowProduct(out: usize, from: usize, to: usize, base: usize, I: i32, add: i32): void {
  let i = 0;
  for (; i + 28 <= I; i += 28) {
    const io = (<usize>i) << 2;
    sum28(out + io, from, to, base, io, add);
  }
  for (; i + 16 <= I; i += 16) {
    const io = (<usize>i) << 2;
    let a0 = f32x4.splat(0),
      a1 = a0,
      a2 = a0,
      a3 = a0;
    for (let lp = from; lp < to; lp += 8) {
      const s = v128.load32_splat(lp, 4),
        xp = base + load<u32>(lp) + io;
      a0 = madd(s, v128.load(xp), a0);
      a1 = madd(s, v128.load(xp, 16), a1);
      a2 = madd(s, v128.load(xp, 32), a2);
      a3 = madd(s, v128.load(xp, 48), a3);
    }
    const q = out + io;
    put(q, a0, add);
    put(q + 16, a1, add);
    put(q + 32, a2, add);
    put(q + 48, a3, add);
  }
  for (; i + 4 <= I; i += 4) {
    const io = (<usize>i) << 2;
    put(out + io, sum4(from, to, base, io, f32x4.splat(0)), add);
  }
  for (; i < I; i++) {
    const q = out + ((<usize>i) << 2),
      acc = sum1(from, to, base, (<usize>i) << 2);
    store<f32>(q, add ? load<f32>(q) + acc : acc);
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
// contract; the lists hold B * O entries): every image's list first, then the products a block of
// inputs at a time over all the images, so that the block's part of the weight rows is read from
// the nearest cache once for all of them.
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
  const IB = (<usize>I) << 2;
  // ends[n]: where image n's list ends (image n's starts where n - 1's ends); kept after the lists
  const ends = list + <usize>(B * O) * 8;
  let end = list;
  for (let n = 0; n < B; n++) {
    const gr = dOut + <usize>(n * OS) * 4;
    for (let o = 0; o < O; o++)
      end = append(end, <u32>o * <u32>IB, load<f32>(gr + ((<usize>o) << 2)));
    store<usize>(ends + ((<usize>n) << 2), end);
  }
  const I28 = I - (I % 28);
  for (let i = 0; i < I28; i += 28) {
    let from = list;
    for (let n = 0; n < B; n++) {
      const to = load<usize>(ends + ((<usize>n) << 2));
      rowProduct(
        dInp + <usize>n * IB + ((<usize>i) << 2),
        from,
        to,
        w + ((<usize>i) << 2),
        28,
        add,
      );
      from = to;
    }
  }
  if (I28 == I) return;
  let from = list;
  for (let n = 0; n < B; n++) {
    const to = load<usize>(ends + ((<usize>n) << 2)),
      at = (<usize>I28) << 2;
    rowProduct(dInp + <usize>n * IB + at, from, to, w + at, I - I28, add);
    from = to;
  }
}
