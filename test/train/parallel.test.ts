// Data-parallel training gives exactly the numbers of one thread (fixed half-batches, fixed-order
// reduction), also across an architecture change (pruning) of the attached network, with the
// replica in shared memory (WebAssembly kernels) or on copies (reference kernels).
import { describe, expect, it } from 'vitest';
import { lenet5, Network } from '../../src/nn/network.js';
import { DataParallel } from '../../src/train/parallel.js';
import { serialStep } from '../../src/train/serial-step.js';
import { randomBatch as batchData } from './random-batch.js';
import { removeUnits } from '../../src/prune/surgery.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { firstDifference } from './bits.js';

describe('data-parallel SGD', () => {
  // with the WebAssembly kernels the helper's replica shares the network's memory; with the
  // reference kernels it works on copies: both must give the single-thread numbers
  for (const backend of ['wasm', 'reference'] as const)
    it(`matches the single-thread step bit for bit, before and after pruning (${backend}, ${backend === 'wasm' ? 'shared memory' : 'copies'})`, async () => {
      const a = new Network(lenet5(), 128, backend),
        b = new Network(lenet5(), 128, backend);
      a.initialize(5);
      b.initialize(5);
      const dp = await DataParallel.create(b, 16);
      try {
        expect(dp.sharesMemory).toBe(backend === 'wasm');
        let na = a,
          nb = b;
        for (let step = 0; step < 6; step++) {
          if (step === 3) {
            na = removeUnits(na, 'fc2', [7, 40]);
            nb = removeUnits(nb, 'fc2', [7, 40]);
            dp.attach(nb);
            expect(dp.sharesMemory).toBe(backend === 'wasm');
          }
          const B = step === 5 ? 11 : 16;
          const { x, y } = batchData(B, step);
          const ra = serialStep(na, x, y, B),
            rb = dp.step(nb, x, y, B);
          expect(rb.correct).toBe(ra.correct);
          expect(rb.loss).toBeCloseTo(ra.loss, 10);
          expect(Array.from(nb.grads)).toEqual(Array.from(na.grads));
          na.sgdStep(0.05);
          nb.sgdStep(0.05);
        }
        expect(Array.from(nb.params)).toEqual(Array.from(na.params));
      } finally {
        await dp.close();
      }
    });

  it('the two half-batch gradient equals the whole-batch gradient (float64)', () => {
    const net = new Network(lenet5(), 16, 'reference64');
    net.initialize(2);
    const { x, y } = batchData(9, 3);
    serialStep(net, x, y, 9);
    const halves = Float64Array.from(net.grads);
    net.zeroGrad();
    net.input.set(x);
    net.forward(9);
    net.loss(y, 0, 9, true);
    net.backward(9);
    let worst = 0;
    for (let i = 0; i < halves.length; i++)
      worst = Math.max(worst, Math.abs(halves[i] - net.grads[i]));
    expect(worst).toBeLessThan(1e-12);
  });
});

describe('data-parallel SGD on every architecture', () => {
  const presets = ['lenet5-caffe', 'lenet-300-100', 'lenet5-pad', 'mlp:3072-40-20-10:sigmoid'];
  const withDropout = (preset: string) => {
    const arch = resolveArchitecture(preset, { classes: 10 });
    return {
      ...arch,
      layers: [
        ...arch.layers.slice(0, 2),
        { kind: 'dropout' as const, p: 0.4 },
        ...arch.layers.slice(2),
      ],
    };
  };
  const cases = [
    ...presets.map((p) => [p, resolveArchitecture(p, { classes: 10 })] as const),
    ['lenet-300-100 with dropout', withDropout('lenet-300-100')] as const,
  ];
  for (const [preset, arch] of cases)
    it(`${preset}: the single-thread step bit for bit, before and after pruning fc1`, async () => {
      const a = new Network(arch, 128, 'wasm'),
        b = new Network(arch, 128, 'wasm');
      a.initialize(5);
      b.initialize(5);
      const dp = await DataParallel.create(b, 16);
      try {
        let na = a,
          nb = b;
        for (let step = 0; step < 4; step++) {
          if (step === 2) {
            na = removeUnits(na, 'fc1', [3, 9]);
            nb = removeUnits(nb, 'fc1', [3, 9]);
            dp.attach(nb);
          }
          const B = step === 3 ? 13 : 16;
          const { x, y } = batchData(B, step, a.inputSize);
          na.dropout.key = nb.dropout.key = 1000 + step;
          const ra = serialStep(na, x, y, B),
            rb = dp.step(nb, x, y, B);
          expect(rb.correct).toBe(ra.correct);
          expect(Array.from(nb.grads)).toEqual(Array.from(na.grads));
          na.sgdStep(0.05);
          nb.sgdStep(0.05);
        }
        expect(Array.from(nb.params)).toEqual(Array.from(na.params));
      } finally {
        await dp.close();
      }
    });
});

describe('data-parallel SGD update split between the threads', () => {
  for (const [name, backend] of [
    ['lenet-300-100', 'wasm'],
    ['lenet5', 'wasm'],
    ['lenet5', 'reference'],
  ] as const)
    it(`${name} (${backend}): trainStep gives the serial step and update bit for bit, with momentum and weight decay`, async () => {
      const arch = resolveArchitecture(name, { classes: 10 });
      const a = new Network(arch, 128, backend),
        b = new Network(arch, 128, backend);
      a.initialize(3);
      b.initialize(3);
      const opt = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 };
      const dp = await DataParallel.create(b, 16);
      try {
        for (let step = 0; step < 5; step++) {
          const B = step === 4 ? 9 : 16;
          const { x, y } = batchData(B, step, a.inputSize);
          const ra = serialStep(a, x, y, B);
          a.sgdStep(opt.lr, opt.momentum, opt.weightDecay);
          const rb = dp.trainStep(b, x, y, B, opt);
          expect(rb.correct).toBe(ra.correct);
          expect(firstDifference(b.grads, a.grads)).toBe(-1);
          expect(firstDifference(b.params, a.params)).toBe(-1);
        }
        expect(firstDifference(b.velocityFor(0.9)!, a.velocityFor(0.9)!)).toBe(-1);
      } finally {
        await dp.close();
      }
    });
});

describe('data-parallel evaluation', () => {
  it('gives exactly the single-thread loss and accuracy', async () => {
    const net = new Network(lenet5(), 128, 'wasm');
    net.initialize(9);
    const { x, y } = batchData(301, 4);
    const split = { x, y, n: 301 };
    const { evaluate } = await import('../../src/train/evaluation.js');
    const serial = evaluate(net, split);
    const dp = await DataParallel.create(net, 16);
    try {
      expect(evaluate(net, split, dp)).toEqual(serial);
    } finally {
      await dp.close();
    }
  });
});

describe('data-parallel activation vectors', () => {
  // 131 images end in a chunk of 3: halves of 2 and 1, which take the direct convolution kernels
  // rather than Winograd's (assembly/conv-layout.ts), on one thread as on two
  for (const n of [203, 131])
    it(`equal the single-thread ones (${n} images)`, async () => {
      const { layerActivations } = await import('../../src/prune/activations.js');
      const net = new Network(lenet5(), 128, 'wasm');
      net.initialize(4);
      const { x, y } = batchData(n, 8);
      const serial = layerActivations(net, 'fc2', { x, y, n });
      const dp = await DataParallel.create(net, 16);
      try {
        const par = layerActivations(net, 'fc2', { x, y, n }, false, dp);
        expect(Array.from(par.acts)).toEqual(Array.from(serial.acts));
      } finally {
        await dp.close();
      }
    });
});
