// Every fast (WebAssembly SIMD) kernel against its reference kernel on seeded random shapes, for
// both builds: plain SIMD and fused multiply-add (relaxed SIMD).
import { describe, expect, it } from 'vitest';
import { createReferenceKernels } from '../../src/engine/reference.js';
import {
  compileWasmVariant,
  createWasmKernels,
  loadWasmModule,
  wasmVariant,
} from '../../src/engine/wasm.js';
import { Rng } from '../../src/engine/rng.js';
import type { FloatArray, Kernels } from '../../src/engine/kernels.js';
import { expectClose } from './operands.js';

const ref = createReferenceKernels('float32');

function rand(k: Kernels, n: number, rng: Rng): FloatArray {
  const a = k.alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}
/** Bit for bit (copies, comparisons, max). */
function expectSame(a: FloatArray, b: FloatArray) {
  expect(Array.from(b)).toEqual(Array.from(a));
}
/** ||a - b|| / ||a|| below tol, and every element within `elementTol` (relative to 1 + |a|). */
function expectNormClose(a: FloatArray, b: FloatArray, tol: number, elementTol: number) {
  let d = 0,
    n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += a[i] ** 2;
  }
  expect(Math.sqrt(d / n)).toBeLessThan(tol);
  expectClose(a, b, elementTol);
}

it('loads the SIMD module, preferring the fused multiply-add build', () => {
  expect(loadWasmModule()).not.toBeNull();
  expect(compileWasmVariant('simd')).not.toBeNull();
  expect(wasmVariant()).toBe(compileWasmVariant('simd-fma') ? 'simd-fma' : 'simd');
});

// (1 + 2^-12)^2 - (1 + 2^-11) is 2^-24 exactly, but 0 when the product is rounded first.
it.skipIf(!compileWasmVariant('simd-fma'))(
  'the fused build really fuses the multiply-add; the plain build does not',
  () => {
    const a = 1 + 2 ** -12;
    for (const [variant, expected] of [
      ['simd-fma', 2 ** -24],
      ['simd', 0],
    ] as const) {
      const k = createWasmKernels(1024, compileWasmVariant(variant));
      const x = k.alloc(8),
        w = k.alloc(8),
        b = k.alloc(1),
        y = k.alloc(1);
      x.set([-(1 + 2 ** -11), 0, 0, 0, a, 0, 0, 0]);
      w.set([1, 0, 0, 0, a, 0, 0, 0]);
      k.denseForward(y, x, w, b, 1, 8, 1);
      expect(y[0]).toBe(expected);
    }
  },
);

