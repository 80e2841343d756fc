// exp, log, log1p and acos computed the same way on every JavaScript engine: ports of FreeBSD's
// msun (Sun's fdlibm), the algorithms V8 11 (Node 20) uses for Math.exp, Math.log, Math.log1p and
// Math.acos, so their results are bit for bit Node 20's (tested). Other engines differ: Chromium
// 156's Math.exp and Math.log give another last bit for about one input in ten, enough to change
// the last digits of a study's losses in a browser. The loss, the angles between activation
// vectors and the redundancy estimates use these, so a study's numbers do not depend on the
// engine that computes them. Hand-written because no maintained package offers fdlibm's exact
// results (the portable libraries round differently).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// the high and low 32-bit words of a double (little-endian, as every platform Node runs on)
const HI = 1;
const LO = 0;

function hiWord(x: number): number {
  f64[0] = x;
  return u32[HI] | 0;
}

function loWord(x: number): number {
  f64[0] = x;
  return u32[LO] >>> 0;
}

function fromWords(hi: number, lo: number): number {
  u32[HI] = hi >>> 0;
  u32[LO] = lo >>> 0;
  return f64[0];
}

function withHi(x: number, hi: number): number {
  f64[0] = x;
  u32[HI] = hi >>> 0;
  return f64[0];
}

function withLoZero(x: number): number {
  f64[0] = x;
  u32[LO] = 0;
  return f64[0];
}

const halF = [0.5, -0.5];
const huge = 1.0e300;
const twom1000 = 9.3326361850321887899e-302;
const o_threshold = 7.09782712893383973096e2;
const u_threshold = -7.4513321910194110842e2;
const ln2HI = [6.9314718036912381649e-1, -6.9314718036912381649e-1];
const ln2LO = [1.90821492927058770002e-10, -1.90821492927058770002e-10];
const invln2 = 1.442695040888963387;
const P1 = 1.66666666666666019037e-1,
  P2 = -2.77777777770155933842e-3,
  P3 = 6.61375632143793436117e-5,
  P4 = -1.6533902205465251539e-6,
  P5 = 4.13813679705723846039e-8;

/** e^x (fdlibm's e_exp.c, with V8's exp(1) = Math.E). */
export function exp(x: number): number {
  let hx = hiWord(x);
  const xsb = (hx >>> 31) & 1;
  hx &= 0x7fffffff;
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | loWord(x)) !== 0) return x + x;
      return xsb === 0 ? x : 0.0;
    }
    if (x > o_threshold) return huge * huge;
    if (x < u_threshold) return twom1000 * twom1000;
  }
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      if (x === 1) return Math.E;
      hi = x - ln2HI[xsb];
      lo = ln2LO[xsb];
      k = 1 - xsb - xsb;
    } else {
      k = (invln2 * x + halF[xsb]) | 0;
      hi = x - k * ln2HI[0];
      lo = k * ln2LO[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    if (huge + x > 1) return 1 + x;
  } else k = 0;
  const t = x * x;
  let twopk: number;
  if (k >= -1021) twopk = fromWords(0x3ff00000 + (k << 20), 0);
  else twopk = fromWords(0x3ff00000 + ((k + 1000) << 20), 0);
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - (lo - (x * c) / (2.0 - c) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2.0 * 2 ** 1023;
    return y * twopk;
  }
  return y * twopk * twom1000;
}

const ln2_hi = 6.9314718036912381649e-1,
  ln2_lo = 1.90821492927058770002e-10,
  two54 = 1.8014398509481984e16;
const Lg1 = 6.66666666666673513e-1,
  Lg2 = 3.999999999940941908e-1,
  Lg3 = 2.857142874366239149e-1,
  Lg4 = 2.222219843214978396e-1,
  Lg5 = 1.818357216161805012e-1,
  Lg6 = 1.531383769920937332e-1,
  Lg7 = 1.479819860511658591e-1;

