// The contract between the main thread (parallel.ts) and the data-parallel helper thread
// (parallel-worker.ts): the shared control block's slots, the shared data buffer's layout, the
// replica's batch capacity, the messages that start the helper and hand it a region, and the wait
// both sides use. Both sides build their views from here, so the layout is written once.
import type { MessagePort } from 'node:worker_threads';
import type { FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';

/** Slots of the shared Int32 control block. */
export const CTRL = {
  /** Request sequence number, bumped by the main thread. */
  request: 0,
  /** The last request the helper finished (-1: the helper failed). */
  done: 1,
  /** Images in the request's half-batch; EXIT or REBUILD for those commands. */
  count: 2,
  /** The whole batch's size, for the loss's mean (0: evaluate only, no gradient). */
  fullBatch: 3,
  /** Bytes of the architecture JSON in the control buffer (with REBUILD). */
  archBytes: 4,
  /** The layer whose outputs an evaluation returns (-1: none). */
  keepLayer: 5,
  /** 1: the replica lives in the network's shared WebAssembly memory; 0: it runs on copies. */
  sharedReplica: 6,
  /** Byte offsets of the replica's gradient and input in the shared memory (set by the helper). */
  replicaGrads: 7,
  replicaInput: 8,
  /** 1: the training step draws dropout masks, with the key in dropoutKey (nn/dropout.ts). */
  dropoutOn: 9,
  dropoutKey: 10,
  /**
   * With UPDATE: byte offsets of the main network's gradient and SGD velocity (0: none) in the
   * shared memory, and the first parameter the helper updates (it takes the rest).
   */
  mainGrads: 11,
  velocity: 12,
  updateFrom: 13,
  /** Never notified: the helper's 1 ms pause while it waits for its memory message. */
  pause: 15,
  /** With SPLIT (split-layer.ts): how far each side's step has come, for the other to wait on. */
  mainReached: 16,
  helperReached: 17,
  /**
   * Byte offsets of the replica's split layer's outputs and their gradient (set by the helper; the
   * first layer's, or the hidden one's that HIDDEN splits: nn/unit-split.ts).
   */
  replicaOutputs: 18,
  replicaOutputGrads: 19,
  /**
   * With SPLIT: byte offsets of the main network's input, first-layer outputs and gradient; with
   * HIDDEN, of the split layer's inputs, outputs and their gradient.
   */
  mainInput: 20,
  mainOutputs: 21,
  mainOutputGrads: 22,
  /** With HIDDEN: byte offsets of the main network's partial input gradients (split-hidden.ts). */
  mainPartials: 23,
  /** Byte offsets of the replica's split layer's inputs and partial input gradients. */
  replicaInputs: 24,
  replicaPartials: 25,
} as const;

/** Slots in the control block. */
const CTRL_SLOTS = 32;

/** Commands written to CTRL.count instead of an image count. */
export const EXIT = -1;
export const REBUILD = -2;
/**
 * The SGD update of the parameters from updateFrom on (lr, momentum, weight decay in stats[2..4]).
 */
export const UPDATE = -3;
/**
 * A training step with the first layer's units split between the threads (split-layer.ts): batch
 * size in fullBatch, the main network's buffers in mainInput.., the update's settings as UPDATE's.
 */
export const SPLIT = -4;
/**
 * A training step with a hidden dense layer's units split between the threads (split-hidden.ts):
 * the main network's buffers in mainInput.. and mainPartials, the rest as SPLIT's.
 */
export const HIDDEN = -5;

/** Floats per image reserved for returning one layer's outputs from an evaluation. */
export const ACT_FLOATS = 512;
/** Images per half in evaluation (forward only). */
export const EVAL_HALF = 64;
/** Bytes reserved for the architecture JSON. */
export const ARCH_BYTES = 1 << 16;

/** The helper replica's batch capacity for half-batches of up to `half` images. */
export function helperBatch(half: number): number {
  return Math.max(half, EVAL_HALF);
}

/** What both threads need to lay out the shared buffers. */
export interface SharedSizes {
  /** Parameters of the largest network the helper serves. */
  params: number;
  /** Images per half-batch. */
  half: number;
  /** Floats per input image. */
  inputSize: number;
}

/** Views of the two shared buffers: the control block and the data (parameters, gradients, ...). */
export interface SharedViews {
  ctrl: Int32Array;
  /** The helper's loss and correct count of its half. */
  stats: Float64Array;
  archBuf: Uint8Array;
  params: Float32Array;
  grads: Float32Array;
  input: Float32Array;
  acts: Float32Array;
  labels: Uint8Array;
}

export function controlBufferBytes(): number {
  return 4 * CTRL_SLOTS + 48 + ARCH_BYTES;
}

export function dataBufferBytes({ params, half, inputSize }: SharedSizes): number {
  return 4 * (2 * params + half * inputSize + half * ACT_FLOATS) + half;
}

export function sharedViews(
  ctrlSab: SharedArrayBuffer,
  dataSab: SharedArrayBuffer,
  { params, half, inputSize }: SharedSizes,
): SharedViews {
  const inputOffset = 8 * params;
  const actsOffset = inputOffset + 4 * half * inputSize;
  const labelsOffset = actsOffset + 4 * half * ACT_FLOATS;
  return {
    ctrl: new Int32Array(ctrlSab, 0, CTRL_SLOTS),
    stats: new Float64Array(ctrlSab, 4 * CTRL_SLOTS, 6),
    archBuf: new Uint8Array(ctrlSab, 4 * CTRL_SLOTS + 48, ARCH_BYTES),
    params: new Float32Array(dataSab, 0, params),
    grads: new Float32Array(dataSab, 4 * params, params),
    input: new Float32Array(dataSab, inputOffset, half * inputSize),
    acts: new Float32Array(dataSab, actsOffset, half * ACT_FLOATS),
    labels: new Uint8Array(dataSab, labelsOffset, half),
  };
}

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
/** How long a thread spins before it sleeps, waiting for the other (here and in split-layer.ts). */
export const SPIN_MS = 0.5;

/**
 * Where an evaluation also returns one layer's outputs: acts[idx], `units` values per image, into
 * `out`.
 */
export interface LayerOutputs {
  idx: number;
  units: number;
  out: FloatArray;
}

/** What the helper's worker thread is started with. */
export interface HelperData {
  ctrlSab: SharedArrayBuffer;
  dataSab: SharedArrayBuffer;
  sizes: SharedSizes;
  port: MessagePort;
}

/** The message that hands the helper the network's shared memory and its replica's region. */
export interface RegionMessage {
  memory: WebAssembly.Memory;
  start: number;
  end: number;
  /** Byte offset of the network's parameters in the memory. */
  params: number;
}

/**
 * Indices into a network's acts (and dActs) of the buffers a split step exchanges: the split
 * layer's inputs and outputs (the first layer's, or the hidden one's: nn/unit-split.ts) and the
 * buffer that holds a side's partial input gradients (split-hidden.ts).
 */
export function splitBufferIndices(net: Network): {
  inputs: number;
  outputs: number;
  partials: number;
} {
  const at = Math.max(net.splitLayer, 0);
  return { inputs: at, outputs: at + 1, partials: Math.min(at + 2, net.arch.layers.length) };
}
