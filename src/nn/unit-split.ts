// Where two threads split a dense layer's units between them (train/split-layer.ts for an MLP's
// first layer, train/split-hidden.ts for a large dense layer after convolutions), and what that
// means on one thread too. A split hidden layer's input gradient is two sums, one over each
// thread's units, added: on two threads each thread forms its own, so on one thread the network
// forms the same two and adds them the same way (layer-passes.ts), and the numbers are the same
// to the bit on one thread or two.
import type { Architecture } from './architecture.js';

/** The fewest units a hidden dense layer needs for two threads to split it. */
export const HIDDEN_SPLIT_MIN_UNITS = 256;

/** Units [0, split) go to the first thread: a multiple of 4 (the kernels' blocks) near half. */
export function unitSplit(units: number): number {
  return Math.round(units / 8) * 4;
}

/**
 * The index in arch.layers of the hidden dense layer two threads split, or -1: the first dense
 * layer when other layers (convolutions) come before it, at least HIDDEN_SPLIT_MIN_UNITS units
 * wide and not the output layer. (An MLP's first layer is split by split-layer.ts instead; its
 * arithmetic is a single sum either way.)
 */
export function hiddenSplitLayer(arch: Architecture): number {
  const index = arch.layers.findIndex((l) => l.kind === 'dense');
  if (index <= 0) return -1;
  const layer = arch.layers[index];
  if (layer.kind !== 'dense' || layer.outFeatures < HIDDEN_SPLIT_MIN_UNITS) return -1;
  const later = arch.layers.slice(index + 1).some((l) => l.kind === 'dense');
  return later ? index : -1;
}
