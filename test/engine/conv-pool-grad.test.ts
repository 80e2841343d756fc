// The first convolution's backward pass from its ReLU and max-pooling's output gradient
// (assembly/conv-pool-grad.ts) against the reference kernels' two passes, for both builds: windows
// with ties and with no positive element, rows of windows past a multiple of four, colour input.
import { describe, expect, it } from 'vitest';
import { createReferenceKernels } from '../../src/engine/reference.js';
import { compileWasmVariant, createWasmKernels } from '../../src/engine/wasm.js';
import { Rng } from '../../src/engine/rng.js';
import { put } from './operands.js';

const ref = createReferenceKernels('float64');

// B, C, H, W, OC: the Caffe LeNet-5's conv1, LeNet-5-ReLU's, six and five windows a row, colour
const SHAPES = [
  [8, 1, 28, 28, 20],
  [3, 1, 32, 32, 6],
  [2, 3, 12, 16, 5],
  [1, 2, 10, 14, 3],
  [5, 1, 6, 22, 2],
] as const;

for (const variant of ['simd', 'simd-fma'] as const) {
  const module = compileWasmVariant(variant);
  describe.skipIf(!module)(`first convolution, ReLU and max-pooling backward (${variant})`, () => {
    const fast = createWasmKernels(2_000_000, module);
    for (const [B, C, H, W, OC] of SHAPES)
      it(`${B}x${C}x${H}x${W}, ${OC} channels`, () => {
        const rng = new Rng(B * 7 + C + H * W + OC);
        const [OH, OW] = [H - 4, W - 4];
        const x = Array.from({ length: B * C * H * W }, () => rng.uniform(-1, 1));
        // the ReLU's output on a coarse grid: zeros, and ties within windows
        const y = Array.from({ length: B * OC * OH * OW }, () =>
          Math.max(0, Math.round(rng.uniform(-2, 3)) / 2),
        );
        const g = Array.from({ length: (B * OC * OH * OW) / 4 }, () => rng.uniform(-1, 1));
        const [[fastW, fastB], [refW, refB]] = [fast, ref].map((k) => {
          const w = k.alloc(OC * C * 25),
            b = k.alloc(OC);
          k.convReluMaxPoolBackward(w, b, put(k, g), put(k, y), put(k, x), B, C, H, W, OC);
          return [w, b];
        });
        for (const [a, b] of [
          [refW, fastW],
          [refB, fastB],
        ])
          for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
        expect(Array.from(fastW).some((v) => v !== 0)).toBe(true);
      });
  });
}

it('the reference: a window with no positive element passes nothing; ties go to the first', () => {
  // one 8x8 image, one channel: the 4x4 ReLU output's four windows, only (0, 1) with a positive one
  const x = Array.from({ length: 64 }, (_, i) => i);
  const y = [0, 0, 2, 2, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0];
  const g = [5, 7, 11, 13];
  const w = ref.alloc(25),
    b = ref.alloc(1);
  ref.convReluMaxPoolBackward(w, b, put(ref, g), put(ref, y), put(ref, x), 1, 1, 8, 8, 1);
  // only window (0,1) is positive; its first maximum is at (0,2): dW = 7 * the patch at (0,2)
  expect(b[0]).toBe(7);
  expect(w[0]).toBe(7 * 2);
  expect(w[6]).toBe(7 * (8 + 3));
});
