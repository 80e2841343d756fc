// The browser's in-memory file system (src/browser/shims/fs.ts), which the study's tasks write
// their checkpoints, models and results to in a page: Node's behaviour for every call they make
// (errors with Node's codes, atomic writes seen only when renamed into place, exclusive creation),
// and the snapshots that carry a task's files between the page and its workers.
import { describe, expect, it } from 'vitest';
import * as fs from '../../src/browser/shims/fs.js';

const code = (call: () => unknown) => {
  try {
    call();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'no error';
};

describe('the in-memory file system', () => {
  it('makes folders, writes and reads files as text and bytes, and lists them sorted', () => {
    fs.mkdirSync('/runs/a/b', { recursive: true });
    fs.writeFileSync('/runs/a/b/z.json', '{"x": 1}');
    fs.writeFileSync('/runs/a/b/m.bin', Uint8Array.of(1, 2, 3));
    expect(fs.readFileSync('/runs/a/b/z.json', 'utf8')).toBe('{"x": 1}');
    expect([...fs.readFileSync('/runs/a/b/m.bin')]).toEqual([1, 2, 3]);
    expect(fs.readdirSync('/runs/a/b')).toEqual(['m.bin', 'z.json']);
    const entries = fs.readdirSync('/runs/a', { withFileTypes: true }) as {
      name: string;
      isDirectory(): boolean;
    }[];
    expect(entries.map((e) => [e.name, e.isDirectory()])).toEqual([['b', true]]);
    expect(fs.statSync('/runs/a/b/m.bin').size).toBe(3);
    expect(fs.statSync('/runs/a').isDirectory()).toBe(true);
    expect(fs.existsSync('runs/a/b/../b/z.json')).toBe(true);
  });

  it("fails as Node does: missing files and folders, exclusive creation, a file's parent", () => {
    expect(code(() => fs.readFileSync('/nowhere'))).toBe('ENOENT');
    expect(code(() => fs.writeFileSync('/no/folder/file', 'x'))).toBe('ENOENT');
    expect(code(() => fs.mkdirSync('/p/q'))).toBe('ENOENT');
    fs.mkdirSync('/lock');
    fs.writeFileSync('/lock/.lock', '1', { flag: 'wx' });
    expect(code(() => fs.writeFileSync('/lock/.lock', '2', { flag: 'wx' }))).toBe('EEXIST');
    expect(code(() => fs.readdirSync('/lock/.lock'))).toBe('ENOTDIR');
    expect(code(() => fs.rmSync('/lock'))).toBe('EISDIR');
    expect(code(() => fs.rmSync('/lock/none'))).toBe('ENOENT');
    fs.rmSync('/lock/none', { force: true });
  });

  it('writes through a descriptor: the file holds all chunks once closed, then is renamed', () => {
    fs.mkdirSync('/atomic');
    const fd = fs.openSync('/atomic/r.json.tmp', 'w');
    fs.writeSync(fd, Uint8Array.of(104, 105, 33), 0, 2);
    fs.writeSync(fd, Uint8Array.of(33));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync('/atomic/r.json.tmp', '/atomic/r.json');
    expect(fs.readFileSync('/atomic/r.json', 'utf8')).toBe('hi!');
    expect(fs.existsSync('/atomic/r.json.tmp')).toBe(false);
    expect(code(() => fs.writeSync(fd, Uint8Array.of(1)))).toBe('EBADF');
    fs.copyFileSync('/atomic/r.json', '/atomic/copy.json');
    expect(fs.readFileSync('/atomic/copy.json', 'utf8')).toBe('hi!');
  });

  it('removes folders with what they hold, and tells its watchers every change', () => {
    const changed: string[] = [];
    fs.watchFiles((path) => changed.push(path));
    fs.mkdirSync('/gone/deep', { recursive: true });
    fs.writeFileSync('/gone/deep/f', 'x');
    fs.rmSync('/gone', { recursive: true });
    expect(fs.existsSync('/gone/deep/f')).toBe(false);
    expect(fs.existsSync('/gone')).toBe(false);
    expect(changed).toContain('/gone/deep/f');
  });

  it('carries the files of a folder over (a snapshot restored elsewhere)', () => {
    fs.mkdirSync('/run/baseline-s1', { recursive: true });
    fs.writeFileSync('/run/baseline-s1/result.json', '{}');
    fs.writeFileSync('/run/other', 'not under the folder');
    const taken = fs.snapshot('/run/baseline-s1');
    expect(Object.keys(taken)).toEqual(['/run/baseline-s1/result.json']);
    fs.rmSync('/run', { recursive: true });
    fs.restore(taken);
    expect(fs.readFileSync('/run/baseline-s1/result.json', 'utf8')).toBe('{}');
  });
});
