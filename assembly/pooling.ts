// 2x2 pooling, stride 2: average (the paper's LeNet-5) and maximum; backward passes SET dInp.

// 2x2 average pooling, stride 2, over `planes` planes of H x W (H, W even).
export function avgPool2Forward(out: usize, inp: usize, planes: i32, H: i32, W: i32): void {
  const PP = (H >> 1) * (W >> 1);
  for (let p = 0; p < planes; p++)
    avgPoolPlane(out + ((<usize>(p * PP)) << 2), inp + ((<usize>(p * H * W)) << 2), H, W, W);
}

// One plane's pooling, its rows `pitch` floats apart: four outputs at a time (the pairs of two
// rows' sums separated by shuffles), the rest of each row one by one. The convolution's pooled pass
// adds in the same orders (storePooled).
@inline export function avgPoolPlane(
  out: usize,
  inp: usize,
  H: i32,
  W: i32,
  pitch: i32,
): void {
  const OH = H >> 1,
    OW = W >> 1,
    OW4 = OW & ~3,
    WB = (<usize>pitch) << 2,
    q = f32x4.splat(0.25);
  for (let y = 0; y < OH; y++) {
    const r0 = inp + ((<usize>(2 * y * pitch)) << 2),
      r1 = r0 + WB,
      o = out + ((<usize>(y * OW)) << 2);
    let x = 0;
    for (; x < OW4; x += 4) {
      const a = r0 + ((<usize>x) << 3),
        c = r1 + ((<usize>x) << 3);
      const s0 = f32x4.add(v128.load(a), v128.load(c)),
        s1 = f32x4.add(v128.load(a, 16), v128.load(c, 16));
      v128.store(
        o + ((<usize>x) << 2),
        f32x4.mul(
          f32x4.add(v128.shuffle<f32>(s0, s1, 0, 2, 4, 6), v128.shuffle<f32>(s0, s1, 1, 3, 5, 7)),
          q,
        ),
      );
    }
    for (; x < OW; x++) {
      const a = r0 + ((<usize>x) << 3),
        c = r1 + ((<usize>x) << 3);
      store<f32>(
        o + ((<usize>x) << 2),
        (load<f32>(a) + load<f32>(a + 4) + load<f32>(c) + load<f32>(c + 4)) * 0.25,
      );
    }
  }
}

// The two pooled outputs of a convolution block's rows a (columns x..x+3) and c (the same columns
// a row below; conv-forward.ts), stored at pp: (a0 + c0) + (a1 + c1) as avgPoolPlane's vectors add
// them, or with `rest`, ((a0 + a1) + c0) + c1 as it adds the rest of a row; then times 1/4. So the
// convolution's pooled pass gives the bits of the convolution followed by the pooling layer.
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

export function avgPool2Backward(dInp: usize, dOut: usize, planes: i32, H: i32, W: i32): void {
  spreadBackward(dInp, dOut, 0, planes, H, W, false);
}

// The backward passes of 2x2 average pooling and of the tanh before it, in one: dInp = (dOut / 4
// spread over each window) * (1 - y^2), y tanh's output, the bits of avgPool2Backward then
// tanhBackward (pointwise.ts) without the pooling's gradient written between them.
export function avgPoolTanhBackward(
  dInp: usize,
  dOut: usize,
  y: usize,
  planes: i32,
  H: i32,
  W: i32,
): void {
  spreadBackward(dInp, dOut, y, planes, H, W, true);
}

// Each pooled gradient / 4 over its window (times 1 - y^2 with `tanh`): four windows at a time,
// the rest of each row one by one.
@inline function spreadBackward(
  dInp: usize,
  dOut: usize,
  y: usize,
  planes: i32,
  H: i32,
  W: i32,
  tanh: bool,
): void {
  const OH = H >> 1,
    OW = W >> 1,
    OW4 = OW & ~3,
    WB = (<usize>W) << 2,
    q = f32x4.splat(0.25);
  for (let p = 0; p < planes; p++) {
    const plane = (<usize>(p * H * W)) << 2,
      op = dOut + ((<usize>(p * OH * OW)) << 2);
    for (let row = 0; row < OH; row++) {
      const r0 = plane + ((<usize>(2 * row * W)) << 2),
        r1 = r0 + WB,
        o = op + ((<usize>(row * OW)) << 2);
      let x = 0;
      for (; x < OW4; x += 4) {
        const g = f32x4.mul(v128.load(o + ((<usize>x) << 2)), q);
        const lo = v128.shuffle<f32>(g, g, 0, 0, 1, 1),
          hi = v128.shuffle<f32>(g, g, 2, 2, 3, 3);
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        spread4(dInp + a, lo, y, a, tanh);
        spread4(dInp + a + 16, hi, y, a + 16, tanh);
        spread4(dInp + c, lo, y, c, tanh);
        spread4(dInp + c + 16, hi, y, c + 16, tanh);
      }
      for (; x < OW; x++) {
        const g = load<f32>(o + ((<usize>x) << 2)) * 0.25;
        const a = r0 + ((<usize>x) << 3),
          c = r1 + ((<usize>x) << 3);
        for (let k: usize = 0; k < 8; k += 4) {
          spread1(dInp + a + k, g, y, a + k, tanh);
          spread1(dInp + c + k, g, y, c + k, tanh);
        }
      }
    }
  }
}

