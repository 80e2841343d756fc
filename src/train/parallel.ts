// Data-parallel SGD steps. Every minibatch is split into two fixed halves; the gradient of each
// half (of the loss averaged over the whole batch) is computed into its own zeroed buffer and the
// two are summed in a fixed order, so the numbers are the same whether one thread computes both
// halves or a helper worker thread computes the second half in parallel (over SharedArrayBuffer,
// synchronised with Atomics). The helper keeps a replica of the network, rebuilt synchronously by
// attach() whenever the network changes (pruning makes a new one). With the WebAssembly kernels the
// replica lives in a region of the network's own shared memory and its parameters are the network's:
// nothing is copied but the inputs, and the main thread adds the replica's gradient in place. With
// the reference kernels, parameters and gradients are copied through a SharedArrayBuffer.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { FloatArray } from '../engine/kernels.js';
import type { WasmKernels } from '../engine/wasm.js';
import { Network, parameterCount } from '../nn/network.js';

/** One SGD step on the batch x[0..B), y[0..B) with both halves on this thread. */
export function serialStep(
  net: Network,
  x: Float32Array,
  y: Uint8Array,
  B: number,
): { loss: number; correct: number } {
  const size = net.inputSize,
    h = Math.ceil(B / 2);
  net.grads.fill(0);
  net.input.set(x.subarray(0, h * size));
  net.forward(h);
  const r0 = net.loss(y, 0, h, true, B);
  net.backward(h);
  if (B - h === 0) return r0;
  net.gradsAux.fill(0);
  net.input.set(x.subarray(h * size, B * size));
  net.forward(B - h);
  const r1 = net.loss(y, h, B - h, true, B);
  net.backward(B - h, 'aux');
  net.kernels.accumulate(net.grads, net.gradsAux, net.grads.length);
  return { loss: r0.loss + r1.loss, correct: r0.correct + r1.correct };
}

// control block (Int32): 0 request seq, 1 done seq, 2 half size (-1 exit, -2 rebuild), 3 full batch
// (0: evaluate only), 4 arch json bytes, 5 the layer whose outputs an evaluation returns (-1: none), 6 shared-memory replica (1) or copies (0), 7 and 8
// the replica's gradient and input byte offsets in the shared memory (set by the helper)
const C_REQ = 0,
  C_DONE = 1,
  C_N = 2,
  C_FULL = 3,
  C_ARCH = 4,
  C_ACT = 5,
  C_SHARED = 6,
  C_GRADS = 7,
  C_INPUT = 8;
/** Floats per image reserved for returning activations. */
export const ACT_FLOATS = 512;
/** Images per half in evaluation (forward only). */
export const EVAL_HALF = 64;
const ARCH_BYTES = 1 << 16;

/**
 * Spins for up to SPIN_MS while ctrl[i] === value, before a caller falls back to Atomics.wait: a
 * half-batch takes about a millisecond, and waking a sleeping thread can cost a good part of that
 * on a virtual machine, once per step on each side. Returns whether the value changed.
 */
export function spinUntilChanged(ctrl: Int32Array, i: number, value: number): boolean {
  const end = performance.now() + SPIN_MS;
  while (Atomics.load(ctrl, i) === value) if (performance.now() > end) return false;
  return true;
}
const SPIN_MS = 0.5;

function helperFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, 'parallel-worker.js');
  if (existsSync(compiled)) return compiled;
  return join(here, '..', '..', 'dist', 'train', 'parallel-worker.js');
}

/** Where an evaluation also returns one layer's outputs: acts[idx], `units` values per image, into `out`. */
export interface LayerOutputs {
  idx: number;
  units: number;
  out: FloatArray;
}

/** The helper replica's batch capacity (as in parallel-worker.ts). */
export function helperBatch(half: number): number {
  return Math.max(half, EVAL_HALF);
}

