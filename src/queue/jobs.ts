// What goes through the queue: one BullMQ job per study task, with a deterministic id (the study's
// key, a hash of everything that decides its numbers, and the task's id), so that a study
// submitted twice, or resumed, finds its tasks instead of adding them again. A job carries only
// the task, the configuration and the hashes of the files it needs (dataset, model), never the
// files themselves.
import { createHash } from 'node:crypto';
import type { StudyConfig } from '../config.js';
import type { StudyTask } from '../study/task.js';
import { taskId } from '../study/task.js';
import { deserializeError, serializeError } from '../study/worker-protocol.js';
import type { Build } from './compat.js';
import { KEY_PREFIX } from './connection.js';

/** The BullMQ queue every prunelab worker takes study tasks from. */
export const QUEUE_NAME = 'prunelab-tasks';

export interface QueueJobData {
  /** The prunelab and kernel build that submitted it: a worker of another build refuses it. */
  build: Build;
  /** The study's key (studyKey) and its name, for `prunelab status`. */
  study: string;
  name: string;
  task: StudyTask;
  /** The configuration, with `data` and `model` replaced by the files below when published. */
  cfg: StudyConfig;
  /** SHA-256 of the decoded dataset (data/raw-file.ts), when workers cannot load it themselves. */
  dataBlob?: string;
  /** SHA-256 of the --model file. */
  modelBlob?: string;
}

/** Fields of a configuration that do not change a number: left out of the study's key. */
const LOCAL_FIELDS = ['out', 'threads'] as const;

/** The study's key: the same configuration, data and build give the same key (and tasks). */
export function studyKey(
  cfg: StudyConfig,
  build: Build,
  blobs: Pick<QueueJobData, 'dataBlob' | 'modelBlob'>,
): string {
  const decisive: Record<string, unknown> = { ...cfg };
  for (const field of LOCAL_FIELDS) delete decisive[field];
  if (blobs.dataBlob) delete decisive.data;
  if (blobs.modelBlob) delete decisive.model;
  const text = JSON.stringify([build, blobs.dataBlob ?? null, blobs.modelBlob ?? null, decisive]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function jobId(study: string, task: StudyTask): string {
  return `${study}-${taskId(task)}`;
}

/** Where the coordinator keeps what `prunelab status` shows of a study. */
export const STUDIES_KEY = `${KEY_PREFIX}studies`;

export function workerKey(name: string): string {
  return `${KEY_PREFIX}worker:${name}`;
}

/**
 * A failed job's reason: the error's kind and message, rebuilt as the same kind on the other side.
 */
export function failureReason(err: unknown): string {
  const { name, message } = serializeError(err);
  return `${name}: ${message}`;
}

export function failureError(reason: string): Error {
  const match = /^(\w+): ([\s\S]*)$/.exec(reason);
  if (!match) return new Error(reason);
  return deserializeError({ name: match[1], message: match[2] });
}