for (const [variant, winograd] of [
  ['simd', true],
  ['simd-fma', true],
  ['simd-fma', false],
] as const) {
  const module = compileWasmVariant(variant);
  describe.skipIf(!module)(
    `wasm kernels (${variant}, ${winograd ? 'Winograd' : 'direct'} 5x5 convolutions) equal the reference kernels`,
    () => {
      const fast = createWasmKernels(6_000_000, module, undefined, { winograd });
      function pair(n: number, rng: Rng): [FloatArray, FloatArray] {
        const a = rand(ref, n, rng),
          b = fast.alloc(n);
        b.set(a);
        return [a, b];
      }

      const convShapes = [
        [2, 1, 32, 32, 6, 5],
        [3, 6, 14, 14, 16, 5],
        [20, 6, 14, 14, 16, 5],
        [11, 1, 32, 32, 6, 5],
        [2, 3, 7, 9, 4, 3],
        [1, 2, 5, 6, 3, 3],
        [2, 2, 8, 8, 5, 1],
        [3, 2, 9, 10, 6, 3],
        [2, 3, 12, 11, 7, 4],
        [5, 4, 8, 10, 5, 5],
        [7, 3, 9, 9, 6, 5],
        [4, 16, 6, 6, 3, 5],
        [3, 3, 10, 40, 7, 3],
        [2, 3, 32, 64, 6, 5],
        [2, 6, 14, 30, 16, 5],
        // F(4x4, 5x5): output sides multiples of 4 (the Caffe LeNet-5's second layer; odd batches,
        // output channels past a multiple of four, an odd number of tiles)
        [8, 20, 12, 12, 50, 5],
        [5, 5, 8, 12, 7, 5],
        [3, 4, 12, 16, 6, 5],
        [6, 4, 8, 16, 5, 5],
        // on the input's row pitch: an odd number of rows, 1 to 4 columns past the blocks of eight
        // (paired with the next row's; with 4 or none, written straight to the output), and a
        // single row
        [2, 1, 31, 29, 6, 5],
        [2, 1, 31, 32, 6, 5],
        [2, 1, 32, 32, 7, 5],
        [3, 2, 28, 28, 5, 5],
        [2, 1, 30, 31, 7, 5],
        [1, 1, 6, 30, 3, 5],
        [1, 1, 5, 30, 2, 5],
      ];
      for (const [B, C, H, W, OC, K] of convShapes) {
        it(`conv2d forward (plain and fused with tanh) and backward ${[B, C, H, W, OC, K].join('x')}`, () => {
          const rng = new Rng(B * 1000 + C * 100 + H + W + OC + K);
          const OH = H - K + 1,
            OW = W - K + 1;
          const [x1, x2] = pair(B * C * H * W, rng),
            [w1, w2] = pair(OC * C * K * K, rng),
            [b1, b2] = pair(OC, rng);
          const y1 = ref.alloc(B * OC * OH * OW),
            y2 = fast.alloc(B * OC * OH * OW);
          // Winograd's transforms round differently: about 1e-6 relative in norm (the direct
          // kernels 2e-7), up to 2e-4 on an element near zero of a long sum
          const close = (a: FloatArray, b: FloatArray) =>
            expectNormClose(a, b, 1e-5, winograd && K === 5 ? 1e-3 : 1e-4);
          ref.conv2dForward(y1, x1, w1, b1, B, C, H, W, OC, K);
          fast.conv2dForward(y2, x2, w2, b2, B, C, H, W, OC, K);
          close(y1, y2);
          const t1 = ref.alloc(B * OC * OH * OW),
            t2 = fast.alloc(B * OC * OH * OW);
          ref.conv2dForward(t1, x1, w1, b1, B, C, H, W, OC, K, 'tanh');
          fast.conv2dForward(t2, x2, w2, b2, B, C, H, W, OC, K, 'tanh');
          close(t1, t2);
          const u2 = fast.alloc(B * OC * OH * OW);
          fast.tanhForward(u2, y2, u2.length);
          for (let i = 0; i < t1.length; i++) {
            // fused = conv then tanh, exactly
            expect(t1[i]).toBe(Math.fround(Math.tanh(y1[i])));
            expect(t2[i]).toBe(u2[i]);
          }
          // and conv then ReLU
          ref.conv2dForward(t1, x1, w1, b1, B, C, H, W, OC, K, 'relu');
          fast.conv2dForward(t2, x2, w2, b2, B, C, H, W, OC, K, 'relu');
          fast.reluForward(u2, y2, u2.length);
          expect(t2.some((v) => v === 0) && t2.some((v) => v > 0)).toBe(true);
          for (let i = 0; i < t1.length; i++) {
            expect(t1[i]).toBe(y1[i] > 0 ? y1[i] : 0);
            expect(Object.is(t2[i], u2[i])).toBe(true);
          }
          const [g1, g2] = pair(B * OC * OH * OW, rng),
            [dw1, dw2] = pair(OC * C * K * K, rng),
            [db1, db2] = pair(OC, rng);
          const dx1 = ref.alloc(B * C * H * W),
            dx2 = fast.alloc(B * C * H * W);
          ref.conv2dBackward(dx1, dw1, db1, g1, x1, w1, B, C, H, W, OC, K);
          fast.conv2dBackward(dx2, dw2, db2, g2, x2, w2, B, C, H, W, OC, K);
          close(dx1, dx2);
          close(dw1, dw2);
          close(db1, db2);
          // without the input gradient (the first layer: its own path for rows of 4k outputs)
          const [ew1, ew2] = pair(OC * C * K * K, rng),
            [eb1, eb2] = pair(OC, rng);
          ref.conv2dBackward(null, ew1, eb1, g1, x1, w1, B, C, H, W, OC, K);
          fast.conv2dBackward(null, ew2, eb2, g2, x2, w2, B, C, H, W, OC, K);
          close(ew1, ew2);
          close(eb1, eb2);
        });
      }

      for (const [B, C, H, W, OC, K] of convShapes) {
        it(`conv2d forward pooled in its pass: the bits of conv (tanh, ReLU), then pooling ${[B, C, H, W, OC, K].join('x')}`, () => {
          const rng = new Rng(B * 1000 + C * 100 + H + W + OC + K + 7);
          const OH = H - K + 1,
            OW = W - K + 1,
            whole = B * OC * OH * OW,
            pooledSize = B * OC * (OH >> 1) * (OW >> 1);
          for (const activation of [null, 'tanh', 'relu'] as const) {
            for (const k of [ref, fast]) {
              const x = rand(k, B * C * H * W, rng),
                w = rand(k, OC * C * K * K, rng),
                b = rand(k, OC, rng);
              const y = k.alloc(whole),
                expected = k.alloc(pooledSize);
              k.conv2dForward(y, x, w, b, B, C, H, W, OC, K, activation);
              k.avgPool2Forward(expected, y, B * OC, OH, OW);
              // kept (training: the backward pass reads the unpooled output) and not kept
              const kept = k.alloc(whole),
                pooledKept = k.alloc(pooledSize),
                pooled = k.alloc(pooledSize);
              k.conv2dForward(kept, x, w, b, B, C, H, W, OC, K, activation, pooledKept);
              k.conv2dForward(null, x, w, b, B, C, H, W, OC, K, activation, pooled);
              expectSame(y, kept);
              expectSame(expected, pooledKept);
              expectSame(expected, pooled);
            }
          }
        });
      }

      for (const [B, I, O] of [
        [16, 400, 120],
        [5, 120, 84],
        [6, 84, 12],
        [3, 83, 10],
        [2, 7, 3],
        [4, 1, 1],
      ]) {
        it(`dense forward and backward ${B}x${I}x${O}`, () => {
          const rng = new Rng(B + I * 7 + O * 13);
          const [x1, x2] = pair(B * I, rng),
            [w1, w2] = pair(O * I, rng),
            [b1, b2] = pair(O, rng);
          const y1 = ref.alloc(B * O),
            y2 = fast.alloc(B * O);
          ref.denseForward(y1, x1, w1, b1, B, I, O);
          fast.denseForward(y2, x2, w2, b2, B, I, O);
          expectClose(y1, y2);
          const [g1, g2] = pair(B * O, rng),
            [dw1, dw2] = pair(O * I, rng),
            [db1, db2] = pair(O, rng);
          const dx1 = ref.alloc(B * I),
            dx2 = fast.alloc(B * I);
          ref.denseBackward(dx1, dw1, db1, g1, x1, w1, B, I, O);
          fast.denseBackward(dx2, dw2, db2, g2, x2, w2, B, I, O);
          expectClose(dx1, dx2);
          expectClose(dw1, dw2);
          expectClose(db1, db2);
        });
      }

      for (const [B, I, O, from, to] of [
        [16, 800, 500, 252, 500],
        [9, 83, 30, 0, 16],
        [3, 20, 13, 4, 13],
      ]) {
        it(`dense input gradient through outputs ${from}..${to} of ${O}, set and added, ${B}x${I}`, () => {
          const rng = new Rng(B * 3 + I + O);
          const [g1, g2] = pair(B * O, rng),
            [w1, w2] = pair(O * I, rng),
            [d1, d2] = pair(B * I, rng);
          const range = (g: FloatArray, w: FloatArray) =>
            [g.subarray(from), w.subarray(from * I)] as const;
          const [gr1, wr1] = range(g1, w1),
            [gr2, wr2] = range(g2, w2);
          ref.denseInputGrad(d1, gr1, O, wr1, B, I, to - from, false);
          fast.denseInputGrad(d2, gr2, O, wr2, B, I, to - from, false);
          expectClose(d1, d2);
          // added: the sum over the rest of the outputs on top gives the whole layer's gradient
          ref.denseInputGrad(d1, g1, O, w1, B, I, from, true);
          fast.denseInputGrad(d2, g2, O, w2, B, I, from, true);
          expectClose(d1, d2);
          const whole = ref.alloc(B * I);
          ref.denseBackward(
            whole,
            ref.alloc(O * I),
            ref.alloc(O),
            g1,
            ref.alloc(B * I),
            w1,
            B,
            I,
            O,
          );
          if (to === O) expectClose(whole, d2);
          // fast: the whole layer's sum, where it is one range, is denseBackward's to the bit
          const once = fast.alloc(B * I);
          const scratch = [fast.alloc(O * I), fast.alloc(O), fast.alloc(B * I)] as const;
          fast.denseBackward(once, scratch[0], scratch[1], g2, scratch[2], w2, B, I, O);
          fast.denseInputGrad(d2, g2, O, w2, B, I, O, false);
          expectSame(once, d2);
        });
      }

      it("dense forward: an image's outputs do not depend on its place in the batch", () => {
        // what makes one thread and two give the same numbers: the helper takes half a batch
        const rng = new Rng(17);
        const [B, I, O] = [7, 83, 10];
        const [, x] = pair(B * I, rng),
          [, w] = pair(O * I, rng),
          [, b] = pair(O, rng);
        const whole = fast.alloc(B * O);
        fast.denseForward(whole, x, w, b, B, I, O);
        const row = fast.alloc(I);
        const one = fast.alloc(O);
        for (let n = 0; n < B; n++) {
          row.set(x.subarray(n * I, (n + 1) * I));
          fast.denseForward(one, row, w, b, 1, I, O);
          expect(Array.from(one)).toEqual(Array.from(whole.subarray(n * O, (n + 1) * O)));
        }
      });

      it('tanh forward (rational approximation) and backward, including large inputs', () => {
        const rng = new Rng(5);
        const n = 1003;
        const [x1, x2] = pair(n, rng);
        for (let i = 0; i < n; i += 10) {
          x1[i] *= 20;
          x2[i] = x1[i];
        }
        const y1 = ref.alloc(n),
          y2 = fast.alloc(n);
        ref.tanhForward(y1, x1, n);
        fast.tanhForward(y2, x2, n);
        expectClose(y1, y2, 2e-6);
        const [g1, g2] = pair(n, rng),
          d1 = ref.alloc(n),
          d2 = fast.alloc(n);
        const yf = fast.alloc(n);
        yf.set(y1);
        ref.tanhBackward(d1, g1, y1, n);
        fast.tanhBackward(d2, g2, yf, n);
        expectClose(d1, d2, 1e-6);
      });

      it('average pooling forward and backward', () => {
        const rng = new Rng(6);
        const [x1, x2] = pair(3 * 6 * 28 * 28, rng);
        const y1 = ref.alloc(3 * 6 * 14 * 14),
          y2 = fast.alloc(3 * 6 * 14 * 14);
        ref.avgPool2Forward(y1, x1, 18, 28, 28);
        fast.avgPool2Forward(y2, x2, 18, 28, 28);
        expectClose(y1, y2, 1e-6);
        const d1 = ref.alloc(x1.length),
          d2 = fast.alloc(x1.length);
        ref.avgPool2Backward(d1, y1, 18, 28, 28);
        fast.avgPool2Backward(d2, y2, 18, 28, 28);
        expectClose(d1, d2, 1e-6);
      });

      for (const [planes, H, W] of [
        [18, 28, 28],
        [5, 10, 10],
        [3, 6, 18],
        [2, 4, 2],
      ])
        it(`average pooling and tanh backward in one pass ${planes}x${H}x${W}: the bits of the two passes`, () => {
          const rng = new Rng(planes + H + W);
          const n = planes * H * W;
          for (const k of [ref, fast]) {
            // tanh's outputs (within (-1, 1)) and the pooled output's gradient
            const t = rand(k, n, rng),
              g = rand(k, n / 4, rng);
            const twoPasses = k.alloc(n),
              onePass = k.alloc(n);
            k.avgPool2Backward(twoPasses, g, planes, H, W);
            k.tanhBackward(twoPasses, twoPasses, t, n);
            k.avgPoolTanhBackward(onePass, g, t, planes, H, W);
            expectSame(twoPasses, onePass);
          }
        });

      for (const kind of ['relu', 'sigmoid'] as const)
        it(`${kind} forward and backward, including large inputs and exact zeros`, () => {
          const rng = new Rng(kind === 'relu' ? 8 : 9);
          const n = 1003;
          const [x1, x2] = pair(n, rng);
          for (let i = 0; i < n; i += 10) {
            x1[i] = i % 20 ? x1[i] * 30 : 0;
            x2[i] = x1[i];
          }
          const y1 = ref.alloc(n),
            y2 = fast.alloc(n);
          ref[`${kind}Forward`](y1, x1, n);
          fast[`${kind}Forward`](y2, x2, n);
          if (kind === 'relu') expectSame(y1, y2);
          else expectClose(y1, y2, 2e-6);
          const [g1, g2] = pair(n, rng),
            d1 = ref.alloc(n),
            d2 = fast.alloc(n);
          const yf = fast.alloc(n);
          yf.set(y1);
          ref[`${kind}Backward`](d1, g1, y1, n);
          fast[`${kind}Backward`](d2, g2, yf, n);
          if (kind === 'relu') expectSame(d1, d2);
          else expectClose(d1, d2, 1e-6);
        });

      it('dropout forward and backward (the product with the mask)', () => {
        const rng = new Rng(10);
        const n = 1001;
        const [x1, x2] = pair(n, rng),
          [g1, g2] = pair(n, rng),
          [m1, m2] = pair(n, rng);
        for (let i = 0; i < n; i++) m2[i] = m1[i] = i % 3 ? 0 : 1 / (1 - 0.6);
        const y1 = ref.alloc(n),
          y2 = fast.alloc(n);
        ref.dropoutForward(y1, x1, m1, n);
        fast.dropoutForward(y2, x2, m2, n);
        expectSame(y1, y2);
        ref.dropoutBackward(y1, g1, m1, n);
        fast.dropoutBackward(y2, g2, m2, n);
        expectSame(y1, y2);
      });

      for (const [planes, H, W] of [
        [18, 28, 28],
        [5, 24, 24],
        [7, 6, 10],
      ])
        it(`max pooling forward and backward ${planes}x${H}x${W}`, () => {
          const rng = new Rng(planes + H + W);
          const [x1, x2] = pair(planes * H * W, rng);
          // ties on a coarse grid in part of the input: the gradient goes to the first maximum
          for (let i = 0; i < x1.length; i += 3) x2[i] = x1[i] = Math.round(x1[i] * 2) / 2;
          const out = planes * (H / 2) * (W / 2);
          const y1 = ref.alloc(out),
            y2 = fast.alloc(out);
          ref.maxPool2Forward(y1, x1, planes, H, W);
          fast.maxPool2Forward(y2, x2, planes, H, W);
          expectSame(y1, y2);
          const [g1, g2] = pair(out, rng);
          const d1 = ref.alloc(x1.length),
            d2 = fast.alloc(x1.length);
          d2.fill(7); // every element is written
          ref.maxPool2Backward(d1, g1, x1, planes, H, W);
          fast.maxPool2Backward(d2, g2, x2, planes, H, W);
          expectSame(d1, d2);
          // after a ReLU (its output: zeros, whole windows of them too), with the ReLU's backward
          // pass in the same one: the bits of the two passes one after the other
          const [r1, r2] = pair(x1.length, rng);
          ref.reluForward(r1, x1, x1.length);
          fast.reluForward(r2, x2, x2.length);
          for (const r of [r1, r2]) r.fill(0, 0, 2 * W);
          // pooled after that ReLU, compared as unsigned integers: the same maxima, and a NaN (of
          // either sign: x86's own NaN is negative) is the window's maximum, as Math.max has it
          const [p1, p2] = [ref.alloc(out), fast.alloc(out)];
          ref.maxPool2Forward(p1, r1, planes, H, W);
          fast.maxPool2Forward(p2, r2, planes, H, W, true);
          expectSame(p1, p2);
          const withNaN = fast.alloc(r2.length);
          withNaN.set(r2);
          const bits = new Uint32Array(withNaN.buffer, withNaN.byteOffset, withNaN.length);
          [bits[2 * W + 1], bits[2 * W + 2]] = [0xffc00000, 0x7fc00000];
          fast.maxPool2Forward(p2, withNaN, planes, H, W, true);
          expect([p2[W / 2], p2[W / 2 + 1]]).toEqual([NaN, NaN]);
          expectSame(p1.subarray(W / 2 + 2), p2.subarray(W / 2 + 2));
          const [e1, e2] = [ref.alloc(x1.length), fast.alloc(x1.length)];
          for (const [k, r, g, d, e] of [
            [ref, r1, g1, d1, e1],
            [fast, r2, g2, d2, e2],
          ] as const) {
            k.maxPool2Backward(d, g, r, planes, H, W);
            k.reluBackward(d, d, r, r.length);
            e.fill(7);
            k.maxPool2Backward(e, g, r, planes, H, W, true);
            expect([...e].map((v) => Object.is(v, -0))).toEqual(
              [...d].map((v) => Object.is(v, -0)),
            );
            expectSame(d, e);
          }
          expectSame(e1, e2);
        });

      for (const [planes, H, W, P, S] of [
        [6, 28, 28, 2, 2],
        [5, 7, 9, 1, 3],
        [3, 5, 5, 3, 1],
      ])
        it(`padding and striding copies ${planes}x${H}x${W}, pad ${P}, stride ${S}`, () => {
          const rng = new Rng(planes * H + P + S);
          const [x1, x2] = pair(planes * H * W, rng);
          const PH = H + 2 * P,
            PW = W + 2 * P;
          const p1 = ref.alloc(planes * PH * PW),
            p2 = fast.alloc(planes * PH * PW);
          p2.fill(7);
          ref.pad2d(p1, x1, planes, H, W, P);
          fast.pad2d(p2, x2, planes, H, W, P);
          expectSame(p1, p2);
          const c1 = ref.alloc(x1.length),
            c2 = fast.alloc(x1.length);
          ref.crop2d(c1, p1, planes, H, W, P);
          fast.crop2d(c2, p2, planes, H, W, P);
          expectSame(c1, x1);
          expectSame(c2, x2);
          const OH = Math.floor((PH - 1) / S) + 1,
            OW = Math.floor((PW - 1) / S) + 1;
          const s1 = ref.alloc(planes * OH * OW),
            s2 = fast.alloc(planes * OH * OW);
          ref.subsample2d(s1, p1, planes, PH, PW, S);
          fast.subsample2d(s2, p2, planes, PH, PW, S);
          expectSame(s1, s2);
          const u1 = ref.alloc(p1.length),
            u2 = fast.alloc(p1.length);
          u2.fill(7);
          ref.upsample2d(u1, s1, planes, PH, PW, S);
          fast.upsample2d(u2, s2, planes, PH, PW, S);
          expectSame(u1, u2);
          // a zero everywhere but at the sampled places, which hold the samples
          let nonzero = 0;
          for (const v of u1) nonzero += v !== 0 ? 1 : 0;
          expect(nonzero).toBe(s1.filter((v) => v !== 0).length);
        });

      it('sgd step with momentum and weight decay', () => {
        const rng = new Rng(7);
        const [p1, p2] = pair(101, rng),
          [g1, g2] = pair(101, rng),
          [v1, v2] = pair(101, rng);
        ref.sgdStep(p1, g1, v1, 101, 0.1, 0.9, 0.01);
        fast.sgdStep(p2, g2, v2, 101, 0.1, 0.9, 0.01);
        expectClose(p1, p2, 1e-6);
        expectClose(v1, v2, 1e-6);
      });

      it('sgd step on a range split at a multiple of four: the whole range bit for bit', () => {
        // the two threads each update a part of the parameters (train/parallel.ts), so every
        // part must round as the whole does, with and without momentum and the halves' sum
        const n = 203;
        const rng = new Rng(11);
        const start = rand(ref, 4 * n, rng);
        for (const momentum of [0, 0.9])
          for (const summed of [false, true])
            for (const cut of [4, 12, 100, 196]) {
              const whole = fast.alloc(4 * n),
                parts = fast.alloc(4 * n);
              whole.set(start);
              parts.set(start);
              const step = (buf: FloatArray, from: number, to: number) => {
                const [p, g, v, g2] = [0, 1, 2, 3].map((k) =>
                  buf.subarray(k * n + from, k * n + to),
                );
                if (summed) fast.sgdStepSum(p, g, g2, v, to - from, 0.1, momentum, 0.01);
                else fast.sgdStep(p, g, v, to - from, 0.1, momentum, 0.01);
              };
              step(whole, 0, n);
              step(parts, 0, cut);
              step(parts, cut, n);
              expectSame(whole, parts);
            }
      });

      it('zeroes exactly the buffer it is given', () => {
        const [before, buf, after] = [fast.alloc(5), fast.alloc(37), fast.alloc(5)];
        for (const b of [before, buf, after]) b.fill(-2.5);
        fast.zero(buf);
        expect([...buf].every((v) => Object.is(v, 0))).toBe(true);
        expect([...before, ...after].every((v) => v === -2.5)).toBe(true);
      });

      it('rejects buffers that are not its own', () => {
        const y = new Float32Array(4);
        expect(() => fast.tanhForward(y, y, 4)).toThrow(/own alloc/);
      });
    },
  );
}
