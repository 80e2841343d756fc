// What a pruning run and the control run share: the retraining after each step (the same epochs,
// shuffles from the seed and the step, best-validation weights kept), so the control is the same
// procedure as a pruning run without the removal.
import type { StudyConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import type { Network } from '../nn/network.js';
import { augmentation } from '../train/augmentation.js';
import type { FeatureCache } from '../train/features.js';
import type { DataParallel } from '../train/parallel.js';
import { train, type TrainResult } from '../train/trainer.js';

export interface RetrainContext {
  cfg: StudyConfig;
  data: PreparedData;
  seed: number;
  parallel: DataParallel | null;
  cache: FeatureCache;
}

/**
 * The retraining of step `step`, from the weights as they are. The weights kept are the
 * best-validation ones among the retraining epochs, never the weights before them: a pruning run
 * and the control follow this same rule, so a lucky validation score before a step cannot freeze
 * a run (the control used to stop learning once it had met one, while each removal lowered the
 * score a pruning run had to beat).
 */
export function retrainStep(context: RetrainContext, net: Network, step: number): TrainResult {
  const { cfg, data, seed, parallel, cache } = context;
  return train(
    net,
    data.train,
    data.val,
    { ...cfg, epochs: cfg.retrainEpochs, seed },
    {
      stream: [step],
      parallel,
      cache,
      epochTrain: augmentation(cfg, data, seed, [step]),
    },
  );
}
