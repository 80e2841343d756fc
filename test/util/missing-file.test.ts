// A missing file's line names the path probably meant: a run folder without its seed, a misspelt
// name; and nothing when no path is close.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notFoundMessage } from '../../src/util/missing-file.js';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-missing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const run of ['paper-s1', 'merge-s12', 'merge-s3']) {
  mkdirSync(join(dir, run));
  writeFileSync(join(dir, run, 'knee.safetensors'), '');
}

describe('notFoundMessage', () => {
  it("points from a criterion's folder to its first seed's run", () => {
    const file = join(dir, 'paper', 'knee.safetensors');
    expect(notFoundMessage('model file', file)).toBe(
      `model file ${file} not found (did you mean ${join(dir, 'paper-s1', 'knee.safetensors')}?)`,
    );
  });

  it('takes the lowest seed of a study run with --seed', () => {
    const file = join(dir, 'merge', 'knee.safetensors');
    expect(notFoundMessage('model file', file)).toContain(
      `(did you mean ${join(dir, 'merge-s3', 'knee.safetensors')}?)`,
    );
  });

  it('points from a misspelt name to the file beside it', () => {
    const file = join(dir, 'paper-s1', 'kne.safetensors');
    expect(notFoundMessage('model file', file)).toContain(
      `(did you mean ${join(dir, 'paper-s1', 'knee.safetensors')}?)`,
    );
  });

  it('suggests only a file of the same kind', () => {
    writeFileSync(join(dir, 'rs.png'), '');
    const model = join(dir, 'rs.onnx');
    expect(notFoundMessage('model file', model)).toBe(`model file ${model} not found`);
  });

  it('says only "not found" when nothing is close', () => {
    const far = join(dir, 'paper-s1', 'completely-different.onnx');
    expect(notFoundMessage('model file', far)).toBe(`model file ${far} not found`);
    const nowhere = join(dir, 'nowhere', 'model.safetensors');
    expect(notFoundMessage('model file', nowhere)).toBe(`model file ${nowhere} not found`);
  });
});
