// The kernels of the layers beyond the paper's LeNet-5 (ReLU, sigmoid, 2x2 max-pooling, dropout,
// and the zero padding and striding of a convolution), in the same contracts as src/engine/reference.ts:
// every pointer a byte offset into the imported memory, backward passes SET dInp. Re-exported by
// kernels.ts (the module's entry). Elementwise layers run four floats at a time; the copies of
// padding and striding are row copies, negligible beside the convolutions they feed.
import { tanh4 } from './simd';

// out = max(x, 0).
export function reluForward(out: usize, inp: usize, n: i32): void {
  const n4 = n & ~3,
    zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, f32x4.max(v128.load(inp + o), zero));
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

// sigmoid(x) = (1 + tanh(x / 2)) / 2, on the tanh of kernels.ts (within float32 rounding of
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

// 2x2 max pooling, stride 2, over `planes` planes of H x W (H, W even): the larger of the two rows,
// then of each pair of columns, four outputs at a time.
export function maxPool2Forward(out: usize, inp: usize, planes: i32, H: i32, W: i32): void {
  const OH = H >> 1,
    OW = W >> 1,
    OW4 = OW & ~3,
    rowBytes = (<usize>W) << 2;
  for (let p = 0; p < planes; p++) {
    const ip = inp + ((<usize>(p * H * W)) << 2),
      op = out + ((<usize>(p * OH * OW)) << 2);
    for (let y = 0; y < OH; y++) {
      const r0 = ip + ((<usize>(2 * y * W)) << 2),
        r1 = r0 + rowBytes;
      const o = op + ((<usize>(y * OW)) << 2);
      let x = 0;
      for (; x < OW4; x += 4) {
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        const m0 = f32x4.max(v128.load(a), v128.load(c));
        const m1 = f32x4.max(v128.load(a, 16), v128.load(c, 16));
        const even = v128.shuffle<f32>(m0, m1, 0, 2, 4, 6);
        const odd = v128.shuffle<f32>(m0, m1, 1, 3, 5, 7);
        v128.store(o + ((<usize>x) << 2), f32x4.max(even, odd));
      }
      for (; x < OW; x++) {
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        const top = max<f32>(load<f32>(a), load<f32>(a + 4));
        const bottom = max<f32>(load<f32>(c), load<f32>(c + 4));
        store<f32>(o + ((<usize>x) << 2), max<f32>(top, bottom));
      }
    }
  }
}

// Each output's gradient goes to the first maximum of its window in row-major order (as PyTorch
// does on ties), found again from the forward input; the other three get 0. Four windows at a time:
// the top-left, top-right, bottom-left and bottom-right elements of four windows as four vectors,
// masks of "is the maximum and no earlier one is", and the gradient re-interleaved into rows.
export function maxPool2Backward(
  dInp: usize,
  dOut: usize,
  inp: usize,
  planes: i32,
  H: i32,
  W: i32,
): void {
  const OH = H >> 1,
    OW = W >> 1,
    OW4 = OW & ~3,
    rowBytes = (<usize>W) << 2;
  for (let p = 0; p < planes; p++) {
    const plane = (<usize>(p * H * W)) << 2,
      op = dOut + ((<usize>(p * OH * OW)) << 2);
    for (let y = 0; y < OH; y++) {
      const row = plane + ((<usize>(2 * y * W)) << 2);
      const g = op + ((<usize>(y * OW)) << 2);
      let x = 0;
      for (; x < OW4; x += 4) {
        const a = inp + row + ((<usize>x) << 3),
          c = a + rowBytes;
        const r0 = v128.load(a),
          r0b = v128.load(a, 16),
          r1 = v128.load(c),
          r1b = v128.load(c, 16);
        const tl = v128.shuffle<f32>(r0, r0b, 0, 2, 4, 6),
          tr = v128.shuffle<f32>(r0, r0b, 1, 3, 5, 7);
        const bl = v128.shuffle<f32>(r1, r1b, 0, 2, 4, 6),
          br = v128.shuffle<f32>(r1, r1b, 1, 3, 5, 7);
        const m = f32x4.max(f32x4.max(tl, tr), f32x4.max(bl, br));
        const isTl = f32x4.eq(tl, m);
        const isTr = v128.andnot(f32x4.eq(tr, m), isTl);
        const taken = v128.or(isTl, isTr);
        const isBl = v128.andnot(f32x4.eq(bl, m), taken);
        const isBr = v128.not(v128.or(taken, isBl));
        const gv = v128.load(g + ((<usize>x) << 2));
        const gTl = v128.and(gv, isTl),
          gTr = v128.and(gv, isTr);
        const gBl = v128.and(gv, isBl),
          gBr = v128.and(gv, isBr);
        const d = dInp + row + ((<usize>x) << 3),
          e = d + rowBytes;
        v128.store(d, v128.shuffle<f32>(gTl, gTr, 0, 4, 1, 5));
        v128.store(d, v128.shuffle<f32>(gTl, gTr, 2, 6, 3, 7), 16);
        v128.store(e, v128.shuffle<f32>(gBl, gBr, 0, 4, 1, 5));
        v128.store(e, v128.shuffle<f32>(gBl, gBr, 2, 6, 3, 7), 16);
      }
      for (; x < OW; x++) {
        const a = row + ((<usize>x) << 3);
        const v0 = load<f32>(inp + a),
          v1 = load<f32>(inp + a + 4);
        const v2 = load<f32>(inp + a + rowBytes),
          v3 = load<f32>(inp + a + rowBytes + 4);
        let best = v0,
          at: usize = 0;
        if (v1 > best) {
          best = v1;
          at = 4;
        }
        if (v2 > best) {
          best = v2;
          at = rowBytes;
        }
        if (v3 > best) {
          at = rowBytes + 4;
        }
        store<f32>(dInp + a, 0);
        store<f32>(dInp + a + 4, 0);
        store<f32>(dInp + a + rowBytes, 0);
        store<f32>(dInp + a + rowBytes + 4, 0);
        store<f32>(dInp + a + at, load<f32>(g + ((<usize>x) << 2)));
      }
    }
  }
}

