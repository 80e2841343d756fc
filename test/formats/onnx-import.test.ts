// ONNX import: models written by PyTorch's exporter (test/fixtures/onnx/, from
// scripts/fixtures/onnx_models.py with Debian's python3-torch) give PyTorch's logits in prunelab,
// with their layers named from the initializers; MatMul + Add reads as a dense layer; an op the
// engine cannot run and a truncated file are refused by name; and a PyTorch model is pruned by a
// study and its pruned model, exported again, runs in onnxruntime with prunelab's logits.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as OnnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/formats/model-files.js';
import { cli, expectSameLogits, type Ort } from './models.js';
import { peer } from './peers.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'onnx');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-onnx-import-'));
const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto;
const expected = JSON.parse(readFileSync(join(FIXTURES, 'onnx-expected.json'), 'utf8')) as {
  inputs: number[];
  logits: Record<string, number[]>;
  inputs28: number[];
  logits28: number[];
};

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function logits(file: string, inputs: number[], batch: number): Float32Array {
  const net = loadModelFile(file, batch);
  net.input.set(inputs);
  net.forward(batch);
  return Float32Array.from(net.acts[net.acts.length - 1].subarray(0, batch * net.classes));
}

describe('ONNX models written by PyTorch', () => {
  for (const [file, names] of [
    ['lenet5-flatten-op11.onnx', ['conv1', 'conv2', 'fc1', 'fc2', 'fc3']],
    [
      'lenet5-view-op17.onnx',
      ['features.0', 'features.3', 'classifier.1', 'classifier.3', 'classifier.5'],
    ],
  ] as const) {
    it(`${file} gives PyTorch's logits, with its layers named`, () => {
      const path = join(FIXTURES, file);
      const net = loadModelFile(path, 4);
      const layers = net.arch.layers.flatMap((l) => ('name' in l ? [l.name] : []));
      expect(layers).toEqual(names);
      expect(net.arch.input).toEqual([1, 32, 32]);
      expectSameLogits(logits(path, expected.inputs, 4), expected.logits[file]);
    });
  }

  it("a 1x28x28 model with ReLU, max-pooling, padding, stride and sigmoid gives PyTorch's logits", () => {
    const path = join(FIXTURES, 'small-28-op13.onnx');
    const net = loadModelFile(path, 2);
    expect(net.arch.input).toEqual([1, 28, 28]);
    expect(net.arch.layers.map((l) => l.kind)).toEqual([
      'conv',
      'relu',
      'maxpool',
      'conv',
      'sigmoid',
      'dense',
      'relu',
      'dense',
    ]);
    expect(net.arch.layers[0]).toMatchObject({ name: 'conv1', padding: 2 });
    expect(net.arch.layers[3]).toMatchObject({ name: 'conv2', padding: 1, stride: 2 });
    expectSameLogits(logits(path, expected.inputs28, 2), expected.logits28);
  });

  it('refuses an op the engine cannot run, naming it and its node, and a truncated file', () => {
    expect(() => loadModelFile(join(FIXTURES, 'leaky-op13.onnx'), 1)).toThrow(
      /node \/LeakyRelu: ONNX op LeakyRelu is not supported by prunelab's engine/,
    );
    const truncated = join(tmp, 'truncated.onnx');
    writeFileSync(
      truncated,
      readFileSync(join(FIXTURES, 'lenet5-flatten-op11.onnx')).subarray(0, 5000),
    );
    expect(() => loadModelFile(truncated, 1)).toThrow(/is not an ONNX model, or is truncated/);
    const r = cli('evaluate', join(FIXTURES, 'leaky-op13.onnx'), '--dataset', 'fashion-mnist');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reads MatMul + Add as a dense layer named after its bias', () => {
    const w = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // [in 4, out 3], as MatMul takes it
    const b = [0.5, -1, 2];
    const f32 = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const type = (dims: (number | string)[]) => ({
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    });
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ version: 13 }],
      graph: {
        node: [
          {
            opType: 'Flatten',
            name: 'flat',
            input: ['input'],
            output: ['f'],
            attribute: [{ name: 'axis', type: 2, i: 1 }],
          },
          { opType: 'MatMul', name: 'mm', input: ['f', 'onnx::MatMul_9'], output: ['m'] },
          { opType: 'Add', name: 'add', input: ['m', 'head.bias'], output: ['logits'] },
        ],
        initializer: [
          { name: 'onnx::MatMul_9', dims: [4, 3], dataType: FLOAT, rawData: f32(w) },
          { name: 'head.bias', dims: [3], dataType: FLOAT, rawData: f32(b) },
        ],
        input: [{ name: 'input', type: type(['batch', 1, 2, 2]) }],
        output: [{ name: 'logits', type: type(['batch', 3]) }],
      },
    });
    const file = join(tmp, 'matmul.onnx');
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const net = loadModelFile(file, 1);
    expect(net.arch.layers).toEqual([
      { kind: 'dense', name: 'head', inFeatures: 4, outFeatures: 3 },
    ]);
    const x = [1, -1, 0.5, 2];
    const want = [0, 1, 2].map((o) => b[o] + x.reduce((s, xi, i) => s + xi * w[i * 3 + o], 0));
    expectSameLogits(logits(file, x, 1), want);
  });
});

