// Atomic file writes: write a temp file beside the target, fsync, rename over it. A reader sees
// the old file or the new one, never half of one; an interrupted write loses no finished work.
import { closeSync, copyFileSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDir } from './folders.js';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  makeDir(dirname(file));
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Copies `from` to `to` through a temporary file beside it: `to` is the old file or the new one. */
export function copyFileAtomic(from: string, to: string): void {
  makeDir(dirname(to));
  const tmp = `${to}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}
