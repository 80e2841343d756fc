// What the two threads' split steps share (split-layer.ts, split-hidden.ts): which side holds
// which images, the wait of one side for the other between a step's phases, and what the main
// thread's side needs of the helper.
import type { FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';
import { CTRL, SPIN_MS, type SharedViews } from './parallel-protocol.js';
import type { SgdOptions } from './serial-step.js';

/** 0: the main thread, with the batch's first half; 1: the helper, with the rest. */
export type Side = 0 | 1;

/** The images of a batch of B each side takes on: [first, count]. */
export function imagesOf(B: number, side: Side): [number, number] {
  const half = Math.ceil(B / 2);
  return side === 0 ? [0, half] : [half, B - half];
}

/**
 * The points a step's sides meet at are MEETS_PER_STEP * seq + 1.. for request `seq`: always
 * larger than any earlier step's, whichever kind of split step it was.
 */
export const MEETS_PER_STEP = 5;

/**
 * Marks that this side has reached `point` of its step and waits until the other side has too:
 * spinning for a while (both threads are busy with the same step), then sleeping until notified;
 * throws if the helper failed.
 */
export function meet(ctrl: Int32Array, side: Side, point: number): void {
  const mine = side === 0 ? CTRL.mainReached : CTRL.helperReached;
  const theirs = side === 0 ? CTRL.helperReached : CTRL.mainReached;
  Atomics.store(ctrl, mine, point);
  Atomics.notify(ctrl, mine);
  const end = performance.now() + SPIN_MS;
  for (;;) {
    const reached = Atomics.load(ctrl, theirs);
    if (reached >= point) return;
    if (Atomics.load(ctrl, CTRL.done) < 0)
      throw new Error('the data-parallel helper thread failed');
    if (performance.now() > end) Atomics.wait(ctrl, theirs, reached, 100);
  }
}

/** What the main thread's side of a split step needs of the helper (parallel.ts). */
export interface HelperLink {
  views: SharedViews;
  /**
   * The replica's gradient buffer and its split layer's outputs and their gradient, inputs and
   * partial input gradients (the first layer's, or the hidden one's: parallel-worker.ts).
   */
  replica: {
    grads: FloatArray;
    outputs: FloatArray;
    outputGrads: FloatArray;
    inputs: FloatArray;
    partials: FloatArray;
  };
  request(command: number): number;
  wait(seq: number): void;
}

/** A side's result: its images' summed loss and correct count. */
export interface SideResult {
  loss: number;
  correct: number;
}

/**
 * The main thread's side of a split step: hands the helper request `command` with the step's
 * settings and the main network's buffers (`buffers`: slot and byte offset), runs side 0 (`run`,
 * given the request's number and the SGD velocity), waits for side 1 and adds its result. If side
 * 0 fails, the helper is let through its waits before the error goes on.
 */
export function mainSide(
  link: HelperLink,
  net: Network,
  step: { command: number; B: number; buffers: [number, number][]; opt: SgdOptions },
  run: (seq: number, velocity: FloatArray | null) => SideResult,
): SideResult {
  const { ctrl, stats } = link.views;
  const { command, B, buffers, opt } = step;
  const velocity = net.velocityFor(opt.momentum);
  const offsets: [number, number][] = [
    [CTRL.fullBatch, B],
    [CTRL.dropoutOn, net.dropout.key === null ? 0 : 1],
    [CTRL.dropoutKey, net.dropout.key ?? 0],
    [CTRL.mainGrads, net.grads.byteOffset],
    [CTRL.velocity, velocity?.byteOffset ?? 0],
    ...buffers,
  ];
  for (const [slot, value] of offsets) Atomics.store(ctrl, slot, value);
  // (a step that failed on this side left its mark at the end)
  Atomics.store(ctrl, CTRL.mainReached, 0);
  stats[2] = opt.lr;
  stats[3] = opt.momentum;
  stats[4] = opt.weightDecay;
  const seq = link.request(command);
  let r: SideResult;
  try {
    r = run(seq, velocity);
  } catch (err) {
    // the helper must not wait for this side for ever: let it finish, ready for the next request
    Atomics.store(ctrl, CTRL.mainReached, 2 ** 31 - 1);
    Atomics.notify(ctrl, CTRL.mainReached);
    if (Atomics.load(ctrl, CTRL.done) >= 0) link.wait(seq);
    throw err;
  } finally {
    net.dropout.first = 0;
  }
  link.wait(seq);
  return { loss: r.loss + stats[0], correct: r.correct + stats[1] };
}

/**
 * The helper's side of a split step (parallel-worker.ts): the step's settings from the control
 * block, a view of the main network's buffer in `slot`, and `run`'s result (side 1) handed back.
 */
export function helperSide(
  replica: Network,
  views: SharedViews,
  run: (step: {
    B: number;
    view: (slot: number, floats: number) => Float32Array;
    velocity: FloatArray | null;
    opt: SgdOptions;
  }) => SideResult,
): void {
  const { ctrl, stats } = views;
  const B = Atomics.load(ctrl, CTRL.fullBatch);
  const buffer = replica.params.buffer;
  const view = (slot: number, n: number) => new Float32Array(buffer, Atomics.load(ctrl, slot), n);
  const dropout = Atomics.load(ctrl, CTRL.dropoutOn) === 1;
  replica.dropout.key = dropout ? Atomics.load(ctrl, CTRL.dropoutKey) >>> 0 : null;
  const params = replica.params.length;
  const velocity = Atomics.load(ctrl, CTRL.velocity) ? view(CTRL.velocity, params) : null;
  const opt = { lr: stats[2], momentum: stats[3], weightDecay: stats[4] };
  // the loss and count are read by the main thread only after this request is done
  const r = run({ B, view, velocity, opt });
  stats[0] = r.loss;
  stats[1] = r.correct;
}
