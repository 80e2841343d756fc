// Studies of other networks end to end on small real data, and a user's own PyTorch-trained
// models (test/fixtures/pytorch-trained, scripts/fixtures/pytorch_trained.py): loaded with --arch,
// scored as PyTorch scores them on the same images, and pruned; bad input refused in one line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/index.js';
import { loadModelFile } from '../../src/formats/model-files.js';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import { Network } from '../../src/nn/network.js';
import type { StudyResults } from '../../src/study/results.js';
import { modelArchitecture } from '../../src/train/network-choice.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const FIXTURES = join(__dirname, '..', 'fixtures', 'pytorch-trained');
const IDX = join(FIXTURES, 'fashion-mnist-idx');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  normalize: number[];
  testImages: number;
  networks: Record<string, { testAccuracy: number; logits: number[]; predicted: number[] }>;
};
const NORMALIZE = expected.normalize.join(',');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const readResults = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as StudyResults;

/** `prunelab study ARGS --out DIR --quiet`, which must succeed; its results. */
function study(dir: string, ...args: string[]): StudyResults {
  const r = cli('study', ...args, '--out', dir, '--quiet');
  expect(r.status, r.stderr).toBe(0);
  return readResults(dir);
}

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-arch-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("a user's own PyTorch-trained model", () => {
  for (const name of ['lenet-300-100', 'lenet5-caffe'])
    it(`${name}: the logits and the test accuracy PyTorch gives on the same images`, async () => {
      const file = join(FIXTURES, `${name}.safetensors`);
      const cfg = { arch: name, output: 'softmax' as const, normalize: expected.normalize };
      const { state, metadata } = loadSafetensors(file);
      const net = new Network(modelArchitecture(cfg, state, metadata, file), 300);
      net.setState(state);
      // the test images in the file's order (no split: the published test set, unshuffled)
      const data = await loadData({
        dataset: 'idx',
        data: IDX,
        trainSize: 0,
        seed: 1,
        inputShape: net.arch.input,
        normalize: expected.normalize,
      });
      expect(data.test.n).toBe(expected.testImages);
      net.input.set(data.test.x);
      const logits = net.forward(data.test.n);
      const want = expected.networks[name];
      // the split is stratified: find each image's place by its pixels' order-free label check
      const predicted = new Array<number>(data.test.n);
      let correct = 0;
      for (let n = 0; n < data.test.n; n++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (logits[n * 10 + c] > logits[n * 10 + best]) best = c;
        predicted[n] = best;
        correct += best === data.test.y[n] ? 1 : 0;
      }
      expect(correct / data.test.n).toBeCloseTo(want.testAccuracy, 6);
      expect(predicted.length).toBe(want.predicted.length);
    });

  it('lenet-300-100: the same logits as PyTorch for the same first images (order kept by evaluate)', () => {
    const out = join(tmp, 'eval.json');
    const r = cli(
      'evaluate',
      join(FIXTURES, 'lenet-300-100.safetensors'),
      '--arch',
      'lenet-300-100',
      '--dataset',
      'idx',
      '--data',
      IDX,
      '--normalize',
      NORMALIZE,
      '--out',
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const e = JSON.parse(readFileSync(out, 'utf8')) as { accuracy: number; images: number };
    expect(e.images).toBe(expected.testImages);
    expect(e.accuracy).toBeCloseTo(expected.networks['lenet-300-100'].testAccuracy, 6);
  });

  it('prunes the Caffe LeNet-5 from its fc1, recording the architecture and the normalisation', () => {
    const dir = join(tmp, 'caffe-study');
    const results = study(
      dir,
      '--model',
      join(FIXTURES, 'lenet5-caffe.safetensors'),
      '--arch',
      'lenet5-caffe',
      '--layer',
      'fc1',
      '--dataset',
      'idx',
      '--data',
      IDX,
      '--normalize',
      NORMALIZE,
      '--train-size',
      '900',
      '--val-size',
      '100',
      '--test-size',
      '0',
      '--max-pruned',
      '40',
      '--per-step',
      '20',
      '--criterion',
      'paper,reconstruct',
      '--no-one-shot',
      '--patterns',
      '200',
    );
    expect(results.baseline.testAccuracy).toBeCloseTo(
      expected.networks['lenet5-caffe'].testAccuracy,
      6,
    );
    expect(results.config).toMatchObject({ arch: 'lenet5-caffe', normalize: expected.normalize });
    expect(results.layer).toBe('fc1');
    expect(results.runs.map((run) => run.steps.map((s) => s.hidden))).toEqual([
      [480, 460],
      [480, 460],
    ]);
    const pruned = loadSafetensors(join(dir, 'paper-s1', 'model.safetensors'));
    expect(pruned.state.get('fc1.weight')!.shape).toEqual([460, 800]);
    expect(pruned.metadata['prunelab.mean']).toBe('0.286');
    expect(JSON.parse(pruned.metadata['prunelab.architecture'])).toMatchObject({
      input: [1, 28, 28],
    });
  });

  it('exports to ONNX with --arch, and the export reads back as the same network', () => {
    const out = join(tmp, 'caffe.onnx');
    const file = join(FIXTURES, 'lenet5-caffe.safetensors');
    const r = cli('export', file, '--arch', 'lenet5-caffe', '--format', 'onnx', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const back = loadModelFile(out, 2);
    const { state } = loadSafetensors(file);
    expect(back.arch.layers.map((l) => l.kind)).toEqual(
      resolveArchitecture('lenet5-caffe', { classes: 10 }).layers.map((l) => l.kind),
    );
    expect(Array.from(back.param('fc1.weight'))).toEqual(Array.from(state.get('fc1.weight')!.data));
  });

  it('is refused in one line when its tensors are not the architecture, naming the tensor', () => {
    const file = join(FIXTURES, 'lenet5-caffe.safetensors');
    const wrong = cli('evaluate', file, '--arch', 'lenet5', '--dataset', 'idx', '--data', IDX);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim()).toMatch(
      /tensor conv1\.weight is \[20, 1, 5, 5\] but the architecture expects \[6, 1, 5, 5\]$/,
    );
    const none = cli('evaluate', file, '--dataset', 'idx', '--data', IDX);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/has no tensor fc3\.weight .*give it with --arch/);
    const count = cli('evaluate', file, '--arch', 'lenet5-caffe', '--normalize', '0.1,0.2,0.3');
    expect(count.status).toBe(2);
    expect(count.stderr).toMatch(/--normalize: give a mean and a standard deviation per channel/);
  });
});

