// Atomic file writes: write a temp file beside the target, fsync, rename over it. A reader sees
// the old file or the new one, never half of one; an interrupted write loses no finished work, and
// a write that fails (a full disk, a folder in the target's place) leaves no temp file behind.
import {
  closeSync,
  copyFileSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { makeDir } from './folders.js';

/** A temp file's name beside `file`, unique to this process and call. */
function tempBeside(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

/** Runs `write` on `tmp`, then renames it to `file`; on failure removes `tmp` and rethrows. */
function replaceWith(tmp: string, file: string, write: () => void): void {
  try {
    write();
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  makeDir(dirname(file));
  const tmp = tempBeside(file);
  replaceWith(tmp, file, () => {
    const fd = openSync(tmp, 'w');
    try {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Copies `from` to `to` through a temp file beside it: `to` is the old file or the new one. */
export function copyFileAtomic(from: string, to: string): void {
  makeDir(dirname(to));
  const tmp = tempBeside(to);
  replaceWith(tmp, to, () => copyFileSync(from, tmp));
}
