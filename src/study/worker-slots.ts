// What every pool of task workers keeps, whatever the workers are: the jobs waiting in order, each
// idle worker taking the next, a worker freed when its job settles, and close() stopping them all.
// The local pool (pool.ts, worker threads) and the browser's (src/browser/worker-pool.ts, Web
// Workers) differ only in how a job reaches a worker and how a worker is stopped.
import { InterruptedError } from '../util/errors.js';
import type { TaskRunner } from './runner.js';
import type { TaskEvent, TaskOutcome, TaskRequest } from './task.js';
import { deserializeError, type WorkerReply } from './worker-protocol.js';

export interface Job {
  id: number;
  request: TaskRequest;
  onEvent: (event: TaskEvent) => void;
  resolve: (outcome: TaskOutcome) => void;
  reject: (err: Error) => void;
}

export interface Slot<W> {
  worker: W;
  job: Job | null;
}

export abstract class WorkerSlots<W> implements TaskRunner {
  protected readonly slots: Slot<W>[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** Hands `job` to `worker`. */
  protected abstract send(worker: W, job: Job): void;
  /** Stops `worker` for good. */
  protected abstract stop(worker: W): Promise<unknown>;
  /** After every change: how many workers have no job and none waiting (unused by default). */
  protected idleChanged(workers: number): void {
    void workers;
  }

  /** Adds a worker to the pool; `listen` wires its replies to receive() and errors to fail(). */
  protected addWorker(worker: W, listen: (slot: Slot<W>) => void): void {
    const slot: Slot<W> = { worker, job: null };
    listen(slot);
    this.slots.push(slot);
    this.pump();
  }

  run(request: TaskRequest, onEvent: (event: TaskEvent) => void): Promise<TaskOutcome> {
    if (this.closed) return Promise.reject(new InterruptedError('the task pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, onEvent, resolve, reject });
      this.pump();
    });
  }

  /** A worker's reply: an event, or its job's outcome (after `beforeOutcome`) or error. */
  protected receive(slot: Slot<W>, reply: WorkerReply, beforeOutcome?: () => void): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    if ('event' in reply) job.onEvent(reply.event);
    else if ('outcome' in reply) {
      beforeOutcome?.();
      this.finish(slot, () => job.resolve(reply.outcome));
    } else this.finish(slot, () => job.reject(deserializeError(reply.error)));
  }

  /** The worker itself failed: its job fails with `err`. */
  protected fail(slot: Slot<W>, err: Error): void {
    this.finish(slot, () => slot.job?.reject(err));
  }

  private finish(slot: Slot<W>, settle: () => void): void {
    settle();
    slot.job = null;
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.job || !this.queue.length) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      this.send(slot.worker, job);
    }
    this.idleChanged(this.slots.filter((slot) => !slot.job).length);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.idleChanged(0);
    const stopped = new InterruptedError('stopped before it finished');
    const pending = [...this.queue, ...this.slots.flatMap((s) => (s.job ? [s.job] : []))];
    this.queue = [];
    for (const slot of this.slots) slot.job = null;
    await Promise.all(this.slots.map((s) => this.stop(s.worker)));
    for (const job of pending) job.reject(stopped);
  }
}
