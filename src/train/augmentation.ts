// The training split of an image dataset augmented afresh every epoch (flips, rotations, colour
// jitter drawn from the run's seed, a stream and the epoch), as the trainer's `epochTrain` hook.
import type { TrainConfig } from '../config.js';
import { augmentSplit } from '../data/augment.js';
import type { PreparedData, Split } from '../data/types.js';

/** The per-epoch augmented training split (undefined for the bundled sets or --no-augment). */
export function augmentation(
  cfg: TrainConfig,
  data: PreparedData,
  seed: number,
  stream: number[],
): ((epoch: number) => Split) | undefined {
  const rgb = data.trainRgb;
  if (!cfg.augment || !rgb) return undefined;
  const [channels, height, width] = data.inputShape;
  const shape = { channels, height, width };
  const out = new Float32Array(data.train.n * channels * height * width);
  const { mean, std } = data;
  return (epoch) => ({
    x: augmentSplit(rgb, data.train.n, cfg, shape, mean, std, seed, stream, epoch, out),
    y: data.train.y,
    n: data.train.n,
  });
}