// out [planes, H + 2P, W + 2P] = inp [planes, H, W] with a border of P zeros.
export function pad2d(out: usize, inp: usize, planes: i32, H: i32, W: i32, P: i32): void {
  const PH = H + 2 * P,
    PW = W + 2 * P;
  memory.fill(out, 0, (<usize>(planes * PH * PW)) << 2);
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < H; y++) {
      const to = out + ((<usize>((p * PH + y + P) * PW + P)) << 2);
      memory.copy(to, inp + ((<usize>((p * H + y) * W)) << 2), (<usize>W) << 2);
    }
}

// The inverse of pad2d for gradients: dInp [planes, H, W] = the interior of dPadded.
export function crop2d(dInp: usize, dPadded: usize, planes: i32, H: i32, W: i32, P: i32): void {
  const PH = H + 2 * P,
    PW = W + 2 * P;
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < H; y++) {
      const from = dPadded + ((<usize>((p * PH + y + P) * PW + P)) << 2);
      memory.copy(dInp + ((<usize>((p * H + y) * W)) << 2), from, (<usize>W) << 2);
    }
}

// out [planes, OH, OW] = inp [planes, H, W] at rows and columns 0, S, 2S, ... (a stride-S
// convolution is the stride-1 one read this way).
export function subsample2d(out: usize, inp: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OH = (H - 1) / S + 1,
    OW = (W - 1) / S + 1;
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < OH; y++) {
      const from = inp + ((<usize>((p * H + y * S) * W)) << 2);
      const to = out + ((<usize>((p * OH + y) * OW)) << 2);
      for (let x = 0; x < OW; x++)
        store<f32>(to + ((<usize>x) << 2), load<f32>(from + ((<usize>(x * S)) << 2)));
    }
}

// The inverse of subsample2d for gradients: dInp [planes, H, W] is dOut at the sampled positions
// and 0 elsewhere.
export function upsample2d(dInp: usize, dOut: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OH = (H - 1) / S + 1,
    OW = (W - 1) / S + 1;
  memory.fill(dInp, 0, (<usize>(planes * H * W)) << 2);
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < OH; y++) {
      const to = dInp + ((<usize>((p * H + y * S) * W)) << 2);
      const from = dOut + ((<usize>((p * OH + y) * OW)) << 2);
      for (let x = 0; x < OW; x++)
        store<f32>(to + ((<usize>(x * S)) << 2), load<f32>(from + ((<usize>x) << 2)));
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
