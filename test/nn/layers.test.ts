// The layer kinds beyond the paper's LeNet-5 (ReLU, sigmoid, max-pooling, padded and strided
// convolutions) in whole networks: finite-difference gradient checks in float64, and the PyTorch
// golden numbers of layers-golden.json on every backend.
import { describe, expect, it } from 'vitest';
import { expectGoldenPass } from './golden-pass.js';
import { maxRel, randomInput } from './numbers.js';
import { createReferenceKernels } from '../../src/engine/reference.js';
import { createWasmKernels } from '../../src/engine/wasm.js';
import { gradCheck } from '../../src/nn/gradcheck.js';
import { Network, type Architecture } from '../../src/nn/network.js';
import { layersGolden } from '../fixtures/golden.js';

const golden = layersGolden();

/** The fixture's network: every new layer kind once. */
const everyKind: Architecture = {
  input: [2, 12, 12],
  output: 'softmax',
  layers: [
    { kind: 'conv', name: 'conv1', inChannels: 2, outChannels: 4, kernel: 3, padding: 1 },
    { kind: 'relu' },
    { kind: 'maxpool' },
    {
      kind: 'conv',
      name: 'conv2',
      inChannels: 4,
      outChannels: 5,
      kernel: 3,
      padding: 1,
      stride: 2,
    },
    { kind: 'sigmoid' },
    { kind: 'dense', name: 'fc1', inFeatures: 45, outFeatures: 7 },
    { kind: 'relu' },
    { kind: 'dense', name: 'fc2', inFeatures: 7, outFeatures: 6 },
    { kind: 'sigmoid' },
    { kind: 'dense', name: 'fc3', inFeatures: 6, outFeatures: 3 },
  ],
};

describe('finite-difference gradient checks of the new layer kinds (float64)', () => {
  const variants: [string, Architecture][] = [
    ['relu, max-pooling, padding, stride, sigmoid', everyKind],
    [
      'a convolution with stride 2 and no padding, then tanh (the fused pair)',
      {
        input: [1, 9, 9],
        output: 'softmax',
        layers: [
          { kind: 'conv', name: 'c', inChannels: 1, outChannels: 3, kernel: 3, stride: 2 },
          { kind: 'tanh' },
          { kind: 'dense', name: 'd', inFeatures: 48, outFeatures: 4 },
        ],
      },
    ],
    [
      'an MLP with sigmoid',
      {
        input: [1, 4, 4],
        output: 'softmax',
        layers: [
          { kind: 'dense', name: 'fc1', inFeatures: 16, outFeatures: 6 },
          { kind: 'sigmoid' },
          { kind: 'dense', name: 'fc2', inFeatures: 6, outFeatures: 3 },
        ],
      },
    ],
  ];
  for (const [what, arch] of variants)
    it(what, () => {
      const net = new Network(arch, 3, 'reference64');
      net.initialize(7);
      const input = randomInput(3 * net.inputSize, 2);
      const r = gradCheck(net, input, [0, 2, 1], 3, { samples: 8 });
      // (as LeNet-5's end to end: gradients near 1e-6 leave central differences ~1e-6 relative)
      expect(r.maxRelError, r.worst).toBeLessThan(1e-5);
    });
});

