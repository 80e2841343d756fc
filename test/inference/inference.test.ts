// A saved model says how to feed it, and `evaluate` and `predict` use it: the model trained by
// `prunelab train` on the bundled Fashion-MNIST scores on `evaluate` what training recorded, and
// an image written from a test input is classified as that input is.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../src/config.js';
import { loadData } from '../../src/data/index.js';
import { readModelInput } from '../../src/data/metadata.js';
import { evaluateModel } from '../../src/inference/evaluate.js';
import { predictImages } from '../../src/inference/predict.js';
import { loadModel } from '../../src/nn/model-io.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import { runTrain } from '../../src/train/run.js';
import { silentProgress } from '../../src/util/progress.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-inference-'));
const model = join(tmp, 'run', 'model.safetensors');
const cfg = parseTrainConfig({ trainSize: 300, valSize: 100, testSize: 200, epochs: 2 });
let testAccuracy = 0;

beforeAll(async () => {
  testAccuracy = (await runTrain(cfg, silentProgress, join(tmp, 'run'))).testAccuracy;
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a model file says how to feed it', () => {
  it('records the input size, the preprocessing, mean, std and class names', async () => {
    const input = readModelInput(loadSafetensors(model).metadata);
    const data = await loadData(cfg);
    expect(input).not.toBeNull();
    expect(input!.shape).toEqual([1, 32, 32]);
    expect(input!.mean).toEqual(data.mean);
    expect(input!.std).toEqual(data.std);
    expect(input!.classes).toEqual(data.classes);
    expect(input!.preprocessing).toMatch(/zero-padded \(centred\) from 28x28 to 32x32/);
  });
});

describe('evaluate', () => {
  it("scores a model on a dataset's split as training recorded, with a confusion matrix", async () => {
    const e = await evaluateModel(model, cfg, 'test');
    expect(e.accuracy).toBe(testAccuracy);
    expect(e.images).toBe(200);
    expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(200);
    expect(e.perClass.map((p) => p.images).reduce((a, b) => a + b, 0)).toBe(200);
    const correct = e.confusion.reduce((sum, row, c) => sum + row[c], 0);
    expect(correct / 200).toBe(e.accuracy);
    expect(e.classes[0]).toBe('T-shirt/top');
  });

  it('runs from the CLI', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'evaluate', model, '--train-size', '300', '--val-size', '100', '--test-size', '200'],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`accuracy ${testAccuracy.toFixed(4)}`));
    expect(r.stdout).toMatch(/Ankle boot/);
  });

  it("scores a run's model on the run's own split when no size flag is given", () => {
    const evaluate = (...flags: string[]) =>
      spawnSync(process.execPath, [CLI, 'evaluate', model, ...flags], { encoding: 'utf8' });
    const test = evaluate();
    expect(test.status, test.stderr).toBe(0);
    expect(test.stdout).toContain(
      `(test, 200 images of the split of ${join(tmp, 'run')}): accuracy ${testAccuracy.toFixed(4)}`,
    );
    // the validation split is the run's 100 images, not a default-sized one holding training images
    const val = evaluate('--split', 'val', '--log-json');
    const result = JSON.parse(val.stdout) as { images: number; splitOf: string };
    expect(result.images).toBe(100);
    expect(result.splitOf).toBe(join(tmp, 'run'));
    // a changed option keeps the rest of the run's split but no longer calls it the run's
    const smaller = evaluate('--test-size', '100');
    expect(smaller.stdout).toMatch(/ \(test, 100 images\): accuracy /);
    // other data takes nothing of the run's split
    const other = evaluate('--dataset', 'mnist', '--test-size', '50', '--log-json');
    expect(other.status, other.stderr).toBe(0);
    const onMnist = JSON.parse(other.stdout) as { dataset: string; images: number };
    expect([onMnist.dataset, onMnist.images]).toEqual(['mnist', 50]);
    expect(other.stdout).not.toContain('splitOf');
  });

  it("refuses --input or --channels that are not the model's own, with exit code 2", () => {
    const evaluate = (...flags: string[]) =>
      spawnSync(process.execPath, [CLI, 'evaluate', model, '--test-size', '200', ...flags], {
        encoding: 'utf8',
      });
    const size = evaluate('--input', '28');
    expect(size.status).toBe(2);
    expect(size.stderr.trim()).toBe(
      `prunelab: ${model} takes 32x32 images, not --input 28x28; leave out --input (the model ` +
        'decides its input)',
    );
    const colour = evaluate('--channels', '3');
    expect(colour.status).toBe(2);
    expect(colour.stderr).toContain('takes 1-channel images, not --channels 3');
    // the model's own input, said again, is no conflict
    expect(evaluate('--input', '32x32', '--channels', '1').status).toBe(0);
  });
});

describe('predict', () => {
  it('classifies an image file as the same image classifies inside the pipeline', async () => {
    const data = await loadData(cfg);
    const net = loadModel(model, 128);
    const files: string[] = [];
    const expected: number[] = [];
    for (let k = 0; k < 6; k++) {
      // the test image back to its 28x28 pixels (the 2-pixel frame is the padding)
      const x = data.test.x.subarray(k * 1024, (k + 1) * 1024);
      const pixels = new Uint8Array(28 * 28);
      for (let y = 0; y < 28; y++) {
        for (let c = 0; c < 28; c++) {
          pixels[y * 28 + c] = Math.round(
            (x[(y + 2) * 32 + c + 2] * data.std[0] + data.mean[0]) * 255,
          );
        }
      }
      const file = join(tmp, `test ${k}.png`);
      await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(file);
      files.push(file);
      net.input.set(x);
      const logits = Array.from(net.forward(1).subarray(0, 10));
      expected.push(logits.indexOf(Math.max(...logits)));
    }
    const predictions = await predictImages(model, files);
    expect(predictions.map((p) => data.classes.indexOf(p.class))).toEqual(expected);
    for (const p of predictions) {
      expect(p.probabilities.reduce((a, b) => a + b.probability, 0)).toBeCloseTo(1, 6);
    }
    const r = spawnSync(process.execPath, [CLI, 'predict', model, files[0], '--log-json'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as { class: string };
    expect(line.class).toBe(predictions[0].class);
  });

  it('names a file that is not an image', async () => {
    const notImage = join(tmp, 'notes.png');
    await import('node:fs').then((fs) => fs.writeFileSync(notImage, 'not a png'));
    await expect(predictImages(model, [notImage])).rejects.toThrow(/notes\.png is not a readable/);
    expect(readFileSync(notImage, 'utf8')).toBe('not a png');
  });
});
