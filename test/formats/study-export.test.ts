// `study --export onnx,tfjs`: every step's model, the knee's and the final one also written as
// ONNX and TensorFlow.js, and every step (and the baseline) records its model file's size, which
// falls as units go, and its measured inference speed; steps.csv has them too, the report draws
// them; an unknown format is refused before any work.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/formats/model-files.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-study-export-'));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
const SMALL = ['--train-size', '300', '--val-size', '100', '--test-size', '100', '--epochs', '1'];

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('study --export', () => {
  it('writes each step in both formats and records the sizes', () => {
    const dir = join(tmp, 'study');
    const r = cli(
      'study',
      ...SMALL,
      '--max-pruned',
      '3',
      '--criterion',
      'random',
      '--no-control',
      '--export',
      'onnx,tfjs',
      '--out',
      dir,
      '--quiet',
    );
    expect(r.status, r.stderr).toBe(0);
    const run = join(dir, 'random-s1');
    for (const file of [
      'onnx/step-1.onnx',
      'onnx/step-3.onnx',
      'onnx/knee.onnx',
      'onnx/final.onnx',
      'tfjs/step-2/model.json',
      'tfjs/final/weights.bin',
      'tfjs/knee/model.json',
    ]) {
      expect(existsSync(join(run, file)), file).toBe(true);
    }
    const final = loadModelFile(join(run, 'onnx', 'final.onnx'), 1);
    expect(final.arch.layers.find((l) => 'name' in l && l.name === 'fc2')).toMatchObject({
      outFeatures: 81,
    });
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      baseline: { perSeed: { modelBytes: number }[] };
      runs: {
        steps: {
          step: number;
          modelBytes: number;
          onnxBytes: number;
          latencyMs: number;
          imagesPerSecond: number;
        }[];
      }[];
    };
    // the inference speed of every step, measured (timings: only their presence is tested)
    for (const s of results.runs[0].steps) {
      expect(s.latencyMs).toBeGreaterThan(0);
      expect(s.imagesPerSecond).toBeGreaterThan(0);
    }
    expect(existsSync(join(dir, 'figures', 'speed.svg'))).toBe(true);
    const steps = results.runs[0].steps;
    expect(steps.map((s) => s.onnxBytes)).toEqual(
      steps.map((s) => statSync(join(run, 'onnx', `step-${s.step}.onnx`)).size),
    );
    const sizes = [results.baseline.perSeed[0].modelBytes, ...steps.map((s) => s.modelBytes)];
    for (let k = 1; k < sizes.length; k++) expect(sizes[k]).toBeLessThan(sizes[k - 1]);
    expect(statSync(join(run, 'model.safetensors')).size).toBe(sizes.at(-1));
    const csv = readFileSync(join(dir, 'steps.csv'), 'utf8').split('\n');
    expect(csv[0]).toContain('modelBytes,onnxBytes,latencyMs,imagesPerSecond');
  });

  it('refuses an unknown format before any work', () => {
    const dir = join(tmp, 'never');
    const r = cli('study', ...SMALL, '--export', 'keras', '--out', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/export/);
    expect(existsSync(dir)).toBe(false);
  });
});
