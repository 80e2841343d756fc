// Starting the data-parallel helper thread (parallel-worker.ts): where its file is, the shared
// buffers both sides view (parallel-protocol.ts), and the wait until it says it is ready.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  controlBufferBytes,
  dataBufferBytes,
  sharedViews,
  type HelperData,
  type SharedSizes,
  type SharedViews,
} from './parallel-protocol.js';

function helperFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, 'parallel-worker.js');
  if (existsSync(compiled)) return compiled;
  return join(here, '..', '..', 'dist', 'train', 'parallel-worker.js');
}

/** A running helper thread for buffers of `sizes`, its message port and the shared views. */
export async function startHelper(
  sizes: SharedSizes,
): Promise<{ worker: Worker; port: MessagePort; views: SharedViews }> {
  const ctrlSab = new SharedArrayBuffer(controlBufferBytes());
  const dataSab = new SharedArrayBuffer(dataBufferBytes(sizes));
  const { port1, port2 } = new MessageChannel();
  const workerData: HelperData = { ctrlSab, dataSab, sizes, port: port2 };
  const worker = new Worker(helperFile(), { workerData, transferList: [port2] });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
    worker.once('error', reject);
  });
  worker.unref();
  port1.unref();
  return { worker, port: port1, views: sharedViews(ctrlSab, dataSab, sizes) };
}
