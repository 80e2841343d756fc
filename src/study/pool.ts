// The local runner: a small pool of worker threads running study tasks in parallel (one per core
// by default). Tasks are independent (their own seed streams), so the numbers do not depend on the
// pool's size. The cores of idle workers are lent to running tasks as helper threads
// (spare-cores.ts).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SpareCores } from './spare-cores.js';
import type { WorkerData, WorkerJob, WorkerReply, WorkerStart } from './worker-protocol.js';
import { WorkerSlots, type Job } from './worker-slots.js';

function workerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, 'worker.js');
  if (existsSync(compiled)) return compiled;
  // running from the TypeScript sources (tests): use the build
  const built = join(here, '..', '..', 'dist', 'study', 'worker.js');
  if (!existsSync(built)) throw new Error('dist/study/worker.js is missing; run `npm run build`');
  return built;
}

export class LocalPool extends WorkerSlots<Worker> {
  /** The cores of idle workers, lent to running tasks. */
  readonly spare = new SpareCores();

  constructor(readonly size: number) {
    super();
    const file = workerFile();
    const workerData: WorkerStart = { spare: this.spare.buffer };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(file, { workerData });
      this.addWorker(worker, (slot) => {
        worker.on('message', (reply: WorkerReply) => this.receive(slot, reply));
        worker.on('error', (err: Error) => this.fail(slot, err));
      });
    }
  }

  /**
   * Hands every worker data its tasks will ask for, loaded here. The workers start (and load their
   * code) as soon as the pool is made; the data can follow, as long as it comes before the tasks.
   */
  share(shared: WorkerData['data']): void {
    for (const slot of this.slots) slot.worker.postMessage({ data: shared } satisfies WorkerData);
  }

  protected send(worker: Worker, job: Job): void {
    const message: WorkerJob = { id: job.id, request: job.request };
    worker.postMessage(message);
  }

  protected idleChanged(workers: number): void {
    this.spare.setIdle(workers);
  }

  protected stop(worker: Worker): Promise<number> {
    return worker.terminate();
  }
}
