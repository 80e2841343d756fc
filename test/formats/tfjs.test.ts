// TensorFlow.js export: a trained model, a pruned one and a PyTorch model pruned by a study, each
// exported by the CLI as a LayersModel and loaded by @tensorflow/tfjs (installed on demand), give
// prunelab's logits (within 1e-5 of their scale) and predictions on real Fashion-MNIST images fed
// channels-last; the pruned layer's kernel has the pruned shape; the folder is written whole.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedData } from '../../src/data/types.js';
import { loadModelFile } from '../../src/formats/model-files.js';
import { cli, expectSameLogits, modelPaths, tfjsLogits, trainAndPrune, type Tf } from './models.js';
import { peer } from './peers.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'onnx');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-tfjs-'));
const tf = peer<Tf>('@tensorflow/tfjs');
const N = 100;
let data: PreparedData;
const { trained, pruned } = modelPaths(tmp);
const study = join(tmp, 'study');

beforeAll(async () => {
  if (!tf) return;
  ({ data } = await trainAndPrune(tmp, N, [0, 5, 9, 30, 31, 70]));
  const s = cli(
    'study',
    '--model',
    join(FIXTURES, 'lenet5-flatten-op11.onnx'),
    '--train-size',
    '300',
    '--val-size',
    '100',
    '--test-size',
    '100',
    '--max-pruned',
    '3',
    '--criterion',
    'merge',
    '--no-control',
    '--out',
    study,
    '--quiet',
  );
  if (s.status !== 0) throw new Error(s.stderr);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!tf)('TensorFlow.js export', () => {
  for (const [name, source] of [
    ['trained', () => [trained]],
    ['pruned', () => [pruned]],
    [
      'PyTorch-trained and pruned by a study',
      () => [study, '--criterion', 'merge', '--at', 'final'],
    ],
  ] as const) {
    it(`loads the ${name} model in TF.js with prunelab's logits`, async () => {
      const out = join(tmp, `web-${name.split(' ')[0]}`);
      const r = cli('export', ...source(), '--format', 'tfjs', '--out', out);
      expect(r.status, r.stderr).toBe(0);
      const model = r.stdout.split(' -> ')[0];
      const net = loadModelFile(model, N);
      const x = data.test.x.slice(0, N * 1024);
      net.input.set(x);
      net.forward(N);
      const ours = net.acts[net.acts.length - 1].subarray(0, N * 10);
      const theirs = await tfjsLogits(tf!, out, x, [N, 1, 32, 32]);
      expectSameLogits(theirs, ours);
    });
  }

  it('writes the pruned shapes, and refuses a folder holding other files', () => {
    const json = JSON.parse(readFileSync(join(tmp, 'web-pruned', 'model.json'), 'utf8')) as {
      weightsManifest: { weights: { name: string; shape: number[] }[] }[];
    };
    const shapes = Object.fromEntries(
      json.weightsManifest[0].weights.map((w) => [w.name, w.shape]),
    );
    expect(shapes['fc2/kernel']).toEqual([120, 78]);
    expect(shapes['fc3/kernel']).toEqual([78, 10]);
    expect(shapes['conv1/kernel']).toEqual([5, 5, 1, 6]);
    const busy = join(tmp, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const r = cli('export', trained, '--format', 'tfjs', '--out', busy);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds other files \(notes\.txt, \.\.\.\); give a new folder/);
    expect(readFileSync(join(busy, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
