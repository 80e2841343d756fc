// Data-parallel SGD steps. Every minibatch is split into two fixed halves; the gradient of each
// half (of the loss averaged over the whole batch) is computed into its own buffer and the
// two are summed in a fixed order, so the numbers are the same whether one thread computes both
// halves (serial-step.ts) or a helper worker thread computes the second half in parallel (over
// SharedArrayBuffer, synchronised with Atomics; the layout is in parallel-protocol.ts, the start
// in parallel-start.ts). The helper keeps a replica of the network, rebuilt synchronously by
// attach() whenever the network changes (pruning makes a new one). With the WebAssembly kernels
// the replica lives in a region of the network's own shared memory and its parameters are the
// network's: nothing is copied but the inputs, and the main thread adds the replica's gradient in
// place. With the reference kernels, parameters and gradients are copied through a
// SharedArrayBuffer.
import type { MessagePort, Worker } from 'node:worker_threads';
import type { FloatArray } from '../engine/kernels.js';
import type { WasmKernels } from '../engine/wasm.js';
import { Network, parameterCount } from '../nn/network.js';
import {
  ACT_FLOATS,
  CTRL,
  EVAL_HALF,
  EXIT,
  helperBatch,
  REBUILD,
  UPDATE,
  spinUntilChanged,
  type LayerOutputs,
  type RegionMessage,
  type SharedSizes,
  type SharedViews,
} from './parallel-protocol.js';
import { startHelper } from './parallel-start.js';
import { serialStep, type SgdOptions } from './serial-step.js';

type Region = { start: number; end: number };

