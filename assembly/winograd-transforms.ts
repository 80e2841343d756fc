// The Winograd F(2x2, 5x5) transforms (winograd.ts) along one dimension, on vectors of four images
// or on scalars: B^T and its transpose for inputs, G for weights, A^T for outputs.

// --- one-dimensional transforms on vectors (s, d: byte addresses; ss, ds: byte strides) ---

// d[0..5] = B^T s[0..5]
@inline export function bt(s: usize, ss: usize, d: usize, ds: usize): void {
  const d0 = v128.load(s),
    d1 = v128.load(s + ss),
    d2 = v128.load(s + 2 * ss);
  const d3 = v128.load(s + 3 * ss),
    d4 = v128.load(s + 4 * ss),
    d5 = v128.load(s + 5 * ss);
  const four = f32x4.splat(4),
    five = f32x4.splat(5);
  const a = f32x4.add(d1, d2),
    b = f32x4.add(d3, d4),
    e = f32x4.sub(d2, d1),
    f = f32x4.sub(d3, d4);
  const g = f32x4.sub(d4, d2),
    h = f32x4.sub(d3, d1),
    h2 = f32x4.add(h, h);
  v128.store(d, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(d + ds, f32x4.sub(f32x4.mul(four, a), b));
  v128.store(d + 2 * ds, f32x4.add(f32x4.mul(four, e), f));
  v128.store(d + 3 * ds, f32x4.add(h2, g));
  v128.store(d + 4 * ds, f32x4.sub(g, h2));
  v128.store(d + 5 * ds, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

// d[0..5] += B s[0..5] (the transpose of bt)
@inline export function btT(s: usize, ss: usize, d: usize, ds: usize): void {
  const v0 = v128.load(s),
    v1 = v128.load(s + ss),
    v2 = v128.load(s + 2 * ss);
  const v3 = v128.load(s + 3 * ss),
    v4 = v128.load(s + 4 * ss),
    v5 = v128.load(s + 5 * ss);
  const four = f32x4.splat(4),
    five = f32x4.splat(5);
  const a = f32x4.sub(v3, v4),
    b = f32x4.add(v3, v4),
    c = f32x4.add(v1, v2),
    e = f32x4.sub(v2, v1);
  const o0 = f32x4.mul(four, v0);
  const o1 = f32x4.sub(f32x4.mul(four, f32x4.sub(v5, e)), f32x4.add(a, a));
  const o2 = f32x4.sub(f32x4.sub(f32x4.mul(four, c), f32x4.mul(five, v0)), b);
  const o3 = f32x4.sub(f32x4.add(e, f32x4.add(a, a)), f32x4.mul(five, v5));
  const o4 = f32x4.add(f32x4.sub(v0, c), b);
  v128.store(d, f32x4.add(v128.load(d), o0));
  v128.store(d + ds, f32x4.add(v128.load(d + ds), o1));
  v128.store(d + 2 * ds, f32x4.add(v128.load(d + 2 * ds), o2));
  v128.store(d + 3 * ds, f32x4.add(v128.load(d + 3 * ds), o3));
  v128.store(d + 4 * ds, f32x4.add(v128.load(d + 4 * ds), o4));
  v128.store(d + 5 * ds, f32x4.add(v128.load(d + 5 * ds), v5));
}

// d[0..5] = A s[0..1] (the transpose of at)
@inline export function atT(y0: v128, y1: v128, d: usize, ds: usize): void {
  const y2 = f32x4.add(y1, y1);
  v128.store(d, y0);
  v128.store(d + ds, f32x4.add(y0, y1));
  v128.store(d + 2 * ds, f32x4.sub(y0, y1));
  v128.store(d + 3 * ds, f32x4.add(y0, y2));
  v128.store(d + 4 * ds, f32x4.sub(y0, y2));
  v128.store(d + 5 * ds, y1);
}

const SIXTH: f32 = 1.0 / 6,
  TWENTYFOURTH: f32 = 1.0 / 24;

// scalar: d[0..5] = G s[0..4]
@inline export function gs(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = load<f32>(s),
    x1 = load<f32>(s + ss),
    x2 = load<f32>(s + 2 * ss),
    x3 = load<f32>(s + 3 * ss),
    x4 = load<f32>(s + 4 * ss);
  const e: f32 = x0 + x2 + x4,
    o: f32 = x1 + x3,
    e4: f32 = x0 + 4 * x2 + 16 * x4,
    o4: f32 = x1 * 2 + x3 * 8;
  store<f32>(d, x0 * 0.25);
  store<f32>(d + ds, (e + o) * SIXTH);
  store<f32>(d + 2 * ds, (e - o) * SIXTH);
  store<f32>(d + 3 * ds, (e4 + o4) * TWENTYFOURTH);
  store<f32>(d + 4 * ds, (e4 - o4) * TWENTYFOURTH);
  store<f32>(d + 5 * ds, x4);
}

// scalar: d[0..4] = G^T s[0..5]
@inline export function gsT(s: usize, ss: usize, d: usize, ds: usize): void {
  const u0 = load<f32>(s),
    u1 = load<f32>(s + ss),
    u2 = load<f32>(s + 2 * ss),
    u3 = load<f32>(s + 3 * ss),
    u4 = load<f32>(s + 4 * ss),
    u5 = load<f32>(s + 5 * ss);
  const p: f32 = (u1 + u2) * SIXTH,
    m: f32 = (u1 - u2) * SIXTH,
    q: f32 = (u3 + u4) * TWENTYFOURTH,
    n: f32 = (u3 - u4) * TWENTYFOURTH;
  store<f32>(d, u0 * 0.25 + p + q);
  store<f32>(d + ds, m + 2 * n);
  store<f32>(d + 2 * ds, p + 4 * q);
  store<f32>(d + 3 * ds, m + 8 * n);
  store<f32>(d + 4 * ds, p + 16 * q + u5);
}

// d[0..5] = G s[0..4] on vectors (the same operations as gs, lane by lane)
@inline export function gsv(s: usize, ss: usize, d: usize, ds: usize): void {
  const x0 = v128.load(s),
    x1 = v128.load(s + ss),
    x2 = v128.load(s + 2 * ss),
    x3 = v128.load(s + 3 * ss),
    x4 = v128.load(s + 4 * ss);
  const e = f32x4.add(f32x4.add(x0, x2), x4),
    o = f32x4.add(x1, x3);
  const e4 = f32x4.add(
    f32x4.add(x0, f32x4.mul(f32x4.splat(4), x2)),
    f32x4.mul(f32x4.splat(16), x4),
  );
  const o4 = f32x4.add(f32x4.mul(x1, f32x4.splat(2)), f32x4.mul(x3, f32x4.splat(8)));
  const sixth = f32x4.splat(SIXTH),
    tf = f32x4.splat(TWENTYFOURTH);
  v128.store(d, f32x4.mul(x0, f32x4.splat(0.25)));
  v128.store(d + ds, f32x4.mul(f32x4.add(e, o), sixth));
  v128.store(d + 2 * ds, f32x4.mul(f32x4.sub(e, o), sixth));
  v128.store(d + 3 * ds, f32x4.mul(f32x4.add(e4, o4), tf));
  v128.store(d + 4 * ds, f32x4.mul(f32x4.sub(e4, o4), tf));
  v128.store(d + 5 * ds, x4);
}

// d[0..4] = G^T s[0..5] on vectors
@inline export function gsTv(s: usize, ss: usize, d: usize, ds: usize): void {
  const u0 = v128.load(s),
    u1 = v128.load(s + ss),
    u2 = v128.load(s + 2 * ss),
    u3 = v128.load(s + 3 * ss),
    u4 = v128.load(s + 4 * ss),
    u5 = v128.load(s + 5 * ss);
  const sixth = f32x4.splat(SIXTH),
    tf = f32x4.splat(TWENTYFOURTH);
  const p = f32x4.mul(f32x4.add(u1, u2), sixth),
    m = f32x4.mul(f32x4.sub(u1, u2), sixth);
  const q = f32x4.mul(f32x4.add(u3, u4), tf),
    n = f32x4.mul(f32x4.sub(u3, u4), tf);
  v128.store(d, f32x4.add(f32x4.add(f32x4.mul(u0, f32x4.splat(0.25)), p), q));
  v128.store(d + ds, f32x4.add(m, f32x4.mul(f32x4.splat(2), n)));
  v128.store(d + 2 * ds, f32x4.add(p, f32x4.mul(f32x4.splat(4), q)));
  v128.store(d + 3 * ds, f32x4.add(m, f32x4.mul(f32x4.splat(8), n)));
  v128.store(d + 4 * ds, f32x4.add(f32x4.add(p, f32x4.mul(f32x4.splat(16), q)), u5));
}
