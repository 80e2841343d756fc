// The dense layer's backward products over the nonzero output gradients (assembly/dense-sparse.ts):
// the same bits as the dense kernels wherever they are taken, within rounding of the reference
// kernels, and taken (a zero gradient times an infinite input is skipped, not NaN).
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceKernels } from '../../src/engine/reference.js';
import { compileWasmVariant, createWasmKernels } from '../../src/engine/wasm.js';
import { Rng } from '../../src/engine/rng.js';
import type { Kernels } from '../../src/engine/kernels.js';
import { expectClose, put, values } from './operands.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { Network } from '../../src/nn/network.js';
import { serialTrainStep } from '../../src/train/serial-step.js';
import { firstDifference } from '../train/bits.js';
import { randomBatch } from '../train/random-batch.js';

const ref = createReferenceKernels('float32');

// B x I x O: widths past a multiple of 28 by 16, 4 and single floats, one image, odd batches;
// outputs over one block of the input gradient's lists (128), two whole ones and three
const SHAPES = [
  [8, 800, 250],
  [4, 30, 256],
  [16, 784, 300],
  [13, 37, 9],
  [5, 44, 7],
  [1, 3, 5],
  [3, 61, 2],
] as const;

for (const variant of ['simd', 'simd-fma'] as const) {
  const module = compileWasmVariant(variant);
  describe.skipIf(!module)(`sparse dense backward (${variant})`, () => {
    const sparse = createWasmKernels(3_000_000, module, undefined, { sparse: true });
    const dense = createWasmKernels(3_000_000, module, undefined, { sparse: false });
    const kernels = [sparse, dense, ref] as const;

    for (const [B, I, O] of SHAPES)
      for (const zeros of [0.5, 0.9]) {
        it(`${B}x${I}x${O}, ${zeros * 100}% of the output gradients zero`, () => {
          const rng = new Rng(B * 31 + I * 7 + O + zeros * 100);
          const x = values(B * I, rng),
            w = values(O * I, rng),
            g = values(B * O, rng, zeros);
          const outs = kernels.map((k) => {
            const dInp = k.alloc(B * I),
              dW = k.alloc(O * I),
              dB = k.alloc(O);
            k.denseBackward(dInp, dW, dB, put(k, g), put(k, x), put(k, w), B, I, O);
            return { dInp, dW, dB };
          });
          for (const key of ['dInp', 'dW', 'dB'] as const) {
            expect(Array.from(outs[0][key])).toEqual(Array.from(outs[1][key]));
            expectClose(outs[2][key], outs[0][key]);
          }
        });

        it(`${B}x${I}x${O}, ${zeros * 100}% zero: the input gradient through a range, set and added`, () => {
          const rng = new Rng(B + I + O * 3 + zeros * 10);
          const from = Math.floor(O / 3);
          const w = values(O * I, rng),
            g = values(B * O, rng, zeros),
            start = values(B * I, rng);
          const outs = kernels.map((k) => {
            const [gk, wk] = [put(k, g), put(k, w)];
            const d = put(k, start);
            k.denseInputGrad(d, gk.subarray(from), O, wk.subarray(from * I), B, I, O - from, true);
            const set = k.alloc(B * I);
            k.denseInputGrad(set, gk, O, wk, B, I, from, false);
            return [d, set];
          });
          for (const i of [0, 1]) {
            expect(Array.from(outs[0][i])).toEqual(Array.from(outs[1][i]));
            expectClose(outs[2][i], outs[0][i]);
          }
        });
      }

    it('is taken below the density where it pays, and not above', () => {
      // 0 * Infinity is NaN in a dense sum; the sparse kernels never form that term
      const [B, I, O] = [4, 40, 8];
      const rng = new Rng(5);
      const x = values(B * I, rng),
        w = values(O * I, rng);
      x[0] = Infinity; // image 0, input 0
      w[0] = Infinity; // output 0, input 0
      const run = (k: Kernels, g: number[]) => {
        const dInp = k.alloc(B * I),
          dW = k.alloc(O * I);
        k.denseBackward(dInp, dW, k.alloc(O), put(k, g), put(k, x), put(k, w), B, I, O);
        return { dW: dW[0], dInp: dInp[I] };
      };
      // image 0's gradient is zero for output 0, image 1's for every output: dW[0, 0] sums
      // g[n, 0] * x[n, 0] and dInp[1, 0] sums g[1, o] * w[o, 0]
      const few = values(B * O, rng).map((v, i) => (i % O === 0 || (i >= O && i < 2 * O) ? 0 : v));
      for (let i = 2 * O; i < B * O; i++) if (i % 2) few[i] = 0;
      expect(Number.isFinite(run(sparse, few).dW)).toBe(true);
      expect(Number.isFinite(run(sparse, few).dInp)).toBe(true);
      expect(run(dense, few).dW).toBeNaN();
      expect(run(dense, few).dInp).toBeNaN();
      // most gradients nonzero: the dense kernels run, and form 0 * Infinity
      const many = values(B * O, rng).map((v, i) => (i % O === 0 || i === O ? 0 : v));
      expect(run(sparse, many).dW).toBeNaN();
      expect(run(sparse, many).dInp).toBeNaN();
    });
  });
}

describe('training with the sparse kernels', () => {
  afterEach(() => {
    delete process.env.PRUNELAB_SPARSE;
  });

  for (const name of ['lenet-300-100', 'lenet5-caffe'])
    it(`${name}: the same parameters, bit for bit, as with the dense kernels alone`, () => {
      const arch = resolveArchitecture(name, { classes: 10 });
      const nets = ['1', '0'].map((on) => {
        process.env.PRUNELAB_SPARSE = on;
        const net = new Network(arch, 16, 'wasm');
        net.initialize(3);
        return net;
      });
      const opt = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 };
      for (const [step, B] of [16, 16, 13, 16].entries()) {
        const { x, y } = randomBatch(B, step, nets[0].inputSize);
        for (const net of nets) serialTrainStep(net, x, y, B, opt);
        expect(firstDifference(nets[0].params, nets[1].params)).toBe(-1);
      }
    });
});
