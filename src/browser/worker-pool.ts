// The browser's runner of study tasks: a pool of Web Workers (task-worker.ts) behind the same
// TaskRunner interface as the local pool of worker threads (src/study/pool.ts) and the queue, so
// the study loop in the page is the CLI's own. Each worker has its own in-memory file system: a
// job carries the files its task reads (its seed's baseline and its own folder), and a finished
// task's files come back into the page's. The browser gives no task a data-parallel helper
// thread (the numbers do not depend on it).
import { dirname } from 'pathe';
import { baselineResultPath, taskFolder } from '../study/checkpoint.js';
import type { TaskEvent, TaskOutcome, TaskRequest } from '../study/task.js';
import { WorkerSlots, type Job } from '../study/worker-slots.js';
import { restore, snapshot } from './shims/fs.js';
import type { Files, WebWorker } from './messages.js';

/** The kernels every worker runs on, and the files every worker starts with (the dataset). */
export interface PoolSetup {
  module: WebAssembly.Module;
  variant: 'simd-fma' | 'simd';
  files: Files;
}

/** The files a task reads: its seed's baseline (model and result) and its own folder. */
function filesFor(request: TaskRequest): Files {
  const { dir, task } = request;
  const baseline = dirname(baselineResultPath(dir, task.seed));
  return { ...snapshot(baseline), ...snapshot(taskFolder(dir, task)) };
}

export class WebWorkerPool extends WorkerSlots<WebWorker> {
  readonly where: string;

  /** `spawn` makes one worker (the page knows the bundle's URL). */
  constructor(size: number, spawn: () => WebWorker, setup: PoolSetup) {
    super();
    this.where = `${size} Web Worker(s) in this page`;
    for (let i = 0; i < size; i++) {
      const worker = spawn();
      worker.postMessage({ type: 'init', ...setup });
      this.addWorker(worker, (slot) => {
        worker.onmessage = ({ data }) => this.receive(slot, data, () => restore(data.files ?? {}));
        worker.onerror = ({ message }) =>
          this.fail(slot, new Error(`a Web Worker failed: ${message}`));
      });
    }
  }

  run(request: TaskRequest, onEvent: (event: TaskEvent) => void): Promise<TaskOutcome> {
    // no helper thread in a browser
    return super.run({ ...request, helpers: 0 }, onEvent);
  }

  protected send(worker: WebWorker, job: Job): void {
    const { id, request } = job;
    worker.postMessage({ type: 'job', id, request, files: filesFor(request) });
  }

  protected stop(worker: WebWorker): Promise<void> {
    worker.terminate();
    return Promise.resolve();
  }
}