// d = g (times 1 - y^2 with `tanh`, tanhBackward's operations; y + at: tanh's output at d's place).
@inline function spread4(d: usize, g: v128, y: usize, at: usize, tanh: bool): void {
  if (!tanh) {
    v128.store(d, g);
    return;
  }
  const yv = v128.load(y + at);
  v128.store(d, f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(yv, yv))));
}

@inline function spread1(d: usize, g: f32, y: usize, at: usize, tanh: bool): void {
  if (!tanh) {
    store<f32>(d, g);
    return;
  }
  const yv = load<f32>(y + at);
  store<f32>(d, g * (1 - yv * yv));
}

// 2x2 max pooling, stride 2, over `planes` planes of H x W (H, W even): the larger of the two rows,
// then of each pair of columns, four outputs at a time. With `relu` (the input is a ReLU's output:
// +0, positive or NaN) the floats are compared as unsigned integers, in one instruction (f32x4.max
// is eight on x86-64, for NaN and the zeros' signs): on such floats the same maximum, a NaN the
// largest.
export function maxPool2Forward(
  out: usize,
  inp: usize,
  planes: i32,
  H: i32,
  W: i32,
  relu: i32,
): void {
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
        const m0 = larger(v128.load(a), v128.load(c), relu);
        const m1 = larger(v128.load(a, 16), v128.load(c, 16), relu);
        const even = v128.shuffle<f32>(m0, m1, 0, 2, 4, 6);
        const odd = v128.shuffle<f32>(m0, m1, 1, 3, 5, 7);
        v128.store(o + ((<usize>x) << 2), larger(even, odd, relu));
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

// f32x4.max(a, b), as unsigned integers with `relu` (maxPool2Forward).
@inline function larger(a: v128, b: v128, relu: i32): v128 {
  return relu ? i32x4.max_u(a, b) : f32x4.max(a, b);
}

// Each output's gradient goes to the first maximum of its window in row-major order (as PyTorch
// does on ties), found again from the forward input; the other three get 0. Four windows at a time:
// the top-left, top-right, bottom-left and bottom-right elements of four windows as four vectors,
// masks of "is the maximum and no earlier one is", and the gradient re-interleaved into rows. With
// `relu` (the input is a ReLU's output) the ReLU's backward pass too: the gradient only where that
// maximum is positive (a NaN is not), the bits of reluBackward after this (pointwise.ts).
export function maxPool2Backward(
  dInp: usize,
  dOut: usize,
  inp: usize,
  planes: i32,
  H: i32,
  W: i32,
  relu: i32,
): void {
  const OH = H >> 1,
    OW = W >> 1,
    OW4 = OW & ~3,
    rowBytes = (<usize>W) << 2;
  const zero = f32x4.splat(0),
    open = relu ? zero : v128.not(zero);
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
        // the first maximum in row-major order, as firstMaxAt: each element takes over where it
        // is greater than the ones before (pmax(a, b) is a < b ? b : a, one instruction; f32x4.max
        // is eight on x86-64)
        const b1 = f32x4.pmax(tl, tr),
          b2 = f32x4.pmax(b1, bl);
        const isBr = f32x4.gt(br, b2),
          isBl = v128.andnot(f32x4.gt(bl, b1), isBr),
          later = v128.or(isBl, isBr),
          isTr = v128.andnot(f32x4.gt(tr, tl), later),
          isTl = v128.not(v128.or(isTr, later));
        // the ReLU's gate at that maximum (open without one)
        const best = f32x4.pmax(b2, br),
          gv = v128.and(v128.load(g + ((<usize>x) << 2)), v128.or(f32x4.gt(best, zero), open));
        const gTl = v128.and(gv, isTl),
          gTr = v128.and(gv, isTr),
          gBl = v128.and(gv, isBl),
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
        const at = firstMaxAt(inp + a, rowBytes),
          best = load<f32>(inp + a + at);
        store<f32>(dInp + a, 0);
        store<f32>(dInp + a + 4, 0);
        store<f32>(dInp + a + rowBytes, 0);
        store<f32>(dInp + a + rowBytes + 4, 0);
        const gs = load<f32>(g + ((<usize>x) << 2));
        store<f32>(dInp + a + at, relu && !(best > 0) ? 0 : gs);
      }
    }
  }
}

// Where the first maximum of the 2x2 window at w (rows rowBytes apart) is, in bytes from w: 0, 4,
// rowBytes or rowBytes + 4 (ties go to the first in row-major order, as PyTorch's); the scalar
// windows of maxPool2Backward and of the first convolution's pooled pass (conv-pool-grad.ts).
@inline export function firstMaxAt(w: usize, rowBytes: usize): usize {
  let best = load<f32>(w),
    at: usize = 0;
  const v1 = load<f32>(w, 4),
    v2 = load<f32>(w + rowBytes),
    v3 = load<f32>(w + rowBytes, 4);
  if (v1 > best) {
    best = v1;
    at = 4;
  }
  if (v2 > best) {
    best = v2;
    at = rowBytes;
  }
  if (v3 > best) at = rowBytes + 4;
  return at;
}