export class DataParallel {
  private seq = 0;
  private arch = '';
  private attached: Network | null = null;
  /** With a shared-memory replica: its gradient and input, as views of the network's memory. */
  private shared: { grads: Float32Array; input: Float32Array } | null = null;
  private readonly regions = new WeakMap<
    WebAssembly.Memory,
    { start: number; end: number } | null
  >();
  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly ctrl: Int32Array,
    private readonly stats: Float64Array,
    private readonly params: Float32Array,
    private readonly grads: Float32Array,
    private readonly input: Float32Array,
    private readonly labels: Uint8Array,
    private readonly archBuf: Uint8Array,
    readonly maxParams: number,
    readonly maxHalf: number,
    private readonly acts: Float32Array,
  ) {}

  /** A helper for networks up to the size of `net` and half-batches up to ceil(batch/2). */
  static async create(net: Network, batch: number): Promise<DataParallel> {
    const P = parameterCount(net.arch),
      half = Math.max(Math.ceil(batch / 2), EVAL_HALF),
      size = net.inputSize;
    const ctrlSab = new SharedArrayBuffer(64 + 32 + ARCH_BYTES);
    const dataSab = new SharedArrayBuffer(4 * (2 * P + half * size + half * ACT_FLOATS) + half);
    const ctrl = new Int32Array(ctrlSab, 0, 16),
      stats = new Float64Array(ctrlSab, 64, 4),
      archBuf = new Uint8Array(ctrlSab, 96, ARCH_BYTES);
    const params = new Float32Array(dataSab, 0, P),
      grads = new Float32Array(dataSab, 4 * P, P);
    const input = new Float32Array(dataSab, 8 * P, half * size),
      acts = new Float32Array(dataSab, 4 * (2 * P + half * size), half * ACT_FLOATS);
    const labels = new Uint8Array(dataSab, 4 * (2 * P + half * size + half * ACT_FLOATS), half);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(helperFile(), {
      workerData: { ctrlSab, dataSab, P, half, size, port: port2 },
      transferList: [port2],
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      worker.once('error', reject);
    });
    worker.unref();
    port1.unref();
    const dp = new DataParallel(
      worker,
      port1,
      ctrl,
      stats,
      params,
      grads,
      input,
      labels,
      archBuf,
      P,
      half,
      acts,
    );
    dp.attach(net);
    return dp;
  }

  private request(n: number): number {
    this.seq++;
    Atomics.store(this.ctrl, C_N, n);
    Atomics.store(this.ctrl, C_REQ, this.seq);
    Atomics.notify(this.ctrl, C_REQ);
    return this.seq;
  }

  private wait(seq: number): void {
    spinUntilChanged(this.ctrl, C_DONE, seq - 1);
    for (;;) {
      const done = Atomics.load(this.ctrl, C_DONE);
      if (done === seq) return;
      if (done < 0) throw new Error('the data-parallel helper thread failed');
      Atomics.wait(this.ctrl, C_DONE, done, 60_000);
    }
  }

  /** Makes the helper's replica `net`'s (after pruning, or for another network). */
  attach(net: Network): void {
    if (net === this.attached) return;
    this.attached = net;
    const json = JSON.stringify({ arch: net.arch, backend: net.kernels.name });
    const region = this.regionFor(net);
    if (!region && !this.shared && json === this.arch) return; // copies: the same replica serves
    if (net.params.length > this.maxParams)
      throw new Error('network larger than the data-parallel buffers');
    const memory = (net.kernels as WasmKernels).memory;
    if (region)
      this.port.postMessage({
        memory,
        start: region.start,
        end: region.end,
        params: net.params.byteOffset,
      });
    Atomics.store(this.ctrl, C_SHARED, region ? 1 : 0);
    const bytes = new TextEncoder().encode(json);
    this.archBuf.set(bytes);
    Atomics.store(this.ctrl, C_ARCH, bytes.length);
    this.wait(this.request(-2));
    this.arch = json;
    this.shared = region
      ? {
          grads: new Float32Array(
            memory.buffer,
            Atomics.load(this.ctrl, C_GRADS),
            net.params.length,
          ),
          input: new Float32Array(
            memory.buffer,
            Atomics.load(this.ctrl, C_INPUT),
            this.maxHalf * net.inputSize,
          ),
        }
      : null;
  }

  /** The region of `net`'s shared memory for the replica (grown once per memory); null: use copies. */
  private regionFor(net: Network): { start: number; end: number } | null {
    const k = net.kernels as Partial<WasmKernels>;
    if (net.kernels.name !== 'wasm' || !k.memory || !k.extend) return null;
    if (!this.regions.has(k.memory))
      this.regions.set(k.memory, k.extend(Network.floats(net.arch, helperBatch(this.maxHalf))));
    return this.regions.get(k.memory) ?? null;
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
    const size = net.inputSize,
      P = net.params.length,
      chunk = Math.min(2 * EVAL_HALF, 2 * Math.floor(net.batch / 2));
    if (features && features.units > ACT_FLOATS)
      throw new Error(
        `layer outputs of ${features.units} values per image exceed the helper's buffer`,
      );
    Atomics.store(this.ctrl, C_ACT, features ? features.idx : -1);
    if (!this.shared) this.params.set(net.params.subarray(0, P));
    const input = this.shared?.input ?? this.input;
    let loss = 0,
      correct = 0;
    for (let s = 0; s < split.n; s += chunk) {
      const B = Math.min(chunk, split.n - s),
        h = Math.ceil(B / 2),
        n1 = B - h;
      let seq = 0;
      if (n1 > 0) {
        input.set(split.x.subarray((s + h) * size, (s + B) * size));
        this.labels.set(split.y.subarray(s + h, s + B));
        Atomics.store(this.ctrl, C_FULL, 0);
        seq = this.request(n1);
      }
      net.input.set(split.x.subarray(s * size, (s + h) * size));
      net.forward(h);
      const r = net.loss(split.y, s, h, false);
      loss += r.loss;
      correct += r.correct;
      if (features)
        features.out.set(
          net.acts[features.idx].subarray(0, h * features.units),
          s * features.units,
        );
      if (n1 > 0) {
        this.wait(seq);
        loss += this.stats[0];
        correct += this.stats[1];
        if (features)
          features.out.set(this.acts.subarray(0, n1 * features.units), (s + h) * features.units);
      }
    }
    return { loss, correct };
  }

  /**
   * Outputs of layer `idx` (acts[idx], `units` values per image) for every image of a split (an
   * evaluation that keeps them); false when they do not fit the shared buffer.
   */
  activations(
    net: Network,
    split: { x: Float32Array; y: Uint8Array; n: number },
    idx: number,
    units: number,
    out: FloatArray,
  ): boolean {
    if (units > ACT_FLOATS) return false;
    this.evaluate(net, split, { idx, units, out });
    return true;
  }

  /** One SGD step; the second half-batch runs on the helper thread. */
  step(net: Network, x: Float32Array, y: Uint8Array, B: number): { loss: number; correct: number } {
    const h = Math.ceil(B / 2),
      n1 = B - h,
      size = net.inputSize;
    if (n1 === 0 || h > this.maxHalf) return serialStep(net, x, y, B);
    this.attach(net);
    const P = net.params.length,
      shared = this.shared;
    if (shared) shared.input.set(x.subarray(h * size, B * size));
    else {
      this.params.set(net.params.subarray(0, P));
      this.input.set(x.subarray(h * size, B * size));
    }
    this.labels.set(y.subarray(h, B));
    Atomics.store(this.ctrl, C_FULL, B);
    const seq = this.request(n1);
    net.grads.fill(0);
    net.input.set(x.subarray(0, h * size));
    net.forward(h);
    const r0 = net.loss(y, 0, h, true, B);
    net.backward(h);
    this.wait(seq);
    if (shared) net.kernels.accumulate(net.grads, shared.grads, P);
    else {
      net.gradsAux.set(this.grads.subarray(0, P));
      net.kernels.accumulate(net.grads, net.gradsAux, P);
    }
    return { loss: r0.loss + this.stats[0], correct: r0.correct + this.stats[1] };
  }

  async close(): Promise<void> {
    this.request(-1);
    await this.worker.terminate();
  }
}
