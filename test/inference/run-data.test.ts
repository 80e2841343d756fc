// Finding the run a model file belongs to: a study's config.json up to two folders above the
// model, a training run's results.json beside it, and nothing for a file of no run (a config.json
// that is not a run's is not taken for one).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDataSelection } from '../../src/inference/run-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-run-data-'));
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
});
