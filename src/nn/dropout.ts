// Dropout's masks: which values a training step zeroes, decided by a hash of (the step's key, the
// layer, the image's place in its whole batch, the value's index), so that a half-batch on the
// helper thread draws exactly the mask it would on the main thread: one thread and two give the
// same numbers. The key comes from the run's seed (train/trainer.ts). Kept values are scaled by
// 1/(1-p) (inverted dropout, as in PyTorch), so that evaluation needs no rescaling.
import type { FloatArray } from '../engine/kernels.js';

/** A 32-bit finaliser (MurmurHash3's fmix32): every input bit flips about half the output bits. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Fills mask[0 .. count * perImage) for images first .. first+count of a batch: 0 with
 * probability p, else 1/(1-p).
 */
export function dropoutMask(
  mask: FloatArray,
  p: number,
  key: number,
  layer: number,
  first: number,
  count: number,
  perImage: number,
): void {
  const keep = 1 / (1 - p);
  const threshold = p * 4294967296;
  const layerKey = mix(key ^ mix(layer + 0x9e3779b9));
  for (let n = 0; n < count; n++) {
    const imageKey = mix(layerKey + Math.imul(first + n, 0x27d4eb2f));
    const row = n * perImage;
    for (let j = 0; j < perImage; j++)
      mask[row + j] = mix(imageKey ^ mix(j)) < threshold ? 0 : keep;
  }
}
