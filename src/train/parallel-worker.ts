// The data-parallel helper thread (see parallel.ts): waits on the shared control block, computes
// the gradient of the second half-batch on its replica of the network, and signals completion. The
// replica runs in a region of the main network's shared WebAssembly memory (parameters shared, its
// gradient read in place by the main thread), or, with the reference kernels, on copies.
import {
  parentPort,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
} from 'node:worker_threads';
import { createWasmKernels } from '../engine/wasm.js';
import { Network, parameterCount, type Architecture } from '../nn/network.js';
import { ACT_FLOATS, helperBatch, spinUntilChanged } from './parallel.js';

const { ctrlSab, dataSab, P, half, size, port } = workerData as {
  ctrlSab: SharedArrayBuffer;
  dataSab: SharedArrayBuffer;
  P: number;
  half: number;
  size: number;
  port: MessagePort;
};
const ctrl = new Int32Array(ctrlSab, 0, 16),
  stats = new Float64Array(ctrlSab, 64, 4),
  archBuf = new Uint8Array(ctrlSab, 96);
const params = new Float32Array(dataSab, 0, P),
  grads = new Float32Array(dataSab, 4 * P, P);
const input = new Float32Array(dataSab, 8 * P, half * size),
  acts = new Float32Array(dataSab, 4 * (2 * P + half * size), half * ACT_FLOATS);
const labels = new Uint8Array(dataSab, 4 * (2 * P + half * size + half * ACT_FLOATS), half);

let net: Network | null = null;
let shared = false; // the replica's parameters are the main network's, in its shared memory

/** The main thread's message (posted before the rebuild request): the memory and the replica's region. */
function regionMessage(): {
  memory: WebAssembly.Memory;
  start: number;
  end: number;
  params: number;
} {
  for (let i = 0; i < 1000; i++) {
    const m = receiveMessageOnPort(port);
    if (m) return m.message;
    Atomics.wait(ctrl, 15, 0, 1); // not notified: a 1 ms pause
  }
  throw new Error('the data-parallel helper did not receive its shared memory');
}
let seen = 0;
parentPort!.postMessage('ready');
try {
  for (;;) {
    if (!spinUntilChanged(ctrl, 0, seen)) Atomics.wait(ctrl, 0, seen);
    seen = Atomics.load(ctrl, 0);
    const n = Atomics.load(ctrl, 2);
    if (n === -1) break;
    if (n === -2) {
      const { arch, backend } = JSON.parse(
        new TextDecoder().decode(archBuf.slice(0, Atomics.load(ctrl, 4))),
      ) as { arch: Architecture; backend: 'wasm' | 'reference' };
      shared = Atomics.load(ctrl, 6) === 1;
      if (shared) {
        const m = regionMessage(),
          kernels = createWasmKernels(0, undefined, m);
        net = new Network(arch, helperBatch(half), 'wasm', {
          kernels,
          params: new Float32Array(m.memory.buffer, m.params, parameterCount(arch)),
        });
        Atomics.store(ctrl, 7, net.grads.byteOffset);
        Atomics.store(ctrl, 8, net.input.byteOffset);
      } else net = new Network(arch, helperBatch(half), backend);
    } else if (net) {
      const full = Atomics.load(ctrl, 3),
        p = net.params.length;
      if (!shared) {
        net.params.set(params.subarray(0, p));
        net.input.set(input.subarray(0, n * size));
      }
      net.forward(n);
      if (full === 0) {
        // evaluation: forward only, with one layer's outputs when asked for
        const r = net.loss(labels, 0, n, false);
        stats[0] = r.loss;
        stats[1] = r.correct;
        const idx = Atomics.load(ctrl, 5);
        if (idx >= 0) acts.set(net.acts[idx].subarray(0, n * (net.acts[idx].length / net.batch)));
      } else {
        net.grads.fill(0);
        const r = net.loss(labels, 0, n, true, full);
        net.backward(n);
        if (!shared) grads.set(net.grads.subarray(0, p));
        stats[0] = r.loss;
        stats[1] = r.correct;
      }
    }
    Atomics.store(ctrl, 1, seen);
    Atomics.notify(ctrl, 1);
  }
} catch (err) {
  Atomics.store(ctrl, 1, -1);
  Atomics.notify(ctrl, 1);
  throw err;
}
