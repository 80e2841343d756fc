// Runs one task of the contract in task.ts, whatever its kind: the entry point a worker calls.
import { runBaselineTask } from './baseline-task.js';
import { runControlTask } from './control-task.js';
import { runPruneTask } from './prune-task.js';
import { runSweepTask } from './sweep-task.js';
import { isSweepRequest, type TaskEvent, type TaskOutcome, type TaskRequest } from './task.js';

export async function runTask(
  request: TaskRequest,
  emit: (event: TaskEvent) => void,
): Promise<TaskOutcome> {
  if (isSweepRequest(request)) {
    return { kind: 'sweep', row: await runSweepTask(request, request.task, emit) };
  }
  const task = request.task;
  if (task.kind === 'baseline') {
    return { kind: 'baseline', baseline: await runBaselineTask(request, task, emit) };
  }
  if (task.kind === 'control') {
    return { kind: 'control', points: await runControlTask(request, task, emit) };
  }
  return { kind: 'prune', steps: await runPruneTask(request, task, emit) };
}