describe('PyTorch golden fixture (layers-golden.json)', () => {
  const g = golden.network;
  for (const [backend, tol] of [
    ['reference64', 1e-9],
    ['reference', 1e-4],
    ['wasm', 1e-4],
  ] as const) {
    it(`${backend}: logits, loss, every gradient, weights after one SGD step`, () => {
      const net = new Network(everyKind, g.labels.length, backend);
      expectGoldenPass(net, g, tol);
      net.sgdStep(g.sgd.lr);
      for (const [layer, t] of Object.entries(g.sgd.paramsAfterOneStep))
        for (const kind of ['weight', 'bias'] as const)
          expect(maxRel(net.param(`${layer}.${kind}`), t[kind]), layer).toBeLessThan(tol);
    });
  }

  for (const [name, kernels] of [
    ['reference', createReferenceKernels('float64')],
    ['wasm', createWasmKernels(100_000)],
  ] as const)
    it(`${name}: max-pooling sends the gradient to the first maximum on ties, as PyTorch`, () => {
      const t = golden.maxpoolTies;
      const [B, C, H, W] = t.input.shape;
      const x = kernels.alloc(t.input.data.length),
        y = kernels.alloc(t.output.length),
        up = kernels.alloc(t.upstream.data.length),
        dx = kernels.alloc(t.input.data.length);
      x.set(t.input.data);
      up.set(t.upstream.data);
      kernels.maxPool2Forward(y, x, B * C, H, W);
      expect(Array.from(y)).toEqual(t.output);
      kernels.maxPool2Backward(dx, up, x, B * C, H, W);
      // each element is 0 or one upstream value: the same places as PyTorch's, the same values
      const where = (a: ArrayLike<number>) => Array.from(a, (v) => v !== 0);
      expect(where(dx)).toEqual(where(t.inputGrad));
      expect(maxRel(dx, t.inputGrad)).toBeLessThan(1e-7);
      let ties = 0;
      for (let i = 0; i < x.length; i += 2) ties += x[i] === x[i + 1] ? 1 : 0;
      expect(ties).toBeGreaterThan(10);
    });
});

describe('dropout', () => {
  const withDropout: Architecture = {
    input: [1, 6, 6],
    output: 'softmax',
    layers: [
      { kind: 'conv', name: 'c', inChannels: 1, outChannels: 2, kernel: 3 },
      { kind: 'relu' },
      { kind: 'dropout', p: 0.25 },
      { kind: 'dense', name: 'fc1', inFeatures: 32, outFeatures: 8 },
      { kind: 'tanh' },
      { kind: 'dropout', p: 0.5 },
      { kind: 'dense', name: 'fc2', inFeatures: 8, outFeatures: 3 },
    ],
  };

  it("passes the finite-difference check with a training step's masks (float64)", () => {
    const net = new Network(withDropout, 3, 'reference64');
    net.initialize(7);
    net.dropout.key = 12345;
    const r = gradCheck(net, randomInput(3 * 36, 2), [0, 2, 1], 3, { samples: 8 });
    expect(r.maxRelError, r.worst).toBeLessThan(1e-5);
  });

  it('zeroes about p of the values and scales the rest by 1/(1-p) while training; else the identity', () => {
    const arch: Architecture = {
      input: [1, 50, 40],
      output: 'softmax',
      layers: [
        { kind: 'dropout', p: 0.3 },
        { kind: 'dense', name: 'fc', inFeatures: 2000, outFeatures: 2 },
      ],
    };
    const net = new Network(arch, 4);
    const x = Float32Array.from({ length: 4 * 2000 }, (_, i) => 1 + (i % 7));
    net.input.set(x);
    net.forward(4);
    expect(Array.from(net.acts[1])).toEqual(Array.from(x));
    net.dropout.key = 99;
    net.forward(4);
    const out = net.acts[1];
    let zeros = 0;
    for (let i = 0; i < out.length; i++) {
      if (out[i] === 0) zeros++;
      else expect(out[i]).toBeCloseTo(x[i] / 0.7, 5);
    }
    expect(zeros / out.length).toBeGreaterThan(0.28);
    expect(zeros / out.length).toBeLessThan(0.32);
    // another step's key, another mask
    const first = Array.from(out);
    net.dropout.key = 100;
    net.forward(4);
    expect(Array.from(net.acts[1])).not.toEqual(first);
  });

  it("draws an image's mask from its place in the whole batch: two halves give the whole's", () => {
    const net = new Network(withDropout, 6);
    net.initialize(3);
    const x = randomInput(6 * 36, 5);
    net.dropout.key = 777;
    net.input.set(x);
    net.forward(6);
    const whole = Array.from(net.logits.subarray(0, 18));
    net.input.set(x.subarray(0, 3 * 36));
    net.forward(3);
    const firstHalf = Array.from(net.logits.subarray(0, 9));
    net.input.set(x.subarray(3 * 36));
    net.dropout.first = 3;
    net.forward(3);
    const secondHalf = Array.from(net.logits.subarray(0, 9));
    expect([...firstHalf, ...secondHalf]).toEqual(whole);
  });
});
