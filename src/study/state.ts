// What the study knows so far, built from its tasks' events and outcomes as they arrive: the
// baselines, the steps of every pruning run and the control's points. results.json is a pure
// function of it (results.ts).
import type { StudyConfig } from '../config.js';
import type { DataDescription } from '../data/summary.js';
import type { BaselineResult, ControlPoint, StepRecord } from './records.js';
import type { OneShotPoint } from './one-shot.js';
import type { StudyPlan } from './plan.js';
import { taskId, type StudyTask, type TaskEvent, type TaskOutcome } from './task.js';

export type StudyStatus = 'running' | 'complete' | 'interrupted' | 'failed';

/** The data a study ran on, as results.json records it. */
export type StudyDataSummary = DataDescription;

export interface PruneRunState {
  criterion: string;
  seed: number;
  steps: StepRecord[];
  /** Test accuracy as units go with no retraining at all. */
  oneShot: OneShotPoint[];
  complete: boolean;
}

export interface ControlRunState {
  seed: number;
  points: ControlPoint[];
  complete: boolean;
}

/** A task that failed, and why; a failed baseline's tasks fail with it. */
export interface TaskFailure {
  task: string;
  error: string;
}

export interface StudyState {
  name: string;
  config: StudyConfig;
  environment: Record<string, unknown>;
  data: StudyDataSummary;
  layer: string;
  baselines: Map<number, BaselineResult>;
  /** Pruning runs by task id (`merge-s2`). */
  runs: Map<string, PruneRunState>;
  /** Control runs by seed. */
  control: Map<number, ControlRunState>;
  status: StudyStatus;
  error?: string;
  /** Tasks that failed (the others went on): their ids and errors. */
  failures: TaskFailure[];
  startedAt: string;
  seconds: number;
}

/** An empty state with a slot for every pruning run and control of the plan. */
export function initialState(
  fields: Pick<StudyState, 'name' | 'config' | 'environment' | 'data' | 'layer' | 'startedAt'>,
  plan: StudyPlan,
): StudyState {
  const state: StudyState = {
    ...fields,
    baselines: new Map(),
    runs: new Map(),
    control: new Map(),
    failures: [],
    status: 'running',
    seconds: 0,
  };
  for (const seed of plan.seeds) {
    for (const task of plan.after(seed)) {
      if (task.kind === 'prune') {
        const run = { criterion: task.criterion, seed, steps: [], oneShot: [], complete: false };
        state.runs.set(taskId(task), run);
      } else if (task.kind === 'control') {
        state.control.set(seed, { seed, points: [], complete: false });
      }
    }
  }
  return state;
}

/** Records a step or a control point; epochs change nothing here. */
export function applyEvent(state: StudyState, event: TaskEvent): void {
  if (event.type === 'step') state.runs.get(taskId(event.task))?.steps.push(event.record);
  else if (event.type === 'one-shot') {
    const run = state.runs.get(taskId(event.task));
    if (run) run.oneShot = event.curve;
  } else if (event.type === 'control-point')
    state.control.get(event.task.seed)?.points.push(event.point);
}

/** Records a finished task. */
export function applyOutcome(state: StudyState, task: StudyTask, outcome: TaskOutcome): void {
  if (outcome.kind === 'baseline') state.baselines.set(task.seed, outcome.baseline);
  else if (outcome.kind === 'control') {
    const run = state.control.get(task.seed);
    if (run) run.complete = true;
  } else if (outcome.kind === 'prune') {
    const run = state.runs.get(taskId(task));
    if (run) run.complete = true;
  }
}
