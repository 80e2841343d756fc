// The data-parallel helper thread (see parallel.ts; the shared layout is parallel-protocol.ts):
// waits on the shared control block, computes the gradient of the second half-batch on its replica
// of the network (or evaluates it; or runs its side of a split step, split-layer.ts), and signals
// completion. The replica runs in a region of the main network's shared WebAssembly memory
// (parameters shared, its gradient read in place by the main thread), or, with the reference
// kernels, on copies.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { createWasmKernels, type WasmKernels } from '../engine/wasm.js';
import { Network, parameterCount, type Architecture } from '../nn/network.js';
import { helperHiddenStep } from './split-hidden.js';
import { helperSplitStep } from './split-layer.js';
import {
  CTRL,
  EXIT,
  helperBatch,
  REBUILD,
  sharedViews,
  SPLIT,
  HIDDEN,
  splitBufferIndices,
  UPDATE,
  spinUntilChanged,
  type HelperData,
  type RegionMessage,
} from './parallel-protocol.js';

const { ctrlSab, dataSab, sizes, port } = workerData as HelperData;
const views = sharedViews(ctrlSab, dataSab, sizes);
const { ctrl, stats, archBuf, params, grads, input, acts, labels } = views;
const capacity = helperBatch(sizes.half);

let net: Network | null = null;
/** Whether the replica's parameters are the main network's, in its shared memory. */
let shared = false;

/**
 * The main thread's message (posted before the rebuild request): the memory and the replica's
 * region.
 */
function regionMessage(): RegionMessage {
  for (let i = 0; i < 1000; i++) {
    const received = receiveMessageOnPort(port);
    if (received) return received.message as RegionMessage;
    Atomics.wait(ctrl, CTRL.pause, 0, 1);
  }
  throw new Error('the data-parallel helper did not receive its shared memory');
}

/** The kernels of the replica's region: made once per region, then laid out afresh (reset). */
let lastRegion: { region: RegionMessage; kernels: WasmKernels } | null = null;
function regionKernels(region: RegionMessage): WasmKernels {
  const last = lastRegion?.region;
  if (lastRegion && last?.memory === region.memory && last.start === region.start) {
    lastRegion.kernels.reset();
    return lastRegion.kernels;
  }
  const kernels = createWasmKernels(0, undefined, region);
  lastRegion = { region, kernels };
  return kernels;
}

function rebuild(): Network {
  const json = new TextDecoder().decode(archBuf.slice(0, Atomics.load(ctrl, CTRL.archBytes)));
  const { arch, backend } = JSON.parse(json) as {
    arch: Architecture;
    backend: 'wasm' | 'reference';
  };
  shared = Atomics.load(ctrl, CTRL.sharedReplica) === 1;
  if (!shared) return new Network(arch, capacity, backend);
  const region = regionMessage();
  const kernels = regionKernels(region);
  const sharedParams = new Float32Array(region.memory.buffer, region.params, parameterCount(arch));
  const replica = new Network(arch, capacity, 'wasm', { kernels, params: sharedParams });
  Atomics.store(ctrl, CTRL.replicaGrads, replica.grads.byteOffset);
  Atomics.store(ctrl, CTRL.replicaInput, replica.input.byteOffset);
  // the buffers of the layer a step may split between the threads: the first, or a hidden one
  const at = splitBufferIndices(replica);
  Atomics.store(ctrl, CTRL.replicaOutputs, replica.acts[at.outputs].byteOffset);
  Atomics.store(ctrl, CTRL.replicaOutputGrads, replica.dActs[at.outputs].byteOffset);
  Atomics.store(ctrl, CTRL.replicaInputs, replica.acts[at.inputs].byteOffset);
  Atomics.store(ctrl, CTRL.replicaPartials, replica.acts[at.partials].byteOffset);
  return replica;
}

/**
 * Forward (and, for training, backward) of the `count` images the main thread left in the buffers.
 */
function compute(replica: Network, count: number): void {
  const fullBatch = Atomics.load(ctrl, CTRL.fullBatch);
  const P = replica.params.length;
  if (!shared) {
    replica.params.set(params.subarray(0, P));
    replica.input.set(input.subarray(0, count * sizes.inputSize));
  }
  const dropout = fullBatch > 0 && Atomics.load(ctrl, CTRL.dropoutOn) === 1;
  replica.dropout.key = dropout ? Atomics.load(ctrl, CTRL.dropoutKey) >>> 0 : null;
  replica.dropout.first = fullBatch - count;
  replica.forward(count, { evaluating: fullBatch === 0 });
  if (fullBatch === 0) {
    // evaluation: forward only, with one layer's outputs when asked for
    const r = replica.loss(labels, 0, count, false);
    stats[0] = r.loss;
    stats[1] = r.correct;
    const keep = Atomics.load(ctrl, CTRL.keepLayer);
    if (keep >= 0) {
      const perImage = replica.acts[keep].length / replica.batch;
      acts.set(replica.acts[keep].subarray(0, count * perImage));
    }
    return;
  }
  const r = replica.loss(labels, 0, count, true, fullBatch);
  replica.backward(count);
  if (!shared) grads.set(replica.grads.subarray(0, P));
  stats[0] = r.loss;
  stats[1] = r.correct;
}

/**
 * The SGD update of the shared parameters from updateFrom on: the main network's gradient plus
 * this replica's, in one pass (the main thread updates the parameters before updateFrom).
 */
function update(replica: Network): void {
  const P = replica.params.length;
  const from = Atomics.load(ctrl, CTRL.updateFrom);
  const buffer = replica.params.buffer;
  const view = (offset: number) => new Float32Array(buffer, offset + 4 * from, P - from);
  const velocity = Atomics.load(ctrl, CTRL.velocity);
  replica.kernels.sgdStepSum(
    replica.params.subarray(from),
    view(Atomics.load(ctrl, CTRL.mainGrads)),
    replica.grads.subarray(from),
    velocity ? view(velocity) : null,
    P - from,
    stats[2],
    stats[3],
    stats[4],
  );
}

let seen = 0;
parentPort!.postMessage('ready');
try {
  for (;;) {
    if (!spinUntilChanged(ctrl, CTRL.request, seen)) Atomics.wait(ctrl, CTRL.request, seen);
    seen = Atomics.load(ctrl, CTRL.request);
    const count = Atomics.load(ctrl, CTRL.count);
    if (count === EXIT) break;
    if (count === REBUILD) net = rebuild();
    else if (count === UPDATE && net) update(net);
    else if (count === SPLIT && net) helperSplitStep(net, views, seen);
    else if (count === HIDDEN && net) helperHiddenStep(net, views, seen);
    else if (net) compute(net, count);
    Atomics.store(ctrl, CTRL.done, seen);
    Atomics.notify(ctrl, CTRL.done);
  }
} catch (err) {
  Atomics.store(ctrl, CTRL.done, -1);
  Atomics.notify(ctrl, CTRL.done);
  throw err;
}
