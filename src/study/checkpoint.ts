// Where a task's progress is kept in the run directory: each task has a folder named by its id;
// a pruning or control run writes, after every step, the model as it now is (step-N.safetensors)
// and checkpoint.json (the records so far), atomically, and keeps only the latest model. A rerun
// restores from there, so an interrupted task continues at its next step.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '../engine/backend.js';
import { loadModel, saveModel } from '../nn/model-io.js';
import type { Network } from '../nn/network.js';
import { copyFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { readJson } from '../util/json.js';
import { taskId, type Task } from './task.js';

export function taskFolder(dir: string, task: Task): string {
  return join(dir, taskId(task));
}

/** Where a seed's baseline model is kept: every other task of the seed starts from it. */
export function baselineModelPath(dir: string, seed: number): string {
  return join(taskFolder(dir, { kind: 'baseline', seed }), 'model.safetensors');
}

export function baselineResultPath(dir: string, seed: number): string {
  return join(taskFolder(dir, { kind: 'baseline', seed }), 'result.json');
}

interface Checkpoint<T> {
  step: number;
  /** The model file of that step, in the task's folder. */
  model: string;
  records: T[];
  complete: boolean;
}

const STEP_MODEL = /^step-\d+\.safetensors$/;

/**
 * Saves the task's state after `step`; a complete run's model is also kept as model.safetensors.
 * Returns the step's model file.
 */
export function saveCheckpoint<T>(
  folder: string,
  net: Network,
  step: number,
  records: T[],
  complete: boolean,
  metadata: Record<string, string> = {},
): string {
  saveStepModel(folder, net, step, metadata);
  return commitCheckpoint(folder, step, records, complete);
}

/** The model of `step` (step-N.safetensors), before its checkpoint is committed. */
export function saveStepModel(
  folder: string,
  net: Network,
  step: number,
  metadata: Record<string, string> = {},
): string {
  const file = join(folder, `step-${step}.safetensors`);
  saveModel(file, net, metadata);
  return file;
}

/** Records the task's state after `step`, whose model saveStepModel wrote; drops older steps'. */
export function commitCheckpoint<T>(
  folder: string,
  step: number,
  records: T[],
  complete: boolean,
): string {
  const model = `step-${step}.safetensors`;
  const checkpoint: Checkpoint<T> = { step, model, records, complete };
  writeJsonAtomic(join(folder, 'checkpoint.json'), checkpoint);
  for (const file of readdirSync(folder)) {
    if (STEP_MODEL.test(file) && file !== model) rmSync(join(folder, file), { force: true });
  }
  if (complete) copyFileAtomic(join(folder, model), join(folder, 'model.safetensors'));
  return join(folder, model);
}

export interface Restored<T> {
  /** The network after the last saved step; null when there is nothing to continue from. */
  net: Network | null;
  records: T[];
  complete: boolean;
}

/** The task's last checkpoint, or a fresh start when there is none (or it is unreadable). */
export function restoreCheckpoint<T>(
  folder: string,
  batch: number,
  backend: BackendName,
): Restored<T> {
  const checkpoint = readJson<Checkpoint<T>>(join(folder, 'checkpoint.json'));
  if (!checkpoint || !existsSync(join(folder, checkpoint.model))) {
    return { net: null, records: [], complete: false };
  }
  return {
    net: loadModel(join(folder, checkpoint.model), batch, backend),
    records: checkpoint.records,
    complete: checkpoint.complete,
  };
}
