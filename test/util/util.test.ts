// The small helpers every room uses (src/util/): atomic writes that leave nothing half-written or
// stray behind when they fail, JSON reads that treat a damaged file as missing, folders made one
// level at a time and checked before a run writes into them, and "did you mean" hints.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileAtomic, writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic.js';
import { UserError } from '../../src/util/errors.js';
import { checkOutputDir, inOutputDir, makeDir, timestampedRunDir } from '../../src/util/folders.js';
import { readJson } from '../../src/util/json.js';
import { nearest } from '../../src/util/nearest.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-util-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('replace a file whole, making its folders, and leave no temp file', () => {
    const file = join(tmp, 'a', 'b', 'results.json');
    writeJsonAtomic(file, { n: 1 });
    writeJsonAtomic(file, { n: 2 });
    expect(readJson(file)).toEqual({ n: 2 });
    const copy = join(tmp, 'a', 'copy.json');
    copyFileAtomic(file, copy);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(file, 'utf8'));
    expect(readdirSync(join(tmp, 'a', 'b'))).toEqual(['results.json']);
  });

  it('leave no temp file behind when the write fails', () => {
    // a folder in the target's place: the rename fails after the temp file is written
    const blocked = join(tmp, 'blocked');
    mkdirSync(join(blocked, 'model.safetensors'), { recursive: true });
    writeFileSync(join(blocked, 'model.safetensors', 'inside'), 'x');
    expect(() => writeFileAtomic(join(blocked, 'model.safetensors'), 'new')).toThrow();
    expect(() =>
      copyFileAtomic(join(tmp, 'a', 'copy.json'), join(blocked, 'model.safetensors')),
    ).toThrow();
    expect(readdirSync(blocked)).toEqual(['model.safetensors']);
  });
});

describe('reading JSON', () => {
  it('reads a missing or damaged file as null', () => {
    const half = join(tmp, 'half.json');
    writeFileSync(half, '{"records": [1, 2');
    expect(readJson(half)).toBeNull();
    expect(readJson(join(tmp, 'none.json'))).toBeNull();
  });
});

describe('folders', () => {
  it('makes nested folders and accepts one that exists', () => {
    const deep = join(tmp, 'x', 'y', 'z');
    makeDir(deep);
    makeDir(deep);
    expect(existsSync(deep)).toBe(true);
  });

  it('refuses a file or an unwritable place as an output folder, naming the option', () => {
    const file = join(tmp, 'plain-file');
    writeFileSync(file, '');
    expect(() => checkOutputDir(file, '--out')).toThrow(UserError);
    expect(() => checkOutputDir(file, '--out')).toThrow(/--out .* is a file, not a folder/);
    expect(() => checkOutputDir(join(file, 'below'), '--out')).toThrow(/cannot be created/);
  });

  it('removes a folder it made when the work fails and left it empty, but keeps one that existed', async () => {
    const made = join(tmp, 'failed-run');
    await expect(
      inOutputDir(made, '--out', () => Promise.reject(new Error('bad data'))),
    ).rejects.toThrow('bad data');
    expect(existsSync(made)).toBe(false);
    const kept = join(tmp, 'existing-run');
    mkdirSync(kept);
    await expect(
      inOutputDir(kept, '--out', () => Promise.reject(new Error('x'))),
    ).rejects.toThrow();
    expect(existsSync(kept)).toBe(true);
    expect(await inOutputDir(join(tmp, 'fine'), '--out', () => Promise.resolve(7))).toBe(7);
  });
});

describe('timestampedRunDir', () => {
  it('names a run by its start, and takes the next free name within the same second', () => {
    const root = join(tmp, 'stamped');
    const now = new Date('2026-12-02T09:03:15.781Z');
    const first = timestampedRunDir('quick', now, root);
    expect(first).toBe(join(root, 'quick-20261202-090315'));
    mkdirSync(first, { recursive: true });
    const second = timestampedRunDir('quick', now, root);
    expect(second).toBe(join(root, 'quick-20261202-090315-2'));
    mkdirSync(second);
    expect(timestampedRunDir('quick', now, root)).toBe(join(root, 'quick-20261202-090315-3'));
  });
});

describe('did you mean', () => {
  it('suggests the closest known name, and nothing for a far one', () => {
    expect(nearest('magnitud', ['paper', 'magnitude', 'random'])).toBe('magnitude');
    expect(nearest('RANDOM', ['paper', 'magnitude', 'random'])).toBe('random');
    expect(nearest('zzzzzzzzzz', ['paper', 'magnitude', 'random'])).toBeNull();
  });
});
