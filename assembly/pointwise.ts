// Elementwise layers, four floats at a time: tanh (the paper's activation), ReLU, sigmoid and
// dropout's mask; each backward pass SETs dInp from its forward pass's output (or mask).
import { tanh4, copyRow, relu4, ACT_TANH, ACT_RELU } from './simd';

// out = max(x, 0).
export function reluForward(out: usize, inp: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, relu4(v128.load(inp + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(out + o, max<f32>(load<f32>(inp + o), 0));
  }
}

// dInp = dOut where the output y is positive, else 0 (PyTorch's: the gradient at 0 is 0).
export function reluBackward(dInp: usize, dOut: usize, y: usize, n: i32): void {
  const n4 = n & ~3,
    zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const positive = f32x4.gt(v128.load(y + o), zero);
    v128.store(dInp + o, v128.and(v128.load(dOut + o), positive));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(dInp + o, load<f32>(y + o) > 0 ? load<f32>(dOut + o) : 0);
  }
}

// sigmoid(x) = (1 + tanh(x / 2)) / 2, on the tanh above (within float32 rounding of
// 1 / (1 + exp(-x))).
export function sigmoidForward(out: usize, inp: usize, n: i32): void {
  const n4 = n & ~3,
    half = f32x4.splat(0.5);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const t = tanh4(f32x4.mul(v128.load(inp + o), half));
    v128.store(out + o, f32x4.add(f32x4.mul(t, half), half));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const t = tanh4(f32x4.splat(load<f32>(inp + o) * 0.5));
    store<f32>(out + o, f32x4.extract_lane(t, 0) * 0.5 + 0.5);
  }
}

// dInp = dOut * y * (1 - y), y the forward output.
export function sigmoidBackward(dInp: usize, dOut: usize, y: usize, n: i32): void {
  const n4 = n & ~3,
    one = f32x4.splat(1);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const yv = v128.load(y + o);
    const slope = f32x4.mul(yv, f32x4.sub(one, yv));
    v128.store(dInp + o, f32x4.mul(v128.load(dOut + o), slope));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const yv = load<f32>(y + o);
    store<f32>(dInp + o, load<f32>(dOut + o) * yv * (1 - yv));
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

// out = inp * mask, elementwise: dropout's forward pass (mask holds 0 or 1 / (1 - p)); its backward
// pass is the same product with the gradient.
function multiply(out: usize, a: usize, b: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

export function dropoutForward(out: usize, inp: usize, mask: usize, n: i32): void {
  multiply(out, inp, mask, n);
}

export function dropoutBackward(dInp: usize, dOut: usize, mask: usize, n: i32): void {
  multiply(dInp, dOut, mask, n);
}

// n values of a convolution's output through its activation (ACT_TANH, ACT_RELU, else a copy).
export function activateRow(dst: usize, src: usize, n: i32, activation: i32): void {
  if (activation == ACT_TANH) tanhForward(dst, src, n);
  else if (activation == ACT_RELU) reluForward(dst, src, n);
  else copyRow(dst, src, n);
}
