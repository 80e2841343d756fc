// Gradient checks by finite differences (float64), the PyTorch golden fixture, and the network's
// bookkeeping (parameter counts, FLOPs, state round trips).
import { describe, expect, it } from 'vitest';
import { maxRel, randomInput } from './numbers.js';
import { lenetGolden } from '../fixtures/golden.js';
import { gradCheck } from '../../src/nn/gradcheck.js';
import {
  lenet5,
  Network,
  parameterCount,
  forwardFlops,
  type Architecture,
} from '../../src/nn/network.js';

const golden = lenetGolden();

const small: Architecture = {
  input: [2, 8, 8],
  output: 'softmax',
  layers: [
    { kind: 'conv', name: 'c1', inChannels: 2, outChannels: 3, kernel: 3 },
    { kind: 'tanh' },
    { kind: 'avgpool' },
    { kind: 'dense', name: 'd1', inFeatures: 27, outFeatures: 5 },
    { kind: 'tanh' },
    { kind: 'dense', name: 'd2', inFeatures: 5, outFeatures: 4 },
  ],
};

describe('finite-difference gradient checks (float64)', () => {
  for (const output of ['softmax', 'sigmoid'] as const) {
    it(`every layer kind, ${output} output`, () => {
      const net = new Network({ ...small, output }, 3, 'reference64');
      net.initialize(11);
      const r = gradCheck(net, randomInput(3 * 128, 1), [0, 3, 1], 3, { samples: 8 });
      expect(r.checked).toBe(6 * 8);
      expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
    });
  }

  it('LeNet-5 end to end', () => {
    const net = new Network(lenet5({ classes: 10 }), 2, 'reference64');
    net.initialize(3);
    const r = gradCheck(net, randomInput(2 * 1024, 2), [4, 7], 2, { samples: 4 });
    expect(r.maxRelError, r.worst).toBeLessThan(1e-5);
  });

  it('rejects a deliberately wrong gradient', () => {
    const net = new Network(small, 3, 'reference64');
    net.initialize(11);
    const r = gradCheck(net, randomInput(3 * 128, 1), [0, 3, 1], 3, {
      samples: 4,
      analytic: (name, i) => (name === 'd1.weight' ? 1.1 : 1) * net.grad(name)[i],
    });
    expect(r.maxRelError).toBeGreaterThan(1e-3);
    expect(r.worst).toMatch(/^d1\.weight/);
  });
});

function loadGolden(net: Network) {
  for (const [layer, t] of Object.entries(golden.params)) {
    net.param(`${layer}.weight`).set(t.weight.data);
    net.param(`${layer}.bias`).set(t.bias.data);
  }
  net.input.set(golden.input.data);
}

describe('PyTorch golden fixture (lenet5-golden.json)', () => {
  for (const [backend, tol] of [
    ['reference64', 1e-9],
    ['reference', 1e-4],
    ['wasm', 1e-4],
  ] as const) {
    it(`${backend}: logits, loss, every gradient, weights after one SGD step`, () => {
      const B = golden.labels.length;
      const net = new Network(lenet5({ classes: 10 }), B, backend);
      loadGolden(net);
      net.zeroGrad();
      net.forward(B);
      expect(maxRel(net.logits, golden.logits)).toBeLessThan(tol);
      const hidden = net.acts[net.activationIndex('fc2')];
      expect(maxRel(hidden, golden.hidden84)).toBeLessThan(tol);
      const { loss } = net.loss(golden.labels, 0, B, true);
      expect(Math.abs(loss / B - golden.loss) / golden.loss).toBeLessThan(tol);
      net.backward(B);
      for (const [layer, g] of Object.entries(golden.grads)) {
        for (const kind of ['weight', 'bias'] as const)
          expect(maxRel(net.grad(`${layer}.${kind}`), g[kind]), layer).toBeLessThan(tol * 10);
      }
      net.sgdStep(golden.sgd.lr);
      for (const [layer, t] of Object.entries(golden.sgd.paramsAfterOneStep)) {
        for (const kind of ['weight', 'bias'] as const)
          expect(maxRel(net.param(`${layer}.${kind}`), t[kind]), layer).toBeLessThan(tol);
      }
    });
  }
});

