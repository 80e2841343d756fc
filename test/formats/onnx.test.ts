// ONNX export: a trained model and a pruned one, exported by the CLI, run in onnxruntime-node on
// real Fashion-MNIST test images and give prunelab's logits (to float32 rounding: within 1e-5 of
// the logits' scale) and the same predictions; the pruned model's file is smaller and its
// initializers have the pruned shapes; the metadata travels; bad requests are one line.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as OnnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedData } from '../../src/data/types.js';
import { loadModel } from '../../src/nn/model-io.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import { cli, expectSameLogits, modelPaths, trainAndPrune, type Ort } from './models.js';
import { peer } from './peers.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-onnx-'));
const ort = peer<Ort>('onnxruntime-node');
const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto;
const N = 200;
let data: PreparedData;
const { trained, pruned } = modelPaths(tmp);

beforeAll(async () => {
  // fc2 pruned from 84 to 60 units, as a study would leave it
  ({ data } = await trainAndPrune(
    tmp,
    N,
    Array.from({ length: 24 }, (_, k) => 3 * k),
  ));
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** prunelab's logits for the first N test images. */
function ourLogits(model: string): Float32Array {
  const net = loadModel(model, N);
  net.input.set(data.test.x.subarray(0, N * 1024));
  net.forward(N);
  return Float32Array.from(net.acts[net.acts.length - 1].subarray(0, N * 10));
}

const argmax = (x: ArrayLike<number>, row: number) => {
  let best = 0;
  for (let c = 1; c < 10; c++) if (x[row * 10 + c] > x[row * 10 + best]) best = c;
  return best;
};

describe.skipIf(!ort)('ONNX export', () => {
  for (const [name, model] of [
    ['trained', trained],
    ['pruned', pruned],
  ] as const) {
    it(`runs the ${name} model in onnxruntime with prunelab's logits`, async () => {
      const out = join(tmp, `${name}.onnx`);
      const r = cli('export', model, '--format', 'onnx', '--out', out);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const session = await ort!.InferenceSession.create(out);
      const input = new ort!.Tensor('float32', data.test.x.slice(0, N * 1024), [N, 1, 32, 32]);
      const result = await session.run({ input });
      expect(result.logits.dims).toEqual([N, 10]);
      const theirs = result.logits.data as Float32Array;
      const ours = ourLogits(model);
      expectSameLogits(theirs, ours);
      for (let n = 0; n < N; n++) expect(argmax(theirs, n)).toBe(argmax(ours, n));
      // a batch of one works too (the batch dimension is dynamic)
      const one = await session.run({
        input: new ort!.Tensor('float32', data.test.x.slice(0, 1024), [1, 1, 32, 32]),
      });
      expect(one.logits.dims).toEqual([1, 10]);
    });
  }

  it('writes the pruned shapes, a smaller file, and the metadata', () => {
    const read = (file: string) => onnx.ModelProto.decode(readFileSync(file));
    const small = read(join(tmp, 'pruned.onnx'));
    const fc2 = small.graph!.initializer!.find((t) => t.name === 'fc2.weight')!;
    const fc3 = small.graph!.initializer!.find((t) => t.name === 'fc3.weight')!;
    expect(fc2.dims!.map(Number)).toEqual([60, 120]);
    expect(fc3.dims!.map(Number)).toEqual([10, 60]);
    expect(statSync(join(tmp, 'pruned.onnx')).size).toBeLessThan(
      statSync(join(tmp, 'trained.onnx')).size,
    );
    const props = new Map(small.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
    const arch = JSON.parse(props.get('prunelab.architecture') ?? '{}') as { layers: unknown[] };
    expect(arch.layers).toHaveLength(11);
    expect(props.get('prunelab.mean')).toBe(loadSafetensors(trained).metadata['prunelab.mean']);
    expect(Number(small.opsetImport[0].version)).toBe(13);
  });
});

describe('export from a study folder', () => {
  it('finds the run at its knee, its end or a kept step, and names what is missing', () => {
    const study = join(tmp, 'study');
    mkdirSync(join(study, 'merge-s2', 'models'), { recursive: true });
    mkdirSync(join(study, 'baseline-s2'), { recursive: true });
    copyFileSync(trained, join(study, 'baseline-s2', 'model.safetensors'));
    copyFileSync(pruned, join(study, 'merge-s2', 'knee.safetensors'));
    copyFileSync(pruned, join(study, 'merge-s2', 'models', 'step-24.safetensors'));
    const out = join(tmp, 'from-folder.onnx');
    const knee = cli(
      'export',
      study,
      '--criterion',
      'merge',
      '--seed',
      '2',
      '--format',
      'onnx',
      '--out',
      out,
    );
    expect(knee.status, knee.stderr).toBe(0);
    expect(knee.stdout).toContain(join(study, 'merge-s2', 'knee.safetensors'));
    const step = cli(
      'export',
      study,
      '--criterion',
      'merge',
      '--seed',
      '2',
      '--at',
      'step-24',
      '--format',
      'onnx',
      '--out',
      out,
    );
    expect(step.stdout).toContain(join('models', 'step-24.safetensors'));
    const base = cli(
      'export',
      study,
      '--at',
      'baseline',
      '--seed',
      '2',
      '--format',
      'onnx',
      '--out',
      out,
    );
    expect(base.stdout).toContain(join('baseline-s2', 'model.safetensors'));
    for (const [args, message] of [
      [['--criterion', 'paper', '--seed', '2'], /has no run of paper with seed 2; it has merge-s2/],
      [['--seed', '2'], /--criterion: which run of .*\? it has merge-s2/],
      [['--criterion', 'merge', '--seed', '2', '--at', 'final'], /the final model is not there/],
      [
        ['--criterion', 'merge', '--seed', '2', '--at', 'step-3'],
        /kept no model of step-3 \(kept: step-24\)/,
      ],
    ] as const) {
      const r = cli('export', study, ...args, '--format', 'onnx', '--out', out);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('export refusals', () => {
  it('are one line each, with exit code 2', () => {
    for (const [args, message] of [
      [['--format', 'keras', '--out', join(tmp, 'm')], /--format keras: choose one of onnx, tfjs/],
      [['--format', 'onnx', '--out', join(tmp, 'm.txt')], /an ONNX model file ends in \.onnx/],
    ] as const) {
      const r = cli('export', trained, ...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const missing = cli(
      'export',
      join(tmp, 'nope.safetensors'),
      '--format',
      'onnx',
      '--out',
      join(tmp, 'x.onnx'),
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/not found/);
  });
});
