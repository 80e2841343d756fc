// The dense (fully connected) layer's forward pass.
import { madd, hsum, hsum4 } from './simd';

// out[n, o] = b[o] + <w[o], x[n]>. Two images by four outputs at a time (eight independent
// accumulators, so the loop is bound by arithmetic, not by the latency of one chain of additions).
export function denseForward(
  out: usize,
  inp: usize,
  w: usize,
  b: usize,
  B: i32,
  I: i32,
  O: i32,
): void {
  const I4 = I & ~3,
    IB = (<usize>I) << 2,
    O4 = O & ~3;
  const pairs = B & ~1;
  // each block of four weight rows (4 I floats) for every pair of images in turn, while it is in
  // the nearest cache: image pairs outside, the rows were read from memory once per pair (the Caffe
  // LeNet-5's fc1 on two threads: 800 KB of a side's rows, eight times a step)
  for (let o = 0; o < O4; o += 4) {
    const w0 = w + ((<usize>(o * I)) << 2),
      w1 = w0 + IB,
      w2 = w1 + IB,
      w3 = w2 + IB;
    for (let n = 0; n < pairs; n += 2) {
      const x0 = inp + ((<usize>(n * I)) << 2),
        x1 = x0 + IB;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0,
        c0 = a0,
        c1 = a0,
        c2 = a0,
        c3 = a0;
      for (let i = 0; i < I4; i += 4) {
        const io = (<usize>i) << 2,
          u = v128.load(x0 + io),
          v = v128.load(x1 + io);
        let q = v128.load(w0 + io);
        a0 = madd(q, u, a0);
        c0 = madd(q, v, c0);
        q = v128.load(w1 + io);
        a1 = madd(q, u, a1);
        c1 = madd(q, v, c1);
        q = v128.load(w2 + io);
        a2 = madd(q, u, a2);
        c2 = madd(q, v, c2);
        q = v128.load(w3 + io);
        a3 = madd(q, u, a3);
        c3 = madd(q, v, c3);
      }
      const bias = v128.load(b + ((<usize>o) << 2));
      let s0 = f32x4.add(hsum4(a0, a1, a2, a3), bias),
        s1 = f32x4.add(hsum4(c0, c1, c2, c3), bias);
      for (let i = I4; i < I; i++) {
        const io = (<usize>i) << 2;
        const wv = f32x4.replace_lane(
          f32x4.replace_lane(
            f32x4.replace_lane(f32x4.splat(load<f32>(w0 + io)), 1, load<f32>(w1 + io)),
            2,
            load<f32>(w2 + io),
          ),
          3,
          load<f32>(w3 + io),
        );
        s0 = madd(wv, v128.load32_splat(x0 + io), s0);
        s1 = madd(wv, v128.load32_splat(x1 + io), s1);
      }
      v128.store(out + ((<usize>(n * O + o)) << 2), s0);
      v128.store(out + ((<usize>((n + 1) * O + o)) << 2), s1);
    }
  }
  for (let n = 0; n < pairs; n++)
    for (let o = O4; o < O; o++) denseDot(out, inp + ((<usize>(n * I)) << 2), w, b, n, I, O, o);
  // an odd last image: the same operations, in the same order, as for each image of a pair, so an
  // image's outputs never depend on where it falls in a batch (one thread or two, any batch size)
  for (let n = pairs; n < B; n++) {
    const x0 = inp + ((<usize>(n * I)) << 2);
    for (let o = 0; o < O4; o += 4) {
      const w0 = w + ((<usize>(o * I)) << 2),
        w1 = w0 + IB,
        w2 = w1 + IB,
        w3 = w2 + IB;
      let a0 = f32x4.splat(0),
        a1 = a0,
        a2 = a0,
        a3 = a0;
      for (let i = 0; i < I4; i += 4) {
        const io = (<usize>i) << 2,
          u = v128.load(x0 + io);
        a0 = madd(v128.load(w0 + io), u, a0);
        a1 = madd(v128.load(w1 + io), u, a1);
        a2 = madd(v128.load(w2 + io), u, a2);
        a3 = madd(v128.load(w3 + io), u, a3);
      }
      let s0 = f32x4.add(hsum4(a0, a1, a2, a3), v128.load(b + ((<usize>o) << 2)));
      for (let i = I4; i < I; i++) {
        const io = (<usize>i) << 2;
        const wv = f32x4.replace_lane(
          f32x4.replace_lane(
            f32x4.replace_lane(f32x4.splat(load<f32>(w0 + io)), 1, load<f32>(w1 + io)),
            2,
            load<f32>(w2 + io),
          ),
          3,
          load<f32>(w3 + io),
        );
        s0 = madd(wv, v128.load32_splat(x0 + io), s0);
      }
      v128.store(out + ((<usize>(n * O + o)) << 2), s0);
    }
    for (let o = O4; o < O; o++) denseDot(out, x0, w, b, n, I, O, o);
  }
}

@inline function denseDot(
  out: usize,
  x: usize,
  w: usize,
  b: usize,
  n: i32,
  I: i32,
  O: i32,
  o: i32,
): void {
  const wr = w + ((<usize>(o * I)) << 2),
    I4 = I & ~3;
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i < I4; i += 4)
    acc = madd(v128.load(wr + ((<usize>i) << 2)), v128.load(x + ((<usize>i) << 2)), acc);
  let s = hsum(acc) + load<f32>(b + ((<usize>o) << 2));
  for (; i < I; i++) s += load<f32>(wr + ((<usize>i) << 2)) * load<f32>(x + ((<usize>i) << 2));
  store<f32>(out + ((<usize>(n * O + o)) << 2), s);
}
