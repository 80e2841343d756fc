// A dense layer's weight gradient from two half-batches and its SGD step in one pass
// (assembly/dense-step.ts): bit for bit the two passes it replaces (each half's gradient by
// denseBackward, then sgdStepSum), within rounding of the reference kernels, and declined, with
// nothing changed, where it does not apply.
import { describe, expect, it } from 'vitest';
import { createReferenceKernels } from '../../src/engine/reference.js';
import { compileWasmVariant, createWasmKernels } from '../../src/engine/wasm.js';
import { Rng } from '../../src/engine/rng.js';
import type { Kernels } from '../../src/engine/kernels.js';
import { expectClose, put, values } from './operands.js';
import { firstDifference } from '../train/bits.js';

const ref = createReferenceKernels('float32');

/** A step's operands: two halves of B0 and B1 images, output gradients of O of OS units. */
function operands(B0: number, B1: number, I: number, O: number, zeros: number, seed: number) {
  const rng = new Rng(seed);
  const OS = O + 3;
  return {
    shape: { B0, B1, I, O, OS },
    x: [values(B0 * I, rng), values(B1 * I, rng)],
    dOut: [values(B0 * OS, rng, zeros), values(B1 * OS, rng, zeros)],
    p: values(O * I, rng),
    v: values(O * I, rng),
    g: values(O * I, rng),
  };
}
type Operands = ReturnType<typeof operands>;
const OPT = [
  { lr: 0.05, mu: 0.9, wd: 1e-3 },
  { lr: 0.01, mu: 0, wd: 0 },
];

/** The one pass: whether it ran, and p, g and v after it. */
function onePass(k: Kernels, o: Operands, opt: (typeof OPT)[number]) {
  const { B0, B1, I, O, OS } = o.shape;
  const [p, g, v] = [put(k, o.p), put(k, o.g), put(k, o.v)];
  const half = (h: 0 | 1, B: number) => ({ dOut: put(k, o.dOut[h]), inp: put(k, o.x[h]), B });
  const halves = [half(0, B0), half(1, B1)] as [ReturnType<typeof half>, ReturnType<typeof half>];
  const ran = k.denseWeightGradStep({ p, g, v: opt.mu > 0 ? v : null }, halves, OS, I, O, opt);
  return { ran, p, g, v };
}

/** The two passes: each half's gradient by denseBackward (columns gathered), then sgdStepSum. */
function twoPasses(k: Kernels, o: Operands, opt: (typeof OPT)[number]) {
  const { B0, B1, I, O, OS } = o.shape;
  const [p, v] = [put(k, o.p), put(k, o.v)];
  const grads = ([0, 1] as const).map((h) => {
    const B = [B0, B1][h];
    const rows = o.dOut[h].filter((_, i) => i % OS < O);
    const dW = k.alloc(O * I);
    k.denseBackward(null, dW, k.alloc(O), put(k, rows), put(k, o.x[h]), k.alloc(O * I), B, I, O);
    return dW;
  });
  k.sgdStepSum(p, grads[0], grads[1], opt.mu > 0 ? v : null, O * I, opt.lr, opt.mu, opt.wd);
  return { p, g: grads[0], v };
}

// B0 x B1 x I x O: rows of 28 floats and of 28 and fours past them, unequal halves, one image
const SHAPES = [
  [8, 8, 784, 300],
  [7, 6, 44, 9],
  [1, 1, 36, 5],
  [32, 32, 56, 12],
] as const;

for (const variant of ['simd', 'simd-fma'] as const) {
  const module = compileWasmVariant(variant);
  describe.skipIf(!module)(`dense weight gradient and step in one pass (${variant})`, () => {
    const wasm = createWasmKernels(12_000_000, module, undefined, { sparse: true });

    for (const [B0, B1, I, O] of SHAPES)
      for (const [j, opt] of OPT.entries())
        it(`${B0}+${B1} images, ${I} inputs, ${O} units, ${opt.mu ? 'momentum' : 'plain'}`, () => {
          const o = operands(B0, B1, I, O, 0.6, B0 * 7 + I + O + j);
          const one = onePass(wasm, o, opt);
          expect(one.ran).toBe(true);
          const two = twoPasses(wasm, o, opt);
          for (const key of ['p', 'g', 'v'] as const)
            expect(firstDifference(one[key], two[key])).toBe(-1);
          // the step moved the parameters, and the reference agrees within rounding
          expect(firstDifference(one.p, o.p.map(Math.fround))).not.toBe(-1);
          const byRef = onePass(ref, o, opt);
          for (const key of ['p', 'g', 'v'] as const) expectClose(byRef[key], one[key]);
        });

    it('declines, changing nothing, where the sums would run dense or a row is not whole fours', () => {
      const cases = [
        operands(8, 8, 40, 6, 0.1, 1), // nine in ten output gradients nonzero
        operands(8, 8, 42, 6, 0.5, 2), // 42 inputs: rows not a multiple of four
        operands(8, 0, 40, 6, 0.5, 3), // an empty second half
      ];
      for (const o of cases) {
        const one = onePass(wasm, o, OPT[0]);
        expect(one.ran).toBe(false);
        for (const key of ['p', 'g', 'v'] as const)
          expect(firstDifference(one[key], o[key].map(Math.fround))).toBe(-1);
      }
      const off = createWasmKernels(3_000_000, module, undefined, { sparse: false });
      expect(onePass(off, operands(8, 8, 40, 6, 0.5, 4), OPT[0]).ran).toBe(false);
    });
  });
}
