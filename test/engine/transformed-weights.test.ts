// The Winograd forward pass's transformed weights kept for the backward pass (conv2dForward's and
// conv2dBackward's `transformed`): the backward pass's numbers the same to the bit, and they are
// really taken; kept only where the Winograd kernels run.
import { describe, expect, it } from 'vitest';
import { createReferenceKernels } from '../../src/engine/reference.js';
import { compileWasmVariant, createWasmKernels } from '../../src/engine/wasm.js';
import { Rng } from '../../src/engine/rng.js';
import type { FloatArray, Kernels } from '../../src/engine/kernels.js';

function random(k: Kernels, n: number, rng: Rng): FloatArray {
  const a = k.alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

// B, C, H, W, OC: the Caffe LeNet-5's conv2 (F(4x4, 5x5)), LeNet-5's (F(2x2, 5x5))
const SHAPES = [
  [8, 20, 12, 12, 50],
  [8, 6, 14, 14, 16],
] as const;

for (const variant of ['simd', 'simd-fma'] as const) {
  const module = compileWasmVariant(variant);
  describe.skipIf(!module)(`transformed weights kept for the backward pass (${variant})`, () => {
    const k = createWasmKernels(3_000_000, module);
    for (const [B, C, H, W, OC] of SHAPES)
      it(`${B}x${C}x${H}x${W}, ${OC} channels: the same bits, and taken`, () => {
        const rng = new Rng(C * OC);
        const [OH, OW] = [H - 4, W - 4];
        const x = random(k, B * C * H * W, rng),
          w = random(k, OC * C * 25, rng),
          b = random(k, OC, rng),
          dOut = random(k, B * OC * OH * OW, rng);
        const transformed = k.alloc(k.transformedFloats(C, H, W, OC, 5));
        expect(transformed.length).toBeGreaterThan(0);
        const y = k.alloc(B * OC * OH * OW);
        expect(k.conv2dForward(y, x, w, b, B, C, H, W, OC, 5, 'relu', null, transformed)).toBe(
          true,
        );
        const run = (t: FloatArray | null) => {
          const dInp = k.alloc(B * C * H * W),
            dW = k.alloc(OC * C * 25),
            dB = k.alloc(OC);
          k.conv2dBackward(dInp, dW, dB, dOut, x, w, B, C, H, W, OC, 5, t);
          return [dInp, dW, dB].map((a) => Array.from(a));
        };
        expect(run(transformed)).toEqual(run(null));
        // other weights' transform gives another input gradient: the kept one is what ran
        const other = k.alloc(transformed.length);
        other.set(transformed.map((v) => v * 2));
        expect(run(other)[0]).not.toEqual(run(null)[0]);
      });

    it('kept only where the Winograd kernels run', () => {
      const rng = new Rng(3);
      const [C, H, W, OC] = [20, 12, 12, 50];
      const transformed = k.alloc(k.transformedFloats(C, H, W, OC, 5));
      const forward = (B: number) =>
        k.conv2dForward(
          k.alloc(B * OC * 64),
          random(k, B * C * H * W, rng),
          random(k, OC * C * 25, rng),
          random(k, OC, rng),
          B,
          C,
          H,
          W,
          OC,
          5,
          null,
          null,
          transformed,
        );
      // one or two images take the direct kernels (WINOGRAD_MIN_BATCH)
      expect(forward(2)).toBe(false);
      expect(forward(3)).toBe(true);
      expect(k.transformedFloats(3, H, W, OC, 5)).toBe(0);
      expect(k.transformedFloats(C, H, W, OC, 3)).toBe(0);
      expect(createReferenceKernels().transformedFloats(C, H, W, OC, 5)).toBe(0);
    });
  });
}
