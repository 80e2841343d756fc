// A task's folder (its checkpoint.json, the step's model, the knee's model, ...) kept in Redis,
// where any worker can read it: the worker running the task uploads what changed after every
// step, a worker that takes the task over (its first worker died) downloads it and the task
// continues from its last step, and the coordinator downloads it into the run folder at the end.
// One Redis hash per task, a field per file; an upload is one transaction, so a reader never
// sees a checkpoint without the model it names.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '../util/atomic.js';
import { sha256 } from './blobs.js';
import { KEY_PREFIX } from './connection.js';

export function filesKey(study: string, task: string): string {
  return `${KEY_PREFIX}files:${study}:${task}`;
}

function listFiles(folder: string): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
    .map((e) => relative(folder, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** A snapshot of the folder in which checkpoint.json's model is present (retried until it is). */
function snapshot(folder: string): Map<string, Buffer> {
  for (let attempt = 0; ; attempt++) {
    const files = new Map<string, Buffer>();
    const read = (name: string) => {
      try {
        files.set(name, readFileSync(join(folder, name)));
      } catch {
        // removed since it was listed (the task moved on): the next attempt sees the new state
      }
    };
    read('checkpoint.json');
    for (const name of listFiles(folder)) if (name !== 'checkpoint.json') read(name);
    const checkpoint = files.get('checkpoint.json');
    if (!checkpoint || attempt >= 20) return files;
    try {
      const { model } = JSON.parse(checkpoint.toString()) as { model?: string };
      if (!model || files.has(model)) return files;
    } catch {
      return files;
    }
  }
}

/** Uploads a task folder's changes since the last upload (a worker keeps one per task). */
export class FolderUpload {
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly folder: string,
  ) {}

  async upload(): Promise<void> {
    // a Redis that restarted empty lost what was sent: send it all again
    if (this.sent.size && !(await this.redis.exists(this.key))) this.sent.clear();
    const files = snapshot(this.folder);
    const multi = this.redis.multi();
    let changes = 0;
    for (const [name, bytes] of files) {
      const stamp = sha256(bytes);
      if (this.sent.get(name) === stamp) continue;
      multi.hset(this.key, name, bytes);
      this.sent.set(name, stamp);
      changes++;
    }
    // files gone from the folder go from Redis too, also those another run of the task left
    for (const name of await this.redis.hkeys(this.key)) {
      if (files.has(name)) continue;
      multi.hdel(this.key, name);
      this.sent.delete(name);
      changes++;
    }
    if (changes) await multi.exec();
    else multi.discard();
  }
}

/**
 * Replaces `folder` with the task's files in Redis (with `keep`, writes them over what is there,
 * each file atomically: for a folder others may be reading); returns how many there were.
 */
export async function downloadFolder(
  redis: Redis,
  key: string,
  folder: string,
  keep = false,
): Promise<number> {
  const files = await redis.hgetallBuffer(key);
  if (!keep) rmSync(folder, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(files)) {
    if (name.split('/').includes('..')) continue;
    writeFileAtomic(join(folder, name), bytes);
  }
  return Object.keys(files).length;
}

/** One file of a task, or null. */
export async function readTaskFile(redis: Redis, key: string, name: string) {
  return redis.hgetBuffer(key, name);
}
