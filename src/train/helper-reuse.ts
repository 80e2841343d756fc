// One data-parallel helper thread kept per thread between tasks: a task done with its helper parks
// it here, and the next task on the same thread takes it rather than starting another. A thread
// and its warm-up cost a task's start about 30 ms and its first steps more; a pool worker runs a
// seed's baseline and then its pruning runs one after another.
import type { Network } from '../nn/network.js';
import { DataParallel } from './parallel.js';

let parked: DataParallel | null = null;

/** A helper for `net` and batches up to `batch`: the parked one when its buffers serve. */
export async function takeHelper(net: Network, batch: number): Promise<DataParallel> {
  const kept = parked;
  parked = null;
  const want = DataParallel.sizesFor(net, batch);
  const have = kept?.sizes;
  const fits =
    have &&
    want.params <= have.params &&
    want.half <= have.half &&
    want.inputSize === have.inputSize;
  if (kept && fits) {
    kept.attach(net);
    return kept;
  }
  await kept?.close();
  return DataParallel.create(net, batch);
}

/** Keeps `helper` for the next takeHelper() on this thread (stopping any helper parked before). */
export async function parkHelper(helper: DataParallel | null): Promise<void> {
  if (!helper) return;
  // a helper whose thread failed is stopped, not kept
  if (!helper.detach()) return helper.close();
  const before = parked;
  parked = helper;
  await before?.close();
}