const ort = peer<Ort>('onnxruntime-node');

describe('a 1x28x28 ONNX model in a study', () => {
  it('takes MNIST-sized images as they are, with --normalize, and prunes its fc1', () => {
    const dir = join(tmp, 'small-study');
    const r = cli(
      'study',
      '--model',
      join(FIXTURES, 'small-28-op13.onnx'),
      '--dataset',
      'mnist',
      '--normalize',
      '0.1307,0.3081',
      '--train-size',
      '200',
      '--val-size',
      '100',
      '--test-size',
      '100',
      '--max-pruned',
      '3',
      '--criterion',
      'distinctiveness,reconstruct',
      '--out',
      dir,
      '--quiet',
    );
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      layer: string;
      data: { mean: number[] };
      runs: { steps: { hidden: number }[] }[];
    };
    expect(results.layer).toBe('fc1');
    expect(results.data.mean).toEqual([0.1307]);
    expect(results.runs[0].steps.map((s) => s.hidden)).toEqual([19, 18, 17]);
    const pruned = loadModelFile(join(dir, 'reconstruct-s1', 'model.safetensors'), 1);
    expect(pruned.arch.input).toEqual([1, 28, 28]);
  });
});

describe.skipIf(!ort)('a PyTorch model through a study', () => {
  it("is pruned, exported again, and runs in onnxruntime with prunelab's logits", async () => {
    const model = join(FIXTURES, 'lenet5-view-op17.onnx');
    const dir = join(tmp, 'study');
    const study = cli(
      'study',
      '--model',
      model,
      '--train-size',
      '300',
      '--val-size',
      '100',
      '--test-size',
      '100',
      '--max-pruned',
      '4',
      '--criterion',
      'merge',
      '--no-control',
      '--layer',
      'classifier.3',
      '--out',
      dir,
      '--quiet',
    );
    expect(study.stderr).toBe('');
    expect(study.status).toBe(0);
    const out = join(tmp, 'pruned.onnx');
    const exported = cli(
      'export',
      dir,
      '--criterion',
      'merge',
      '--at',
      'final',
      '--format',
      'onnx',
      '--out',
      out,
    );
    expect(exported.status, exported.stderr).toBe(0);
    const net = loadModelFile(out, 4);
    const pruned = net.arch.layers.find((l) => 'name' in l && l.name === 'classifier.3');
    expect(pruned).toMatchObject({ outFeatures: 80 });
    const session = await ort!.InferenceSession.create(out);
    const input = new ort!.Tensor('float32', Float32Array.from(expected.inputs), [4, 1, 32, 32]);
    const theirs = (await session.run({ input })).logits.data as Float32Array;
    expectSameLogits(logits(out, expected.inputs, 4), theirs);
  });
});
