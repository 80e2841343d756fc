// The Winograd F(4x4, 5x5) transforms (winograd.ts) along one dimension, on vectors of four images
// or on scalars: B^T and its transpose for inputs, G and G^T for weights, A^T and its transpose for
// outputs. The points are 0, 1, -1, 2, -2, 1/2, -1/2 and infinity (B^T's first row and G's negated
// from the textbook form, so that both start with +1); each pair of points p, -p shares its even
// and odd parts:
//   B^T = [1 0 -21/4 0 21/4 0 -1 0; 0 1 1 -17/4 -17/4 1 1 0; 0 -1 1 17/4 -17/4 -1 1 0;
//          0 1/2 1/4 -5/2 -5/4 2 1 0; 0 -1/2 1/4 5/2 -5/4 -2 1 0; 0 2 4 -5/2 -5 1/2 1 0;
//          0 -2 4 5/2 -5 -1/2 1 0; 0 -1 0 21/4 0 -21/4 0 1]
//   G   = [1 0 0 0 0; -2/9 (1 1 1 1 1); -2/9 (1 -1 1 -1 1); 1/90 (1 2 4 8 16);
//          1/90 (1 -2 4 -8 16); 1/90 (64 32 16 8 4); 1/90 (64 -32 16 -8 4); 0 0 0 0 1]
//   A^T = [1 1 1 1 1 1 1 0; 0 1 -1 2 -2 1/2 -1/2 0; 0 1 1 4 4 1/4 1/4 0; 0 1 -1 8 -8 1/8 -1/8 1]
// (s, d: byte addresses; ss, ds: byte strides.)
import { madd } from './simd';

@inline function k(x: f32): v128 {
  return f32x4.splat(x);
}

// d[0..7] = B^T s[0..7]
@inline export function bt8(s: usize, ss: usize, d: usize, ds: usize): void {
  const d0 = v128.load(s),
    d1 = v128.load(s + ss),
    d2 = v128.load(s + 2 * ss),
    d3 = v128.load(s + 3 * ss);
  const d4 = v128.load(s + 4 * ss),
    d5 = v128.load(s + 5 * ss),
    d6 = v128.load(s + 6 * ss),
    d7 = v128.load(s + 7 * ss);
  const o1 = madd(k(-4.25), d3, f32x4.add(d1, d5)),
    e1 = madd(k(-4.25), d4, f32x4.add(d2, d6));
  const o2 = madd(k(2), d5, madd(k(-2.5), d3, f32x4.mul(k(0.5), d1))),
    e2 = madd(k(-1.25), d4, madd(k(0.25), d2, d6));
  const o3 = madd(k(0.5), d5, madd(k(-2.5), d3, f32x4.mul(k(2), d1))),
    e3 = madd(k(-5), d4, madd(k(4), d2, d6));
  v128.store(d, madd(k(5.25), f32x4.sub(d4, d2), f32x4.sub(d0, d6)));
  v128.store(d + ds, f32x4.add(e1, o1));
  v128.store(d + 2 * ds, f32x4.sub(e1, o1));
  v128.store(d + 3 * ds, f32x4.add(e2, o2));
  v128.store(d + 4 * ds, f32x4.sub(e2, o2));
  v128.store(d + 5 * ds, f32x4.add(e3, o3));
  v128.store(d + 6 * ds, f32x4.sub(e3, o3));
  v128.store(d + 7 * ds, madd(k(5.25), f32x4.sub(d3, d5), f32x4.sub(d7, d1)));
}

// d[0..7] += B s[0..7] (the transpose of bt8)
@inline export function btT8(s: usize, ss: usize, d: usize, ds: usize): void {
  const v0 = v128.load(s),
    v1 = v128.load(s + ss),
    v2 = v128.load(s + 2 * ss),
    v3 = v128.load(s + 3 * ss);
  const v4 = v128.load(s + 4 * ss),
    v5 = v128.load(s + 5 * ss),
    v6 = v128.load(s + 6 * ss),
    v7 = v128.load(s + 7 * ss);
  const p1 = f32x4.add(v1, v2),
    m1 = f32x4.sub(v1, v2),
    p2 = f32x4.add(v3, v4),
    m2 = f32x4.sub(v3, v4),
    p3 = f32x4.add(v5, v6),
    m3 = f32x4.sub(v5, v6);
  const o1 = f32x4.sub(madd(k(2), m3, madd(k(0.5), m2, m1)), v7);
  const o2 = madd(k(4), p3, madd(k(0.25), p2, madd(k(-5.25), v0, p1)));
  const o3 = madd(k(5.25), v7, madd(k(-4.25), m1, f32x4.mul(k(-2.5), f32x4.add(m2, m3))));
  const o4 = madd(k(-5), p3, madd(k(-1.25), p2, madd(k(-4.25), p1, f32x4.mul(k(5.25), v0))));
  const o5 = madd(k(-5.25), v7, madd(k(0.5), m3, madd(k(2), m2, m1)));
  const o6 = f32x4.sub(f32x4.add(f32x4.add(p1, p2), p3), v0);
  v128.store(d, f32x4.add(v128.load(d), v0));
  v128.store(d + ds, f32x4.add(v128.load(d + ds), o1));
  v128.store(d + 2 * ds, f32x4.add(v128.load(d + 2 * ds), o2));
  v128.store(d + 3 * ds, f32x4.add(v128.load(d + 3 * ds), o3));
  v128.store(d + 4 * ds, f32x4.add(v128.load(d + 4 * ds), o4));
  v128.store(d + 5 * ds, f32x4.add(v128.load(d + 5 * ds), o5));
  v128.store(d + 6 * ds, f32x4.add(v128.load(d + 6 * ds), o6));
  v128.store(d + 7 * ds, f32x4.add(v128.load(d + 7 * ds), v7));
}