export class DataParallel {
  private seq = 0;
  private arch = '';
  private attached: Network | null = null;
  /** With a shared-memory replica: its gradient and input, as views of the network's memory. */
  private shared: { grads: Float32Array; input: Float32Array } | null = null;
  private readonly regions = new WeakMap<WebAssembly.Memory, Region | null>();

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly views: SharedViews,
    /** The buffers' capacity: networks up to sizes.params, half-batches up to sizes.half. */
    readonly sizes: SharedSizes,
  ) {}

  /** The buffers a helper needs for networks up to the size of `net` and batches up to `batch`. */
  static sizesFor(net: Network, batch: number): SharedSizes {
    return {
      params: parameterCount(net.arch),
      half: Math.max(Math.ceil(batch / 2), EVAL_HALF),
      inputSize: net.inputSize,
    };
  }

  /** A helper for networks up to the size of `net` and half-batches up to ceil(batch/2). */
  static async create(net: Network, batch: number): Promise<DataParallel> {
    const sizes = DataParallel.sizesFor(net, batch);
    const { worker, port, views } = await startHelper(sizes);
    const helper = new DataParallel(worker, port, views, sizes);
    helper.attach(net);
    return helper;
  }

  /** Forgets the network (the next one attached is rebuilt in the helper); false if it failed. */
  detach(): boolean {
    this.attached = null;
    this.shared = null;
    this.arch = '';
    return Atomics.load(this.views.ctrl, CTRL.done) >= 0;
  }

  private request(count: number): number {
    const ctrl = this.views.ctrl;
    this.seq++;
    Atomics.store(ctrl, CTRL.count, count);
    Atomics.store(ctrl, CTRL.request, this.seq);
    Atomics.notify(ctrl, CTRL.request);
    return this.seq;
  }

  private wait(seq: number): void {
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
    const gradsOffset = Atomics.load(ctrl, CTRL.replicaGrads);
    const inputOffset = Atomics.load(ctrl, CTRL.replicaInput);
    this.shared = {
      grads: new Float32Array(memory.buffer, gradsOffset, net.params.length),
      input: new Float32Array(memory.buffer, inputOffset, this.sizes.half * net.inputSize),
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

  /**
   * Loss and correct count of the current network on a split, the two halves of every chunk in
   * parallel; with `features`, also the outputs of layer `features.idx` for every image.
   */
  evaluate(
    net: Network,
    split: { x: Float32Array; y: Uint8Array; n: number },
    features?: LayerOutputs,
  ): { loss: number; correct: number } {
    this.attach(net);
    const { ctrl, stats, labels, acts } = this.views;
    const size = net.inputSize;
    const P = net.params.length;
    const chunk = Math.min(2 * EVAL_HALF, 2 * Math.floor(net.batch / 2));
    if (features && features.units > ACT_FLOATS) {
      throw new Error(
        `layer outputs of ${features.units} values per image exceed the helper's buffer`,
      );
    }
    Atomics.store(ctrl, CTRL.keepLayer, features ? features.idx : -1);
    if (!this.shared) this.views.params.set(net.params.subarray(0, P));
    const input = this.shared?.input ?? this.views.input;
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < split.n; s += chunk) {
      const B = Math.min(chunk, split.n - s);
      const half = Math.ceil(B / 2);
      const rest = B - half;
      let seq = 0;
      if (rest > 0) {
        input.set(split.x.subarray((s + half) * size, (s + B) * size));
        labels.set(split.y.subarray(s + half, s + B));
        Atomics.store(ctrl, CTRL.fullBatch, 0);
        seq = this.request(rest);
      }
      net.input.set(split.x.subarray(s * size, (s + half) * size));
      net.forward(half, { evaluating: true });
      const r = net.loss(split.y, s, half, false);
      loss += r.loss;
      correct += r.correct;
      if (features) {
        const mine = net.acts[features.idx].subarray(0, half * features.units);
        features.out.set(mine, s * features.units);
      }
      if (rest > 0) {
        this.wait(seq);
        loss += stats[0];
        correct += stats[1];
        if (features) {
          const theirs = acts.subarray(0, rest * features.units);
          features.out.set(theirs, (s + half) * features.units);
        }
      }
    }
    return { loss, correct };
  }

  /** One SGD step's gradient; the second half-batch runs on the helper thread. */
  step(net: Network, x: Float32Array, y: Uint8Array, B: number): { loss: number; correct: number } {
    const r = this.halves(net, x, y, B);
    if (r.aux) net.kernels.accumulate(net.grads, r.aux, net.params.length);
    return r;
  }

  /**
   * One SGD step, gradient and update: the two half-batches' gradients are added and the
   * parameters updated in one pass, the first part of the parameters on this thread and the rest
   * on the helper (the same numbers as step() then net.sgdStep(): see sgdStepSum).
   */
  trainStep(
    net: Network,
    x: Float32Array,
    y: Uint8Array,
    B: number,
    opt: SgdOptions,
  ): { loss: number; correct: number } {
    const r = this.halves(net, x, y, B);
    const { lr, momentum, weightDecay } = opt;
    if (!r.aux) {
      net.sgdStep(lr, momentum, weightDecay);
      return r;
    }
    const P = net.params.length;
    const velocity = net.velocityFor(momentum);
    // the helper works on copies (reference kernels): this thread updates everything
    const from = this.shared ? (P >> 3) << 2 : P; // about half, on a SIMD boundary
    const { ctrl, stats } = this.views;
    Atomics.store(ctrl, CTRL.mainGrads, net.grads.byteOffset);
    Atomics.store(ctrl, CTRL.velocity, velocity?.byteOffset ?? 0);
    Atomics.store(ctrl, CTRL.updateFrom, from);
    stats[2] = lr;
    stats[3] = momentum;
    stats[4] = weightDecay;
    const seq = from < P ? this.request(UPDATE) : null;
    net.kernels.sgdStepSum(
      net.params.subarray(0, from),
      net.grads.subarray(0, from),
      r.aux.subarray(0, from),
      velocity?.subarray(0, from) ?? null,
      from,
      lr,
      momentum,
      weightDecay,
    );
    if (seq !== null) this.wait(seq);
    return r;
  }

  /**
   * The two half-batches' gradients: the first in net.grads, the second in `aux` (the helper's own
   * gradient in shared memory, or a copy of it), not yet added; aux null when this thread did both.
   */
  private halves(
    net: Network,
    x: Float32Array,
    y: Uint8Array,
    B: number,
  ): { loss: number; correct: number; aux: FloatArray | null } {
    const half = Math.ceil(B / 2);
    const rest = B - half;
    const size = net.inputSize;
    if (rest === 0 || half > this.sizes.half) return { ...serialStep(net, x, y, B), aux: null };
    this.attach(net);
    const { ctrl, stats } = this.views;
    const P = net.params.length;
    const shared = this.shared;
    if (shared) shared.input.set(x.subarray(half * size, B * size));
    else {
      this.views.params.set(net.params.subarray(0, P));
      this.views.input.set(x.subarray(half * size, B * size));
    }
    this.views.labels.set(y.subarray(half, B));
    Atomics.store(ctrl, CTRL.fullBatch, B);
    // the helper's half draws the dropout masks of images half.. of the batch (nn/dropout.ts)
    Atomics.store(ctrl, CTRL.dropoutOn, net.dropout.key === null ? 0 : 1);
    Atomics.store(ctrl, CTRL.dropoutKey, net.dropout.key ?? 0);
    const seq = this.request(rest);
    net.input.set(x.subarray(0, half * size));
    net.dropout.first = 0;
    net.forward(half);
    const first = net.loss(y, 0, half, true, B);
    net.backward(half);
    this.wait(seq);
    let aux: FloatArray = net.gradsAux;
    if (shared) aux = shared.grads;
    else net.gradsAux.set(this.views.grads.subarray(0, P));
    return { loss: first.loss + stats[0], correct: first.correct + stats[1], aux };
  }

  async close(): Promise<void> {
    this.request(EXIT);
    await this.worker.terminate();
  }
}
