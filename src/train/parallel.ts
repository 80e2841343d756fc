// Data-parallel SGD steps. Every minibatch is split into two fixed halves; the gradient of each
// half (of the loss averaged over the whole batch) is computed into its own buffer and the
// two are summed in a fixed order, so the numbers are the same whether one thread computes both
// halves (serial-step.ts) or a helper worker thread computes the second half in parallel (over
// SharedArrayBuffer, synchronised with Atomics; the layout is in parallel-protocol.ts, the start
// in parallel-start.ts, the main thread's end of the helper and its replica of the network in
// parallel-link.ts). With the WebAssembly kernels the replica's parameters are the network's:
// nothing is copied but the inputs, and the main thread adds the replica's gradient in place; with
// the reference kernels, parameters and gradients are copied. A network whose first layer is dense
// (an MLP) trains with that layer's units split between the threads instead (split-layer.ts).
import type { FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';
import { parameterCount } from '../nn/network.js';
import { HelperThread } from './parallel-link.js';
import {
  ACT_FLOATS,
  CTRL,
  EVAL_HALF,
  UPDATE,
  type LayerOutputs,
  type SharedSizes,
} from './parallel-protocol.js';
import { startHelper } from './parallel-start.js';
import { serialStep, type SgdOptions } from './serial-step.js';
import { hiddenFits, hiddenPlan, mainHiddenStep, type HiddenPlan } from './split-hidden.js';
import { mainSplitStep, splitFits, splitPlan, type SplitPlan } from './split-layer.js';
import type { HelperLink } from './split-sync.js';

export class DataParallel {
  /** Training steps run with a dense layer's units split (split-layer.ts, split-hidden.ts). */
  splitSteps = 0;

  /** Whether a dense layer may be split (PRUNELAB_SPLIT_LAYER=0: not, for comparisons). */
  private readonly splitLayer = process.env.PRUNELAB_SPLIT_LAYER !== '0';

  private constructor(private readonly link: HelperThread) {}

  /** The buffers' capacity: networks up to sizes.params, half-batches up to sizes.half. */
  get sizes(): SharedSizes {
    return this.link.sizes;
  }

  /** Whether the helper's replica works in the network's shared memory (not on copies). */
  get sharesMemory(): boolean {
    return this.link.shared !== null;
  }

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
    const helper = new DataParallel(new HelperThread(worker, port, views, sizes));
    helper.attach(net);
    return helper;
  }

  /** Forgets the network (the next one attached is rebuilt in the helper); false if it failed. */
  detach(): boolean {
    return this.link.detach();
  }

  /** Makes the helper's replica `net`'s (after pruning, or for another network). */
  attach(net: Network): void {
    this.link.attach(net);
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
    const { ctrl, stats, labels, acts } = this.link.views;
    const size = net.inputSize;
    const P = net.params.length;
    const chunk = Math.min(2 * EVAL_HALF, 2 * Math.floor(net.batch / 2));
    if (features && features.units > ACT_FLOATS) {
      throw new Error(
        `layer outputs of ${features.units} values per image exceed the helper's buffer`,
      );
    }
    Atomics.store(ctrl, CTRL.keepLayer, features ? features.idx : -1);
    if (!this.link.shared) this.link.views.params.set(net.params.subarray(0, P));
    const input = this.link.shared?.input ?? this.link.views.input;
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
        seq = this.link.request(rest);
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
        this.link.wait(seq);
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
    const split = this.splitFor(net, B);
    if (split) {
      this.splitSteps++;
      return mainSplitStep(split, net, split.plan, { x, y, B }, opt);
    }
    const hidden = this.hiddenFor(net, B);
    if (hidden) {
      this.splitSteps++;
      return mainHiddenStep(hidden, net, hidden.plan, { x, y, B }, opt);
    }
    const r = this.halves(net, x, y, B);
    const { lr, momentum, weightDecay } = opt;
    if (!r.aux) {
      net.sgdStep(lr, momentum, weightDecay);
      return r;
    }
    const P = net.params.length;
    const velocity = net.velocityFor(momentum);
    // the helper works on copies (reference kernels): this thread updates everything
    const from = this.link.shared ? (P >> 3) << 2 : P; // about half, on a SIMD boundary
    const { ctrl, stats } = this.link.views;
    Atomics.store(ctrl, CTRL.mainGrads, net.grads.byteOffset);
    Atomics.store(ctrl, CTRL.velocity, velocity?.byteOffset ?? 0);
    Atomics.store(ctrl, CTRL.updateFrom, from);
    stats[2] = lr;
    stats[3] = momentum;
    stats[4] = weightDecay;
    const seq = from < P ? this.link.request(UPDATE) : null;
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
    if (seq !== null) this.link.wait(seq);
    return r;
  }

  /**
   * The helper link for a split step (split-layer.ts, split-hidden.ts) on `net` and a batch of B
   * with the step's plan (`planOf`), or null: splits are off, one half is empty or too large, the
   * replica runs on copies, or there is no layer to split.
   */
  private splitLink<P>(
    net: Network,
    B: number,
    planOf: (net: Network) => P | null,
  ): (HelperLink & { input: Float32Array; plan: P }) | null {
    const half = Math.ceil(B / 2);
    if (!this.splitLayer || B - half === 0 || half > this.sizes.half || B > net.batch) return null;
    const { link } = this;
    link.attach(net);
    const replica = link.shared;
    const plan = replica && planOf(net);
    if (!replica || !plan) return null;
    const request = (command: number) => link.request(command);
    const wait = (seq: number) => link.wait(seq);
    // (a literal: a spread of it would cost microseconds every step)
    return { views: link.views, replica, request, wait, input: replica.input, plan };
  }

  /** The link and plan of a split first layer for `net` and B, or null (see splitLink). */
  private splitFor(net: Network, B: number): (HelperLink & { plan: SplitPlan }) | null {
    const link = this.splitLink(net, B, splitPlan);
    if (!link || !splitFits(net.acts[1].length, link.plan, 0, B)) return null;
    if (!splitFits(link.replica.outputs.length, link.plan, 1, B)) return null;
    return link;
  }

  /** The link and plan of a split hidden layer for `net` and B, or null (see splitLink). */
  private hiddenFor(
    net: Network,
    B: number,
  ): (HelperLink & { plan: HiddenPlan; input: Float32Array }) | null {
    if (net.splitLayer < 0) return null;
    const link = this.splitLink(net, B, hiddenPlan);
    if (!link) return null;
    const k = link.plan.index;
    const { outputs, partials } = link.replica;
    const room = { outputs: net.acts[k + 1].length, partials: net.acts[k + 2].length };
    if (!hiddenFits(room, link.plan, B)) return null;
    if (!hiddenFits({ outputs: outputs.length, partials: partials.length }, link.plan, B))
      return null;
    return link;
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
    const { ctrl, stats } = this.link.views;
    const P = net.params.length;
    const shared = this.link.shared;
    if (shared) shared.input.set(x.subarray(half * size, B * size));
    else {
      this.link.views.params.set(net.params.subarray(0, P));
      this.link.views.input.set(x.subarray(half * size, B * size));
    }
    this.link.views.labels.set(y.subarray(half, B));
    Atomics.store(ctrl, CTRL.fullBatch, B);
    // the helper's half draws the dropout masks of images half.. of the batch (nn/dropout.ts)
    Atomics.store(ctrl, CTRL.dropoutOn, net.dropout.key === null ? 0 : 1);
    Atomics.store(ctrl, CTRL.dropoutKey, net.dropout.key ?? 0);
    const seq = this.link.request(rest);
    net.input.set(x.subarray(0, half * size));
    net.dropout.first = 0;
    net.forward(half);
    const first = net.loss(y, 0, half, true, B);
    net.backward(half);
    this.link.wait(seq);
    let aux: FloatArray = net.gradsAux;
    if (shared) aux = shared.grads;
    else net.gradsAux.set(this.link.views.grads.subarray(0, P));
    return { loss: first.loss + stats[0], correct: first.correct + stats[1], aux };
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
