// What a pruning run and the control run share: the data-parallel helper of a task, and the
// retraining after each step (the same epochs, shuffles from the seed and the step, best-validation
// weights kept), so the control is the same procedure as a pruning run without the removal.
import type { StudyConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import type { Network } from '../nn/network.js';
import { augmentation } from '../train/augmentation.js';
import type { FeatureCache } from '../train/features.js';
import { DataParallel } from '../train/parallel.js';
import { train, type Evaluation, type TrainResult } from '../train/trainer.js';
import type { TaskRequest } from './task.js';

/** A helper thread for the task when it has a spare core (same numbers either way). */
export async function taskHelper(request: TaskRequest, net: Network): Promise<DataParallel | null> {
  return request.helpers > 0 ? DataParallel.create(net, request.cfg.batch) : null;
}

export interface RetrainContext {
  cfg: StudyConfig;
  data: PreparedData;
  seed: number;
  parallel: DataParallel | null;
  cache: FeatureCache;
}

/**
 * The retraining of step `step`, from the weights as they are (whose validation score is
 * `valBefore`).
 */
export function retrainStep(
  context: RetrainContext,
  net: Network,
  step: number,
  valBefore: Evaluation,
): TrainResult {
  const { cfg, data, seed, parallel, cache } = context;
  return train(
    net,
    data.train,
    data.val,
    { ...cfg, epochs: cfg.retrainEpochs, seed },
    {
      stream: [step],
      initialVal: valBefore,
      parallel,
      cache,
      epochTrain: augmentation(cfg, data, seed, [step]),
    },
  );
}