// The four values A^T m[0..7] (returned through `out`, four vectors 16 bytes apart).
@inline export function at8(s: usize, ss: usize, out: usize): void {
  const m0 = v128.load(s),
    m1 = v128.load(s + ss),
    m2 = v128.load(s + 2 * ss),
    m3 = v128.load(s + 3 * ss);
  const m4 = v128.load(s + 4 * ss),
    m5 = v128.load(s + 5 * ss),
    m6 = v128.load(s + 6 * ss),
    m7 = v128.load(s + 7 * ss);
  const p1 = f32x4.add(m1, m2),
    n1 = f32x4.sub(m1, m2),
    p2 = f32x4.add(m3, m4),
    n2 = f32x4.sub(m3, m4),
    p3 = f32x4.add(m5, m6),
    n3 = f32x4.sub(m5, m6);
  v128.store(out, f32x4.add(f32x4.add(m0, p1), f32x4.add(p2, p3)));
  v128.store(out, madd(k(0.5), n3, madd(k(2), n2, n1)), 16);
  v128.store(out, madd(k(0.25), p3, madd(k(4), p2, p1)), 32);
  v128.store(out, f32x4.add(madd(k(0.125), n3, madd(k(8), n2, n1)), m7), 48);
}

// d[0..7] = A y[0..3] (the transpose of at8)
@inline export function atT8(
  y0: v128,
  y1: v128,
  y2: v128,
  y3: v128,
  d: usize,
  ds: usize,
): void {
  const e1 = f32x4.add(y0, y2),
    o1 = f32x4.add(y1, y3);
  const e2 = madd(k(4), y2, y0),
    o2 = madd(k(8), y3, f32x4.add(y1, y1));
  const e3 = madd(k(0.25), y2, y0),
    o3 = madd(k(0.125), y3, f32x4.mul(k(0.5), y1));
  v128.store(d, y0);
  v128.store(d + ds, f32x4.add(e1, o1));
  v128.store(d + 2 * ds, f32x4.sub(e1, o1));
  v128.store(d + 3 * ds, f32x4.add(e2, o2));
  v128.store(d + 4 * ds, f32x4.sub(e2, o2));
  v128.store(d + 5 * ds, f32x4.add(e3, o3));
  v128.store(d + 6 * ds, f32x4.sub(e3, o3));
  v128.store(d + 7 * ds, y3);
}

const TWO_NINTHS: f32 = -2.0 / 9,
  NINETIETH: f32 = 1.0 / 90;

// d[0..7] = G s[0..4] on vectors
@inline export function gsv8(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s),
    x1 = v128.load(s + ss),
    x2 = v128.load(s + 2 * ss),
    x3 = v128.load(s + 3 * ss),
    x4 = v128.load(s + 4 * ss);
  const e = f32x4.add(f32x4.add(x0, x2), x4),
    o = f32x4.add(x1, x3);
  const e4 = madd(k(16), x4, madd(k(4), x2, x0)),
    o4 = madd(k(8), x3, f32x4.add(x1, x1));
  const e5 = madd(k(64), x0, madd(k(16), x2, f32x4.mul(k(4), x4))),
    o5 = madd(k(32), x1, f32x4.mul(k(8), x3));
  const a = k(TWO_NINTHS),
    b = k(NINETIETH);
  v128.store(d, x0);
  v128.store(d + ds, f32x4.mul(f32x4.add(e, o), a));
  v128.store(d + 2 * ds, f32x4.mul(f32x4.sub(e, o), a));
  v128.store(d + 3 * ds, f32x4.mul(f32x4.add(e4, o4), b));
  v128.store(d + 4 * ds, f32x4.mul(f32x4.sub(e4, o4), b));
  v128.store(d + 5 * ds, f32x4.mul(f32x4.add(e5, o5), b));
  v128.store(d + 6 * ds, f32x4.mul(f32x4.sub(e5, o5), b));
  v128.store(d + 7 * ds, x4);
}

// d[0..4] = G^T s[0..7] on vectors
@inline export function gsTv8(s: usize, ss: usize, d: usize, ds: usize): void {
  const u0 = v128.load(s),
    u1 = v128.load(s + ss),
    u2 = v128.load(s + 2 * ss),
    u3 = v128.load(s + 3 * ss);
  const u4 = v128.load(s + 4 * ss),
    u5 = v128.load(s + 5 * ss),
    u6 = v128.load(s + 6 * ss),
    u7 = v128.load(s + 7 * ss);
  const a = k(TWO_NINTHS),
    b = k(NINETIETH);
  const p = f32x4.mul(f32x4.add(u1, u2), a),
    m = f32x4.mul(f32x4.sub(u1, u2), a);
  const q = f32x4.mul(f32x4.add(u3, u4), b),
    n = f32x4.mul(f32x4.sub(u3, u4), b);
  const r = f32x4.mul(f32x4.add(u5, u6), b),
    t = f32x4.mul(f32x4.sub(u5, u6), b);
  v128.store(d, madd(k(64), r, f32x4.add(f32x4.add(u0, p), q)));
  v128.store(d + ds, madd(k(32), t, madd(k(2), n, m)));
  v128.store(d + 2 * ds, madd(k(16), r, madd(k(4), q, p)));
  v128.store(d + 3 * ds, madd(k(8), t, madd(k(8), n, m)));
  v128.store(d + 4 * ds, f32x4.add(madd(k(4), r, madd(k(16), q, p)), u7));
}
