// A compact binary cache of decoded image sets, outside the source tree (under the user's cache
// directory, or PRUNELAB_CACHE). Files carry a magic, a JSON header and a SHA-256 of the payload;
// a missing, truncated or corrupt file is rebuilt. Written atomically.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { makeDir } from '../util/folders.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import type { RawImages } from './types.js';

const MAGIC = 'PRUNELAB-IMG1\n';

export function cacheDir(): string {
  const base =
    process.env.PRUNELAB_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'prunelab');
  makeDir(base);
  return base;
}

export function writeImageCache(
  file: string,
  sets: Record<string, RawImages>,
  meta: Record<string, unknown>,
): void {
  const parts: Buffer[] = [];
  const index: Record<string, { n: number; height: number; width: number }> = {};
  for (const [k, s] of Object.entries(sets)) {
    index[k] = { n: s.n, height: s.height, width: s.width };
    parts.push(
      Buffer.from(s.labels.buffer, s.labels.byteOffset, s.n),
      Buffer.from(s.images.buffer, s.images.byteOffset, s.n * s.height * s.width),
    );
  }
  const payload = Buffer.concat(parts);
  const header = Buffer.from(
    JSON.stringify({ meta, index, sha256: createHash('sha256').update(payload).digest('hex') }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  writeFileAtomic(file, Buffer.concat([Buffer.from(MAGIC), len, header, payload]));
}

/** Returns null when the file is missing or does not verify (the caller rebuilds it). */
/** The JSON header of a cache file: the payload's hash, the sets it holds, the source's facts. */
interface CacheHeader {
  sha256: string;
  index: Record<string, { n: number; height: number; width: number }>;
  meta: Record<string, unknown>;
}

export function readImageCache(
  file: string,
): { sets: Record<string, RawImages>; meta: Record<string, unknown> } | null {
  if (!existsSync(file)) return null;
  try {
    const buf = readFileSync(file);
    if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) return null;
    const hl = buf.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4;
    const header = JSON.parse(buf.subarray(start, start + hl).toString()) as CacheHeader;
    const payload = buf.subarray(start + hl);
    if (createHash('sha256').update(payload).digest('hex') !== header.sha256) return null;
    const sets: Record<string, RawImages> = {};
    let off = 0;
    // views of the file's bytes, not copies
    const view = (start: number, length: number) =>
      new Uint8Array(payload.buffer, payload.byteOffset + start, length);
    for (const [k, s] of Object.entries(header.index)) {
      const labels = view(off, s.n);
      off += s.n;
      const size = s.n * s.height * s.width;
      const images = view(off, size);
      off += size;
      sets[k] = { ...s, labels, images };
    }
    return { sets, meta: header.meta };
  } catch {
    return null;
  }
}
