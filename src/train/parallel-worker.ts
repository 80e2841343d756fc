// The data-parallel helper thread (see parallel.ts): waits on the shared control block, computes
// the gradient of the second half-batch on its replica of the network, and signals completion.
import { parentPort, workerData } from 'node:worker_threads';
import { Network, type Architecture } from '../nn/network.js';
import { spinUntilChanged } from './parallel.js';

const { ctrlSab, dataSab, P, half, size } = workerData as { ctrlSab: SharedArrayBuffer; dataSab: SharedArrayBuffer; P: number; half: number; size: number };
const ctrl = new Int32Array(ctrlSab, 0, 16), stats = new Float64Array(ctrlSab, 64, 4), archBuf = new Uint8Array(ctrlSab, 96);
const params = new Float32Array(dataSab, 0, P), grads = new Float32Array(dataSab, 4 * P, P);
const ACT_FLOATS = 512; // as in parallel.ts
const input = new Float32Array(dataSab, 8 * P, half * size), acts = new Float32Array(dataSab, 4 * (2 * P + half * size), half * ACT_FLOATS);
const labels = new Uint8Array(dataSab, 4 * (2 * P + half * size + half * ACT_FLOATS), half);

let net: Network | null = null;
let seen = 0;
parentPort!.postMessage('ready');
try {
  for (;;) {
    if (!spinUntilChanged(ctrl, 0, seen)) Atomics.wait(ctrl, 0, seen);
    seen = Atomics.load(ctrl, 0);
    const n = Atomics.load(ctrl, 2);
    if (n === -1) break;
    if (n === -2) {
      const { arch, backend } = JSON.parse(new TextDecoder().decode(archBuf.slice(0, Atomics.load(ctrl, 4)))) as { arch: Architecture; backend: 'wasm' | 'reference' };
      net = new Network(arch, Math.max(half, 64), backend);
    } else if (net) {
      const full = Atomics.load(ctrl, 3), p = net.params.length;
      net.params.set(params.subarray(0, p));
      net.input.set(input.subarray(0, n * size));
      net.forward(n);
      if (full === -1) {
        // activations of one layer, returned as they are
        const idx = Atomics.load(ctrl, 5), units = net.acts[idx].length / net.batch;
        acts.set(net.acts[idx].subarray(0, n * units));
      } else if (full === 0) {
        // evaluation: forward only
        const r = net.loss(labels, 0, n, false);
        stats[0] = r.loss; stats[1] = r.correct;
        const idx = Atomics.load(ctrl, 5); // with the layer outputs an evaluation was asked for
        if (idx >= 0) acts.set(net.acts[idx].subarray(0, n * (net.acts[idx].length / net.batch)));
      } else {
        net.grads.fill(0);
        const r = net.loss(labels, 0, n, true, full);
        net.backward(n);
        grads.set(net.grads.subarray(0, p));
        stats[0] = r.loss; stats[1] = r.correct;
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
