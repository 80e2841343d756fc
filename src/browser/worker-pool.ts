// The browser's runner of study tasks: a pool of Web Workers (task-worker.ts) behind the same
// TaskRunner interface as the local pool of worker threads (src/study/pool.ts) and the queue, so
// the study loop in the page is the CLI's own. Each worker has its own in-memory file system: a
// job carries the files its task reads (its seed's baseline and its own folder), and a finished
// task's files come back into the page's. The browser gives no task a data-parallel helper
// thread (the numbers do not depend on it).
import { InterruptedError } from '../util/errors.js';
import { baselineResultPath, taskFolder } from '../study/checkpoint.js';
import type { TaskRunner } from '../study/runner.js';
import type { TaskEvent, TaskOutcome, TaskRequest } from '../study/task.js';
import { deserializeError } from '../study/worker-protocol.js';
import { restore, snapshot } from './shims/fs.js';
import type { Files, TaskWorkerReply, WebWorker } from './messages.js';
import { dirname } from 'pathe';

interface Job {
  id: number;
  request: TaskRequest;
  onEvent: (event: TaskEvent) => void;
  resolve: (outcome: TaskOutcome) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: WebWorker;
  job: Job | null;
}

/** The kernels every worker runs on, and the files every worker starts with (the dataset). */
export interface PoolSetup {
  module: WebAssembly.Module;
  variant: 'simd-fma' | 'simd';
  files: Files;
}

export class WebWorkerPool implements TaskRunner {
  readonly where: string;
  private readonly slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** `spawn` makes one worker (the page knows the bundle's URL). */
  constructor(size: number, spawn: () => WebWorker, setup: PoolSetup) {
    this.where = `${size} Web Worker(s) in this page`;
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: spawn(), job: null };
      slot.worker.onmessage = ({ data }) => this.receive(slot, data);
      slot.worker.onerror = ({ message }) => {
        this.finish(slot, () => slot.job?.reject(new Error(`a Web Worker failed: ${message}`)));
      };
      slot.worker.postMessage({ type: 'init', ...setup });
      this.slots.push(slot);
    }
  }

  run(request: TaskRequest, onEvent: (event: TaskEvent) => void): Promise<TaskOutcome> {
    if (this.closed) return Promise.reject(new InterruptedError('the task pool is closed'));
    // no helper thread in a browser
    const alone = { ...request, helpers: 0 };
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request: alone, onEvent, resolve, reject });
      this.pump();
    });
  }

  private receive(slot: Slot, reply: TaskWorkerReply): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    if ('event' in reply) job.onEvent(reply.event);
    else if ('outcome' in reply) {
      restore(reply.files ?? {});
      this.finish(slot, () => job.resolve(reply.outcome));
    } else this.finish(slot, () => job.reject(deserializeError(reply.error)));
  }

  private finish(slot: Slot, settle: () => void): void {
    settle();
    slot.job = null;
    this.pump();
  }

  /** The files a task reads: its seed's baseline (model and result) and its own folder. */
  private filesFor(request: TaskRequest): Files {
    const { dir, task } = request;
    const baseline = dirname(baselineResultPath(dir, task.seed));
    return { ...snapshot(baseline), ...snapshot(taskFolder(dir, task)) };
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      const files = this.filesFor(job.request);
      slot.worker.postMessage({ type: 'job', id: job.id, request: job.request, files });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = new InterruptedError('stopped before it finished');
    const pending = [...this.queue, ...this.slots.flatMap((s) => (s.job ? [s.job] : []))];
    this.queue = [];
    for (const slot of this.slots) {
      slot.job = null;
      slot.worker.terminate();
    }
    for (const job of pending) job.reject(stopped);
    return Promise.resolve();
  }
}
