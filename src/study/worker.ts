// Worker-thread entry of the local pool (pool.ts): runs the tasks it is sent, one at a time, and
// posts their events and outcomes back. Errors go back as messages, never as crashes.
import { parentPort, workerData } from 'node:worker_threads';
import { runTask } from './run-task.js';
import { SpareCores, useSpareCores } from './spare-cores.js';
import { useStudyData } from './study-data.js';
import {
  serializeError,
  type WorkerData,
  type WorkerJob,
  type WorkerReply,
  type WorkerStart,
} from './worker-protocol.js';

const port = parentPort!;
useSpareCores(new SpareCores((workerData as WorkerStart).spare));
const reply = (message: WorkerReply) => port.postMessage(message);

port.on('message', (message: WorkerJob | WorkerData) => {
  if ('data' in message) {
    useStudyData(message.data.cfg, message.data.prepared);
    return;
  }
  const job = message;
  runTask(job.request, (event) => reply({ id: job.id, event })).then(
    (outcome) => reply({ id: job.id, outcome }),
    (err: unknown) => reply({ id: job.id, error: serializeError(err) }),
  );
});
