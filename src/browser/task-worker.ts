// The Web Worker entry of the in-browser study: the browser's counterpart of the local pool's
// worker thread (src/study/worker.ts). It takes the kernels the page compiled, keeps the files it
// is sent in its in-memory file system, runs each task with the study's own runTask (the same
// code as the CLI's workers) and posts the events, then the outcome with the files the task wrote.
import './shims/globals.js';
import { useWasmModule } from '../engine/wasm.js';
import { runTask } from '../study/run-task.js';
import { taskFolder } from '../study/checkpoint.js';
import { serializeError } from '../study/worker-protocol.js';
import { restore, snapshot } from './shims/fs.js';
import type { TaskWorkerReply, WorkerScope } from './messages.js';

const scope = globalThis as unknown as WorkerScope;
const reply = (message: TaskWorkerReply) => scope.postMessage(message);

scope.onmessage = ({ data }) => {
  restore(data.files);
  if (data.type === 'init') {
    useWasmModule(data.module, data.variant);
    return;
  }
  const { id, request } = data;
  runTask(request, (event) => reply({ id, event })).then(
    (outcome) => reply({ id, outcome, files: snapshot(taskFolder(request.dir, request.task)) }),
    (err: unknown) => reply({ id, error: serializeError(err) }),
  );
};
