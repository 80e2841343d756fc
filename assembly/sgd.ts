// The SGD step (with momentum and weight decay), alone or fused with the reduction of two
// half-batch gradients, and the gradient buffers' sum and zeroing.
import { madd, addRow } from './simd';

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

// Four parameters' step from `o` (bytes). The scalar tail below rounds g + wd * p unfused where
// the fused build fuses it here, so no whole four is ever left to the tail.
@inline export function updateFour(
  p: usize,
  g: usize,
  g2: usize,
  v: usize,
  o: usize,
  lrv: v128,
  muv: v128,
  wdv: v128,
  sum: bool,
  momentum: bool,
): void {
  let gv = v128.load(g + o);
  if (sum) {
    gv = f32x4.add(gv, v128.load(g2 + o));
    v128.store(g + o, gv);
  }
  const pv = v128.load(p + o);
  let gi = madd(wdv, pv, gv);
  if (momentum) {
    gi = madd(muv, v128.load(v + o), gi);
    v128.store(v + o, gi);
  }
  v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, gi)));
}

// Parameters [0, n4) eight, then four, at a time (every whole four on vectors, whatever the range,
// as the bits of a range split between threads depend on it); `sum` and `momentum` are constants
// where it is inlined, so each of the four loops has no branch but its own.
@inline function updateVectors(
  p: usize,
  g: usize,
  g2: usize,
  v: usize,
  n4: i32,
  lrv: v128,
  muv: v128,
  wdv: v128,
  sum: bool,
  momentum: bool,
): void {
  const end = (<usize>n4) << 2,
    end8 = (<usize>(n4 & ~7)) << 2;
  for (let o: usize = 0; o < end8; o += 32) {
    updateFour(p, g, g2, v, o, lrv, muv, wdv, sum, momentum);
    updateFour(p, g, g2, v, o + 16, lrv, muv, wdv, sum, momentum);
  }
  if (end8 < end) updateFour(p, g, g2, v, end8, lrv, muv, wdv, sum, momentum);
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
  if (g2 && mu > 0) updateVectors(p, g, g2, v, n4, lrv, muv, wdv, true, true);
  else if (g2) updateVectors(p, g, g2, v, n4, lrv, muv, wdv, true, false);
  else if (mu > 0) updateVectors(p, g, g2, v, n4, lrv, muv, wdv, false, true);
  else updateVectors(p, g, g2, v, n4, lrv, muv, wdv, false, false);
  for (let i = n4; i < n; i++) {
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
