// How a study gets its tasks done: a TaskRunner runs one task to its end and reports its events as
// they happen. The local worker pool (pool.ts) is one runner; a study loop never knows which.
import type { TaskEvent, TaskOutcome, TaskRequest } from './task.js';

export interface TaskRunner {
  /** Where the tasks run, for the study's header (the local pool's: `2 thread(s)`). */
  readonly where?: string;
  /** Runs one task; resolves with its outcome, rejects with its error. */
  run(request: TaskRequest, onEvent: (event: TaskEvent) => void): Promise<TaskOutcome>;
  /** Stops every task still running or queued (their promises reject with InterruptedError). */
  close(): Promise<void>;
}
