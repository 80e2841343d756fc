// The messages between the page's runner (worker-pool.ts) and its Web Workers (task-worker.ts),
// and the few browser types they need (the sources are compiled with Node's types, not the DOM's).
// A job carries the run folder's files the task reads (its seed's baseline, its own checkpoint) and
// a finished task sends back the files it wrote: each worker has its own in-memory file system.
import type { WorkerReply } from '../study/worker-protocol.js';
import type { TaskRequest } from '../study/task.js';

export type Files = Record<string, Uint8Array>;

/** Page to worker: the kernels first, then one job at a time. */
export type PageMessage =
  | { type: 'init'; module: WebAssembly.Module; variant: 'simd-fma' | 'simd'; files: Files }
  | { type: 'job'; id: number; request: TaskRequest; files: Files };

/** Worker to page: the local pool's replies, an outcome with the files its task wrote. */
export type TaskWorkerReply = WorkerReply & { files?: Files };

/** A Web Worker as the page sees it. */
export interface WebWorker {
  postMessage(message: PageMessage): void;
  terminate(): void;
  onmessage: ((event: { data: TaskWorkerReply }) => void) | null;
  onerror: ((event: { message: string }) => void) | null;
}

/** The worker's own global scope. */
export interface WorkerScope {
  postMessage(message: TaskWorkerReply): void;
  onmessage: ((event: { data: PageMessage }) => void) | null;
}
