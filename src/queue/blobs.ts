// Content-addressed files in Redis: the coordinator publishes a dataset or a model once under its
// SHA-256, and every worker fetches it once and keeps it in its cache folder by that hash (a
// second study on the same data downloads nothing). Large files go in 32 MB pieces.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { cacheDir } from '../data/cache.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { KEY_PREFIX } from './connection.js';

const PIECE = 32 * 2 ** 20;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const pieceKey = (hash: string, k: number) => `${KEY_PREFIX}blob:${hash}:${k}`;
const countKey = (hash: string) => `${KEY_PREFIX}blob:${hash}`;

/** Stores `bytes` (once) and returns its hash. */
export async function putBlob(redis: Redis, data: Uint8Array): Promise<string> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const hash = sha256(bytes);
  if (await redis.exists(countKey(hash))) return hash;
  const pieces = Math.max(1, Math.ceil(bytes.length / PIECE));
  for (let k = 0; k < pieces; k++) {
    await redis.set(pieceKey(hash, k), bytes.subarray(k * PIECE, (k + 1) * PIECE));
  }
  // the count last: a blob is there only when all its pieces are
  await redis.set(countKey(hash), String(pieces));
  return hash;
}

/** The blob's file in this machine's cache, fetched from Redis when it is not there yet. */
export async function blobFile(redis: Redis, hash: string, suffix: string): Promise<string> {
  const file = join(cacheDir(), 'queue-blobs', `${hash}${suffix}`);
  if (existsSync(file) && sha256(readFileSync(file)) === hash) return file;
  const pieces = Number(await redis.get(countKey(hash)));
  if (!pieces) {
    throw new UserError(`the queue holds no file ${hash.slice(0, 12)}; resubmit the study`);
  }
  const parts: Buffer[] = [];
  for (let k = 0; k < pieces; k++) {
    const part = await redis.getBuffer(pieceKey(hash, k));
    if (!part) throw new UserError(`the queue lost part of file ${hash.slice(0, 12)}`);
    parts.push(part);
  }
  const bytes = Buffer.concat(parts);
  if (sha256(bytes) !== hash) throw new UserError(`file ${hash.slice(0, 12)} arrived damaged`);
  writeFileAtomic(file, bytes);
  return file;
}