/** The natural logarithm (fdlibm's e_log.c). */
export function log(x: number): number {
  let hx = hiWord(x);
  const lx = loWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -two54 / 0;
    if (hx < 0) return (x - x) / 0;
    k -= 54;
    x *= two54;
    hx = hiWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  x = withHi(x, hx | (i0 ^ 0x3ff00000));
  k += i0 >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) {
      if (k === 0) return 0;
      const dk = k;
      return dk * ln2_hi + dk * ln2_lo;
    }
    const R = f * f * (0.5 - 0.3333333333333333 * f);
    if (k === 0) return f - R;
    const dk = k;
    return dk * ln2_hi - (R - dk * ln2_lo - f);
  }
  const s = f / (2.0 + f);
  const dk = k;
  const z = s * s;
  let i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) return f - (hfsq - s * (hfsq + R));
    return dk * ln2_hi - (hfsq - (s * (hfsq + R) + dk * ln2_lo) - f);
  }
  if (k === 0) return f - s * (f - R);
  return dk * ln2_hi - (s * (f - R) - dk * ln2_lo - f);
}

/** log(1 + x), exact near 0 (fdlibm's s_log1p.c; its Lg1..Lg7 are log's Lg1..Lg7). */
export function log1p(x: number): number {
  const hx = hiWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let c = 0;
  let hu = 0;
  if (hx < 0x3fda827a) {
    if (ax >= 0x3ff00000) {
      if (x === -1.0) return -two54 / 0;
      return (x - x) / (x - x);
    }
    if (ax < 0x3e200000) {
      if (two54 + x > 0 && ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = hiWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
      c /= u;
    } else {
      u = x;
      hu = hiWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHi(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = withHi(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    if (f === 0) {
      if (k === 0) return 0;
      c += k * ln2_lo;
      return k * ln2_hi + c;
    }
    const R = hfsq * (1.0 - 0.6666666666666666 * f);
    if (k === 0) return f - R;
    return k * ln2_hi - (R - (k * ln2_lo + c) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (Lg1 + z * (Lg2 + z * (Lg3 + z * (Lg4 + z * (Lg5 + z * (Lg6 + z * Lg7))))));
  if (k === 0) return f - (hfsq - s * (hfsq + R));
  return k * ln2_hi - (hfsq - (s * (hfsq + R) + (k * ln2_lo + c)) - f);
}

const pi = 3.141592653589793116,
  pio2_hi = 1.570796326794896558,
  pio2_lo = 6.12323399573676603587e-17;
const pS0 = 1.66666666666666657415e-1,
  pS1 = -3.25565818622400915405e-1,
  pS2 = 2.01212532134862925881e-1,
  pS3 = -4.00555345006794114027e-2,
  pS4 = 7.91534994289814532176e-4,
  pS5 = 3.4793310759602116757e-5;
const qS1 = -2.40339491173441421878,
  qS2 = 2.02094576023350569471,
  qS3 = -6.8828397160545329303e-1,
  qS4 = 7.70381505559019352791e-2;
/** The arc cosine in radians (fdlibm's e_acos.c). */
export function acos(x: number): number {
  const hx = hiWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x3ff00000) {
    const lx = loWord(x);
    if (((ix - 0x3ff00000) | lx) === 0) {
      if (hx > 0) return 0.0;
      return pi + 2.0 * pio2_lo;
    }
    return (x - x) / (x - x);
  }
  if (ix < 0x3fe00000) {
    if (ix <= 0x3c600000) return pio2_hi + pio2_lo;
    const z = x * x;
    const p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
    const q = 1 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
    const r = p / q;
    return pio2_hi - (x - (pio2_lo - x * r));
  } else if (hx < 0) {
    const z = (1 + x) * 0.5;
    const p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
    const q = 1 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
    const s = Math.sqrt(z);
    const r = p / q;
    const w = r * s - pio2_lo;
    return pi - 2.0 * (s + w);
  }
  const z = (1 - x) * 0.5;
  const s = Math.sqrt(z);
  const df = withLoZero(s);
  const c = (z - df * df) / (s + df);
  const p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
  const q = 1 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
  const r = p / q;
  const w = r * s + c;
  return 2.0 * (df + w);
}
