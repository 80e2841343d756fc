// Half-precision safetensors as PyTorch users save them (F16 and BF16, written by
// scripts/fixtures/half_models.py with Debian's python3-torch, no prunelab metadata): read widened
// to float32, the architecture taken from the tensors' shapes, and PyTorch's logits (of the same
// weights widened) reproduced; a dtype prunelab cannot read is named.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/nn/model-io.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'half');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'half-expected.json'), 'utf8')) as {
  inputs: number[];
  logits: Record<string, number[]>;
};
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-half-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('half-precision safetensors', () => {
  for (const file of ['lenet5-f16.safetensors', 'lenet5-bf16.safetensors']) {
    it(`${file} loads widened to float32 and gives PyTorch's logits`, () => {
      const net = loadModel(join(FIXTURES, file), 3, 'reference');
      expect(net.arch.layers.flatMap((l) => (l.kind === 'dense' ? [l.outFeatures] : []))).toEqual([
        16, 12, 10,
      ]);
      net.input.set(expected.inputs);
      net.forward(3);
      const ours = net.acts[net.acts.length - 1].subarray(0, 30);
      const theirs = expected.logits[file];
      const scale = Math.max(1, ...theirs.map(Math.abs));
      for (let i = 0; i < 30; i++) expect(Math.abs(ours[i] - theirs[i])).toBeLessThan(1e-5 * scale);
    });
  }

  it('is pruned by a study, which says the architecture it assumed', () => {
    const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
    const args = [
      'study',
      '--model',
      join(FIXTURES, 'lenet5-bf16.safetensors'),
      '--train-size',
      '200',
      '--val-size',
      '50',
      '--test-size',
      '50',
      '--max-pruned',
      '2',
      '--criterion',
      'random',
      '--no-control',
      '--out',
      join(tmp, 'study'),
    ];
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /lenet5-bf16\.safetensors does not say its architecture: read as the paper's LeNet-5 \(1x32x32 input, .*fc1 16, fc2 12, fc3 10\) from its tensors' shapes/,
    );
  });

  it('names a dtype it cannot read', () => {
    const bytes = readFileSync(join(FIXTURES, 'lenet5-f16.safetensors'));
    const length = Number(bytes.readBigUInt64LE(0));
    const header = bytes
      .subarray(8, 8 + length)
      .toString()
      .replace('"F16"', '"I8" ');
    const file = join(tmp, 'int8.safetensors');
    writeFileSync(
      file,
      Buffer.concat([bytes.subarray(0, 8), Buffer.from(header), bytes.subarray(8 + length)]),
    );
    expect(() => loadModel(file, 1)).toThrow(/has dtype I8; prunelab reads F32, F64, F16 and BF16/);
  });
});
