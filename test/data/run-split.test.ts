// Finding the run a model file belongs to: a study's config.json up to two folders above the
// model, a training run's results.json beside it, and nothing for a file of no run (a config.json
// that is not a run's is not taken for one).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDataSelection, splitMismatch } from '../../src/data/run-split.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-run-split-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const write = (file: string, value: unknown) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
};

describe('runDataSelection', () => {
  it("takes a study's split for its models, at every depth, and only the split's options", () => {
    const study = join(tmp, 'study');
    const config = { dataset: 'mnist', trainSize: 2000, valSize: 500, testSize: 1000, seed: 4 };
    write(join(study, 'config.json'), { ...config, lr: 0.05, criterion: ['merge'] });
    for (const model of ['merge-s4/knee.safetensors', 'merge-s4/models/step-2.safetensors']) {
      expect(runDataSelection(join(study, model))).toEqual({ run: study, selection: config });
    }
  });

  it("takes a training run's split from its results.json", () => {
    const run = join(tmp, 'train');
    write(join(run, 'results.json'), {
      schema: 'prunelab.train/1',
      config: { dataset: 'folder', data: '/photos', trainSize: 0, seed: 1, epochs: 3 },
    });
    expect(runDataSelection(join(run, 'model.safetensors'))).toEqual({
      run,
      selection: { dataset: 'folder', data: '/photos', trainSize: 0, seed: 1 },
    });
  });

  it('finds no run for a loose file, nor in a folder whose config.json is not a run', () => {
    const loose = join(tmp, 'elsewhere', 'deep', 'er', 'model.safetensors');
    write(join(tmp, 'elsewhere', 'config.json'), { theme: 'dark' });
    expect(runDataSelection(loose)).toBeNull();
  });

  it('warns a study of a model whose run drew its test images with another seed or data', () => {
    const run = join(tmp, 'baseline');
    write(join(run, 'results.json'), {
      schema: 'prunelab.train/1',
      config: { dataset: 'fashion-mnist', trainSize: 2000, testSize: 1000, seed: 1 },
    });
    const model = join(run, 'model.safetensors');
    const same = {
      dataset: 'fashion-mnist',
      trainSize: 2000,
      valSize: 500,
      testSize: 1000,
      seed: 1,
    };
    expect(splitMismatch(model, same)).toBeNull();
    expect(splitMismatch(model, { ...same, seed: 2 })).toBe(
      `warning: ${model} was trained on the split of ${run} (seed 1); this study's (seed 2) may ` +
        "test it on images it trained on: give the run's --dataset, --data and --seed for the " +
        'same test images',
    );
    expect(splitMismatch(model, { ...same, dataset: 'mnist' })).toMatch(
      /\(dataset fashion-mnist\); this study's \(dataset mnist\)/,
    );
    expect(splitMismatch(join(tmp, 'no-run', 'model.safetensors'), same)).toBeNull();
  });
});
