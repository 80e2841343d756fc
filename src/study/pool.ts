// The local runner: a small pool of worker threads running study tasks in parallel (one per core
// by default). Tasks are independent (their own seed streams), so the numbers do not depend on the
// pool's size.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InterruptedError } from '../util/errors.js';
import type { TaskRunner } from './runner.js';
import type { TaskEvent, TaskOutcome, TaskRequest } from './task.js';
import {
  deserializeError,
  type WorkerData,
  type WorkerJob,
  type WorkerReply,
} from './worker-protocol.js';

function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, 'worker.js');
  if (existsSync(compiled)) return compiled;
  // running from the TypeScript sources (tests): use the build
  const built = join(here, '..', '..', 'dist', 'study', 'worker.js');
  if (!existsSync(built)) throw new Error('dist/study/worker.js is missing; run `npm run build`');
  return built;
}

interface Job {
  id: number;
  request: TaskRequest;
  onEvent: (event: TaskEvent) => void;
  resolve: (outcome: TaskOutcome) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

export class LocalPool implements TaskRunner {
  private readonly slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** `shared`: data the tasks will ask for, already loaded here, handed to every worker. */
  constructor(
    readonly size: number,
    shared?: WorkerData['data'],
  ) {
    const file = workerFile();
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: new Worker(file), job: null };
      if (shared) slot.worker.postMessage({ data: shared } satisfies WorkerData);
      slot.worker.on('message', (reply: WorkerReply) => this.receive(slot, reply));
      slot.worker.on('error', (err: Error) => this.finish(slot, () => slot.job?.reject(err)));
      this.slots.push(slot);
    }
  }

  run(request: TaskRequest, onEvent: (event: TaskEvent) => void): Promise<TaskOutcome> {
    if (this.closed) return Promise.reject(new InterruptedError('the task pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, onEvent, resolve, reject });
      this.pump();
    });
  }

  private receive(slot: Slot, reply: WorkerReply): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    if ('event' in reply) job.onEvent(reply.event);
    else if ('outcome' in reply) this.finish(slot, () => job.resolve(reply.outcome));
    else this.finish(slot, () => job.reject(deserializeError(reply.error)));
  }

  private finish(slot: Slot, settle: () => void): void {
    settle();
    slot.job = null;
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      const message: WorkerJob = { id: job.id, request: job.request };
      slot.worker.postMessage(message);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = new InterruptedError('stopped before it finished');
    const pending = [...this.queue, ...this.slots.flatMap((s) => (s.job ? [s.job] : []))];
    this.queue = [];
    for (const slot of this.slots) slot.job = null;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    for (const job of pending) job.reject(stopped);
  }
}
