// The main thread's end of the data-parallel helper thread (parallel-worker.ts): its requests and
// the wait for them, and its replica of the attached network, rebuilt in the helper whenever the
// network changes (pruning makes a new one). With the WebAssembly kernels the replica lives in a
// region of the network's own shared memory, its parameters the network's; with the reference
// kernels it runs on copies. The steps and evaluations over it are in parallel.ts.
import type { MessagePort, Worker } from 'node:worker_threads';
import type { WasmKernels } from '../engine/wasm.js';
import { Network } from '../nn/network.js';
import {
  CTRL,
  EXIT,
  helperBatch,
  REBUILD,
  spinUntilChanged,
  splitBufferIndices,
  type RegionMessage,
  type SharedSizes,
  type SharedViews,
} from './parallel-protocol.js';
import type { HelperLink } from './split-sync.js';

type Region = { start: number; end: number };

/** A shared-memory replica's buffers, as views of the network's memory. */
export type ReplicaViews = HelperLink['replica'] & { input: Float32Array };

export class HelperThread {
  private seq = 0;
  private arch = '';
  private attached: Network | null = null;
  /** With a shared-memory replica: its buffers (null: the replica runs on copies). */
  shared: ReplicaViews | null = null;
  private readonly regions = new WeakMap<WebAssembly.Memory, Region | null>();

  constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    readonly views: SharedViews,
    /** The buffers' capacity: networks up to sizes.params, half-batches up to sizes.half. */
    readonly sizes: SharedSizes,
  ) {}

  /** Forgets the network (the next one attached is rebuilt in the helper); false if it failed. */
  detach(): boolean {
    this.attached = null;
    this.shared = null;
    this.arch = '';
    return Atomics.load(this.views.ctrl, CTRL.done) >= 0;
  }

  /** Hands the helper a command (an image count or one of the protocol's commands). */
  request(count: number): number {
    const ctrl = this.views.ctrl;
    this.seq++;
    Atomics.store(ctrl, CTRL.count, count);
    Atomics.store(ctrl, CTRL.request, this.seq);
    Atomics.notify(ctrl, CTRL.request);
    return this.seq;
  }

  /** Waits until the helper has done request `seq`; throws if it failed. */
  wait(seq: number): void {
    const ctrl = this.views.ctrl;
    spinUntilChanged(ctrl, CTRL.done, seq - 1);
    for (;;) {
      const done = Atomics.load(ctrl, CTRL.done);
      if (done === seq) return;
      if (done < 0) throw new Error('the data-parallel helper thread failed');
      Atomics.wait(ctrl, CTRL.done, done, 60_000);
    }
  }

  /** Makes the helper's replica `net`'s (after pruning, or for another network). */
  attach(net: Network): void {
    if (net === this.attached) return;
    this.attached = net;
    const json = JSON.stringify({ arch: net.arch, backend: net.kernels.name });
    const region = this.regionFor(net);
    if (!region && !this.shared && json === this.arch) return; // copies: the same replica serves
    if (net.params.length > this.sizes.params) {
      throw new Error('network larger than the data-parallel buffers');
    }
    const ctrl = this.views.ctrl;
    const memory = (net.kernels as WasmKernels).memory;
    if (region) {
      const message: RegionMessage = { memory, ...region, params: net.params.byteOffset };
      this.port.postMessage(message);
    }
    Atomics.store(ctrl, CTRL.sharedReplica, region ? 1 : 0);
    const bytes = new TextEncoder().encode(json);
    this.views.archBuf.set(bytes);
    Atomics.store(ctrl, CTRL.archBytes, bytes.length);
    this.wait(this.request(REBUILD));
    this.arch = json;
    if (!region) {
      this.shared = null;
      return;
    }
    const view = (slot: number, n: number) =>
      new Float32Array(memory.buffer, Atomics.load(ctrl, slot), n);
    // the buffers of the layer a step may split (parallel-worker.ts), sized as the replica's
    const at = splitBufferIndices(net);
    const floats = (i: number) => helperBatch(this.sizes.half) * (net.acts[i].length / net.batch);
    const outputs = floats(at.outputs);
    this.shared = {
      grads: view(CTRL.replicaGrads, net.params.length),
      input: view(CTRL.replicaInput, this.sizes.half * net.inputSize),
      outputs: view(CTRL.replicaOutputs, outputs),
      outputGrads: view(CTRL.replicaOutputGrads, outputs),
      inputs: view(CTRL.replicaInputs, floats(at.inputs)),
      partials: view(CTRL.replicaPartials, floats(at.partials)),
    };
  }

  /**
   * The region of `net`'s shared memory for the replica (grown once per memory); null: use copies.
   */
  private regionFor(net: Network): Region | null {
    const kernels = net.kernels as Partial<WasmKernels>;
    if (net.kernels.name !== 'wasm' || !kernels.memory || !kernels.extend) return null;
    if (!this.regions.has(kernels.memory)) {
      const floats = Network.floats(net.arch, helperBatch(this.sizes.half));
      this.regions.set(kernels.memory, kernels.extend(floats));
    }
    return this.regions.get(kernels.memory) ?? null;
  }

  async close(): Promise<void> {
    this.request(EXIT);
    await this.worker.terminate();
  }
}