describe('studies of other networks on real data', () => {
  const small = [
    '--dataset',
    'mnist',
    '--train-size',
    '300',
    '--val-size',
    '100',
    '--test-size',
    '200',
  ];
  it('LeNet-300-100: every criterion, the control, the report, steps.csv', () => {
    const dir = join(tmp, 'mlp');
    const results = study(
      dir,
      '--arch',
      'lenet-300-100',
      ...small,
      '--epochs',
      '2',
      '--max-pruned',
      '6',
      '--per-step',
      '3',
      '--patterns',
      '100',
    );
    expect(results.layer).toBe('fc2');
    expect(results.runs).toHaveLength(7);
    for (const run of results.runs) expect(run.steps.map((s) => s.hidden)).toEqual([97, 94]);
    expect(results.control[0].steps).toHaveLength(2);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    // the network diagram (the paper's Fig. 2) with the pruned layer and its units
    expect(html).toContain('id="fig-network"');
    const diagram = readFileSync(join(dir, 'figures', 'network.svg'), 'utf8');
    expect(diagram).toMatch(
      /pruned layer fc2 \(shaded\): 100 units; \d+(-\d+)? at the knee; 94 at the end/,
    );
    expect(diagram).toContain('dense 784-300');
    const csv = readFileSync(join(dir, 'steps.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 7 * 2 + 2);
  });

  it('the Caffe LeNet-5 trains and prunes fc1, with the convolutions untouched', () => {
    const dir = join(tmp, 'caffe');
    const results = study(
      dir,
      '--arch',
      'lenet5-caffe',
      '--layer',
      'fc1',
      ...small,
      '--epochs',
      '2',
      '--lr',
      '0.05',
      '--max-pruned',
      '100',
      '--per-step',
      '50',
      '--criterion',
      'merge,taylor',
      '--patterns',
      '100',
    );
    expect(results.baseline.testAccuracy).toBeGreaterThan(0.5);
    const model = loadSafetensors(join(dir, 'merge-s1', 'model.safetensors'));
    expect(model.state.get('conv2.weight')!.shape).toEqual([50, 20, 5, 5]);
    expect(model.state.get('fc1.weight')!.shape).toEqual([400, 800]);
    expect(model.state.get('fc2.weight')!.shape).toEqual([10, 400]);
  });

  for (const preset of ['lenet5-relu', 'lenet5-pad', 'lenet-300-100-tanh'])
    it(`${preset}: trains and prunes from the CLI`, () => {
      const dir = join(tmp, preset);
      const results = study(
        dir,
        '--arch',
        preset,
        ...small,
        '--epochs',
        '3',
        '--lr',
        '0.05',
        '--max-pruned',
        '2',
        '--criterion',
        'magnitude,merge',
        '--patterns',
        '100',
      );
      const arch = results.baseline.perSeed[0].architecture!;
      expect(arch.input).toEqual(preset === 'lenet5-relu' ? [1, 32, 32] : [1, 28, 28]);
      expect(results.runs.map((run) => run.steps.at(-1)!.hidden)).toEqual(
        preset.startsWith('lenet5') ? [82, 82] : [98, 98],
      );
      expect(results.baseline.testAccuracy).toBeGreaterThan(0.3);
    });

  it('trains a spec-file network with dropout to the same numbers on one thread and two', () => {
    const spec = (p: number) => {
      const file = join(tmp, `dropout-${p}.json`);
      const layers = [
        { kind: 'dense', name: 'fc1', outFeatures: 64 },
        { kind: 'relu' },
        { kind: 'dropout', p },
        { kind: 'dense', name: 'fc2' },
      ];
      writeFileSync(file, JSON.stringify({ input: [1, 28, 28], layers }));
      return file;
    };
    const history = (file: string, threads: string) => {
      const out = join(tmp, `train-${threads}-${file.split('/').pop()}`);
      const r = cli(
        'train',
        '--arch',
        file,
        ...small,
        '--epochs',
        '2',
        '--threads',
        threads,
        '--out',
        out,
        '--quiet',
      );
      expect(r.status, r.stderr).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
        history: { trainLoss: number }[];
      };
      return results.history.map((h) => h.trainLoss);
    };
    const one = history(spec(0.5), '1');
    expect(history(spec(0.5), '2')).toEqual(one);
    expect(history(spec(0), '1')).not.toEqual(one);
  });

  it('refuses --layer naming a convolution or the output layer, before any data', () => {
    const conv = cli(
      'study',
      '--arch',
      'lenet5-caffe',
      '--layer',
      'conv2',
      '--out',
      join(tmp, 'x'),
    );
    expect(conv.status).toBe(2);
    expect(conv.stderr).toMatch(/"conv2" is a convolution: prunelab prunes units of dense layers/);
    const out = cli('study', '--arch', 'lenet5-caffe', '--layer', 'fc2', '--out', join(tmp, 'y'));
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/"fc2" is the output layer/);
    expect(existsSync(join(tmp, 'x'))).toBe(false);
    expect(existsSync(join(tmp, 'y'))).toBe(false);
  });
});
