// A small pool of worker threads running study tasks in parallel (one per core by default).
// Tasks are independent (their own seed streams), so the numbers do not depend on the pool size.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StudyConfig } from '../config.js';
import { DataError, DivergenceError, UserError } from '../util/errors.js';
import type { Task, TaskEvent } from './tasks.js';

function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, 'worker.js');
  if (existsSync(compiled)) return compiled;
  // running from the TypeScript sources (tests): use the build
  const built = join(here, '..', '..', 'dist', 'prune', 'worker.js');
  if (!existsSync(built)) throw new Error('dist/prune/worker.js is missing; run `npm run build`');
  return built;
}

interface Job {
  id: number;
  task: Task;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onEvent: (e: TaskEvent) => void;
  helpers: number;
}

export class TaskPool {
  private workers: { w: Worker; job: Job | null }[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    readonly cfg: StudyConfig,
    readonly dir: string,
    readonly helpers = 0,
  ) {
    const file = workerFile();
    for (let i = 0; i < size; i++) {
      const w = new Worker(file);
      const slot = { w, job: null as Job | null };
      w.on(
        'message',
        (m: {
          id: number;
          event?: TaskEvent;
          result?: unknown;
          error?: { message: string; name: string; user: boolean };
        }) => {
          const job = slot.job;
          if (!job || job.id !== m.id) return;
          if (m.event) {
            job.onEvent(m.event);
            return;
          }
          slot.job = null;
          if (m.error) {
            const E =
              m.error.name === 'DivergenceError'
                ? DivergenceError
                : m.error.name === 'DataError'
                  ? DataError
                  : m.error.user
                    ? UserError
                    : Error;
            job.reject(new E(m.error.message));
          } else job.resolve(m.result);
          this.pump();
        },
      );
      w.on('error', (err) => {
        const job = slot.job;
        slot.job = null;
        job?.reject(err as Error);
      });
      this.workers.push(slot);
    }
  }

  /** Queues a task; `helpers` (default: the pool's) says whether it may use a data-parallel helper thread. */
  run(task: Task, onEvent: (e: TaskEvent) => void, helpers = this.helpers): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject, onEvent, helpers });
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.workers) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.w.postMessage({
        id: job.id,
        cfg: this.cfg,
        dir: this.dir,
        task: job.task,
        helpers: job.helpers,
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}
