// SIMD helpers shared by the kernels.

// a * b + c. Built twice (package.json, build:wasm): with relaxed SIMD this is one fused
// multiply-add where the CPU has one (twice the arithmetic per cycle on x86-64 with FMA3), without
// it a multiply then an add; the loader (src/engine/wasm.ts) takes the fused build when the runtime
// accepts it. Either way the kernels stay within float32 rounding of the reference kernels.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline export function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    f32x4.extract_lane(v, 2) +
    f32x4.extract_lane(v, 3)
  );
}

// [sum(a), sum(b), sum(c), sum(d)]: four horizontal sums at once, by two rounds of shuffles.
@inline export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

// tanh as a clamped rational function (the float approximation used by Eigen), about 1 ulp.
@inline export function tanh4(x0: v128): v128 {
  const lim = f32x4.splat(7.90531110763549805);
  // pmin and pmax are one instruction each (min and max are eight on x86-64); with a constant
  // bound they give the same bits for every input, NaN included
  const x = f32x4.pmax(f32x4.pmin(x0, lim), f32x4.neg(lim));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = madd(p, x2, f32x4.splat(2.00018790482477e-13));
  p = madd(p, x2, f32x4.splat(-8.60467152213735e-11));
  p = madd(p, x2, f32x4.splat(5.12229709037114e-8));
  p = madd(p, x2, f32x4.splat(1.48572235717979e-5));
  p = madd(p, x2, f32x4.splat(6.37261928875436e-4));
  p = madd(p, x2, f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(1.19825839466702e-6);
  q = madd(q, x2, f32x4.splat(1.18534705686654e-4));
  q = madd(q, x2, f32x4.splat(2.268434632439e-3));
  q = madd(q, x2, f32x4.splat(4.89352518554385e-3));
  return f32x4.div(p, q);
}

// max(x, 0) lane by lane, as f32x4.max (NaN stays NaN, -0 gives +0) in two instructions: V8 writes
// f32x4.max out in eight on x86-64, for NaN and the zeros' signs.
@inline export function relu4(x: v128): v128 {
  return v128.andnot(x, f32x4.le(x, f32x4.splat(0)));
}

// The activation a convolution's pass applies to its output (conv2dForward's `activation`): none,
// tanh, or ReLU (max(x, 0), reluForward's bits).
export const ACT_TANH = 1;
export const ACT_RELU = 2;

@inline export function activate4(x: v128, activation: i32): v128 {
  if (activation == ACT_TANH) return tanh4(x);
  if (activation == ACT_RELU) return relu4(x);
  return x;
}

// Small row copies with SIMD moves: memory.copy's per-call cost dominates for rows of 10-28 floats.
@inline export function copyRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4)
    v128.store(dst + ((<usize>i) << 2), v128.load(src + ((<usize>i) << 2)));
  for (; i < n; i++) store<f32>(dst + ((<usize>i) << 2), load<f32>(src + ((<usize>i) << 2)));
}

@inline export function addRow(dst: usize, src: usize, n: i32): void {
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

// v stored at p, or added to what p holds (old + v): a kernel's output set, or added to.
@inline export function put(p: usize, v: v128, add: i32): void {
  v128.store(p, add ? f32x4.add(v128.load(p), v) : v);
}

// The four columns of the 4x4 block whose rows are r0..r3 (column l: lane l of each row), stored at
// d, d + stride, d + 2 * stride and d + 3 * stride, or added to what they hold (put).
@inline export function putColumns(
  r0: v128,
  r1: v128,
  r2: v128,
  r3: v128,
  d: usize,
  stride: usize,
  add: i32,
): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5),
    t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7),
    t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5),
    t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  put(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), add);
  put(d + stride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), add);
  put(d + 2 * stride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), add);
  put(d + 3 * stride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), add);
}