describe('network bookkeeping', () => {
  it('counts LeNet-5 parameters and FLOPs like the paper architecture', () => {
    const a = lenet5({ classes: 10 });
    expect(parameterCount(a)).toBe(156 + 2416 + 48120 + 10164 + 850);
    expect(forwardFlops(a)).toBe(2 * (117600 + 240000 + 48000 + 10080 + 840));
  });
  it('state round-trips and refuses a mismatched tensor', () => {
    const a = new Network(lenet5(), 1, 'reference');
    a.initialize(1);
    const b = new Network(lenet5(), 1, 'reference');
    b.setState(a.getState());
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
    const c = new Network(lenet5({ fc2: 83 }), 1, 'reference');
    expect(() => c.setState(a.getState())).toThrow(/fc2.weight/);
  });
});

describe('an evaluating pass', () => {
  // a padded convolution followed by tanh and pooling, one of odd output size, one without tanh
  const padded: Architecture = {
    input: [1, 12, 12],
    output: 'softmax',
    layers: [
      { kind: 'conv', name: 'c1', inChannels: 1, outChannels: 5, kernel: 5, padding: 2 },
      { kind: 'tanh' },
      { kind: 'avgpool' },
      { kind: 'conv', name: 'c2', inChannels: 5, outChannels: 6, kernel: 3 },
      { kind: 'avgpool' },
      { kind: 'dense', name: 'd1', inFeatures: 24, outFeatures: 7 },
      { kind: 'tanh' },
      { kind: 'dense', name: 'd2', inFeatures: 7, outFeatures: 3 },
    ],
  };
  // a strided convolution (not pooled in its pass: its subsampling comes between)
  const strided: Architecture = {
    input: [1, 13, 13],
    output: 'softmax',
    layers: [
      { kind: 'conv', name: 'c1', inChannels: 1, outChannels: 4, kernel: 3, stride: 2 },
      { kind: 'tanh' },
      { kind: 'avgpool' },
      { kind: 'dense', name: 'd1', inFeatures: 36, outFeatures: 3 },
    ],
  };
  for (const backend of ['wasm', 'reference'] as const)
    for (const [name, arch] of [
      ['LeNet-5', lenet5()],
      ['padded', padded],
      ['strided', strided],
    ] as const)
      it(`${backend}, ${name}: the logits and pooled outputs of the training pass, to the bit`, () => {
        const net = new Network(arch, 16, backend);
        net.initialize(5);
        const pooledAt = arch.layers.flatMap((l, i) => (l.kind === 'avgpool' ? [i + 1] : []));
        // one and two images take the direct kernels, five and sixteen Winograd's (LeNet-5's conv2)
        for (const B of [1, 2, 5, 16]) {
          net.input.set(randomInput(B * net.inputSize, B).map(Math.fround));
          const logits = Array.from(net.forward(B).subarray(0, B * net.classes));
          const pooled = pooledAt.map((i) => Array.from(net.acts[i]));
          for (const i of pooledAt) net.acts[i].fill(0);
          const evaluated = net.forward(B, { evaluating: true }).subarray(0, B * net.classes);
          expect(Array.from(evaluated)).toEqual(logits);
          expect(pooledAt.map((i) => Array.from(net.acts[i]))).toEqual(pooled);
        }
      });
});

describe('a partial backward pass', () => {
  it("stops at a layer: that layer's input gradient and the gradients above it as the whole pass's, nothing below touched", () => {
    const B = 6;
    const whole = new Network(lenet5({ classes: 10 }), B, 'wasm');
    const part = new Network(lenet5({ classes: 10 }), B, 'wasm');
    whole.initialize(4);
    part.initialize(4);
    const x = randomInput(B * whole.inputSize, 11);
    const labels = Array.from({ length: B }, (_, i) => (3 * i) % 10);
    for (const net of [whole, part]) {
      net.input.set(x);
      net.forward(B);
      net.loss(labels, 0, B, true);
    }
    const idx = whole.activationIndex('fc2');
    whole.backward(B);
    part.grads.fill(7);
    part.backward(B, 'grads', idx);
    expect(Array.from(part.dActs[idx].subarray(0, B * 84))).toEqual(
      Array.from(whole.dActs[idx].subarray(0, B * 84)),
    );
    expect(Array.from(part.grad('fc3.weight'))).toEqual(Array.from(whole.grad('fc3.weight')));
    // fc2 and everything before it were not run
    expect(part.grad('fc2.weight').every((g) => g === 7)).toBe(true);
    expect(part.grad('conv1.weight').every((g) => g === 7)).toBe(true);
  });
});
