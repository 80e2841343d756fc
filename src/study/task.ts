// The task contract: what a worker receives (a TaskRequest), what it reports while it runs
// (TaskEvents) and what it returns (a TaskOutcome). A study is a plan of such tasks; a runner (the
// local worker pool, runner.ts) carries them out. Everything here is plain data, so it crosses a
// thread boundary (or, later, a queue) as it is.
import type { CriterionName, StudyConfig, TrainConfig } from '../config.js';
import type { EpochRecord } from '../train/trainer.js';
import type { OneShotPoint } from './one-shot.js';
import type { BaselineResult, ControlPoint, StepRecord, SweepRow } from './records.js';

/** Train (or load) the baseline of one seed. */
export interface BaselineTask {
  kind: 'baseline';
  seed: number;
}
/** Prune the layer step by step with one criterion, from one seed's baseline. */
export interface PruneTask {
  kind: 'prune';
  seed: number;
  criterion: CriterionName;
}
/**
 * The control run: the random seed's baseline retrained as the pruning runs are, nothing removed.
 */
export interface ControlTask {
  kind: 'control';
  seed: number;
}
/** One learning rate of a sweep: the baseline trained from the random seed with that rate. */
export interface SweepTask {
  kind: 'sweep';
  seed: number;
  lr: number;
}

export type StudyTask = BaselineTask | PruneTask | ControlTask;
export type Task = StudyTask | SweepTask;

/** What a worker receives: the task, the configuration and the run folder it writes into. */
export type TaskRequest = StudyTaskRequest | SweepTaskRequest;

interface RequestBase {
  dir: string;
  /** 1 when the task may use a data-parallel helper thread (a spare core), else 0. */
  helpers: number;
}
export interface StudyTaskRequest extends RequestBase {
  task: StudyTask;
  cfg: StudyConfig;
}
export interface SweepTaskRequest extends RequestBase {
  task: SweepTask;
  cfg: TrainConfig;
}

export function isSweepRequest(request: TaskRequest): request is SweepTaskRequest {
  return request.task.kind === 'sweep';
}

/** What a task reports while it runs. `restored`: replayed from a checkpoint, not computed now. */
export type TaskEvent =
  | { type: 'epoch'; task: Task; record: EpochRecord; total: number }
  | { type: 'step'; task: PruneTask; record: StepRecord; restored: boolean }
  | { type: 'control-point'; task: ControlTask; point: ControlPoint; restored: boolean }
  | { type: 'one-shot'; task: PruneTask; curve: OneShotPoint[]; restored: boolean };

/** What a finished task returns. */
export type TaskOutcome =
  | { kind: 'baseline'; baseline: BaselineResult }
  | { kind: 'prune'; steps: StepRecord[] }
  | { kind: 'control'; points: ControlPoint[] }
  | { kind: 'sweep'; row: SweepRow };

/**
 * A task's name, which is also its folder in the run directory: `baseline-s1`, `merge-s2`,
 * `lr-0.01`.
 */
export function taskId(task: Task): string {
  if (task.kind === 'prune') return `${task.criterion}-s${task.seed}`;
  if (task.kind === 'sweep') return `lr-${task.lr}`;
  return `${task.kind}-s${task.seed}`;
}
