// Every layer kind exported: networks with ReLU, sigmoid, max-pooling, padded and strided
// convolutions, dropout (and an MLP), saved by prunelab, exported by the CLI as ONNX and as TF.js,
// give prunelab's logits in onnxruntime-node and in TensorFlow.js (within 1e-5 of their scale).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { saveModel } from '../../src/nn/model-io.js';
import { Network, type Architecture } from '../../src/nn/network.js';
import { cli, expectSameLogits, tfjsLogits, type Ort, type Tf } from './models.js';
import { peer } from './peers.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-arch-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ort = peer<Ort>('onnxruntime-node');
const tf = peer<Tf>('@tensorflow/tfjs');
const N = 5;

const everyKind: Architecture = {
  input: [3, 12, 10],
  output: 'softmax',
  layers: [
    { kind: 'conv', name: 'conv1', inChannels: 3, outChannels: 4, kernel: 3, padding: 1 },
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
    { kind: 'dense', name: 'fc1', inFeatures: 5 * 3 * 3, outFeatures: 7 },
    { kind: 'tanh' },
    { kind: 'dense', name: 'fc2', inFeatures: 7, outFeatures: 4 },
  ],
};

const networks: [string, Architecture][] = [
  ['every layer kind, colour, non-square', everyKind],
  ['lenet5-caffe', resolveArchitecture('lenet5-caffe', { classes: 10 })],
  ['lenet5-pad', resolveArchitecture('lenet5-pad', { classes: 10 })],
  ['lenet-300-100', resolveArchitecture('lenet-300-100', { classes: 10 })],
  [
    'an MLP with dropout (left out of the inference graph)',
    {
      input: [1, 6, 6],
      output: 'softmax',
      layers: [
        { kind: 'dense', name: 'fc1', inFeatures: 36, outFeatures: 12 },
        { kind: 'sigmoid' },
        { kind: 'dropout', p: 0.5 },
        { kind: 'dense', name: 'fc2', inFeatures: 12, outFeatures: 3 },
      ],
    },
  ],
];

/** A seeded network saved as a model file, random inputs, and prunelab's logits for them. */
function fixture(name: string, arch: Architecture) {
  const net = new Network(arch, N);
  net.initialize(3);
  const rng = new Rng(4);
  const x = Float32Array.from({ length: N * net.inputSize }, () => rng.normal());
  net.input.set(x);
  net.forward(N);
  const logits = Float32Array.from(net.logits.subarray(0, N * net.classes));
  const file = join(tmp, `${name.replace(/[^a-z0-9]+/g, '-')}.safetensors`);
  saveModel(file, net);
  return { file, x, logits, shape: arch.input };
}

describe.skipIf(!ort)('ONNX export of every layer kind', () => {
  for (const [name, arch] of networks)
    it(`${name}: onnxruntime gives prunelab's logits`, async () => {
      const { file, x, logits, shape } = fixture(name, arch);
      const out = file.replace(/safetensors$/, 'onnx');
      const r = cli('export', file, '--format', 'onnx', '--out', out);
      expect(r.status, r.stderr).toBe(0);
      const session = await ort!.InferenceSession.create(out);
      const result = await session.run({ input: new ort!.Tensor('float32', x, [N, ...shape]) });
      expectSameLogits(result.logits.data as Float32Array, logits);
    });
});

describe.skipIf(!tf)('TF.js export of every layer kind', () => {
  for (const [name, arch] of networks)
    it(`${name}: TensorFlow.js gives prunelab's logits`, async () => {
      const { file, x, logits, shape } = fixture(name, arch);
      const out = file.replace(/\.safetensors$/, '-web');
      const r = cli('export', file, '--format', 'tfjs', '--out', out);
      expect(r.status, r.stderr).toBe(0);
      expectSameLogits(await tfjsLogits(tf!, out, x, [N, ...shape]), logits);
    });
});
