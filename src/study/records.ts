// What the study's tasks produce, step by step: a seed's baseline, one step of a pruning run, one
// point of the control run, one rate of a learning-rate sweep. These are the records of
// results.json, steps.csv and the tasks' checkpoints.
import type { Architecture } from '../nn/architecture.js';
import type { ScoreKind } from '../prune/criteria/index.js';
import type { RedundancyEstimates } from '../prune/redundancy.js';
import type { EpochRecord } from '../train/trainer.js';

export interface BaselineResult {
  seed: number;
  history: EpochRecord[];
  bestEpoch: number;
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  hidden: number;
  parameters: number;
  flops: number;
  /** Size of the baseline's model file (safetensors), and its measured inference speed. */
  modelBytes?: number;
  latencyMs?: number;
  imagesPerSecond?: number;
  seconds: number;
  /**
   * Cosine similarity of the pruned layer's activation vectors, hidden x hidden, rounded to 1e-4.
   */
  cosine: number[];
  /** How many units the trained network alone says are redundant (prune/redundancy.ts). */
  redundancy?: RedundancyEstimates;
  loadedFrom: string | null;
  /** The baseline network (absent in results written before version 0.3). */
  architecture?: Architecture;
}

export interface StepRecord {
  step: number;
  pruned: number;
  hidden: number;
  /** Positions, in the layer as it was before each removal of this step, of the units removed. */
  removed: number[];
  mergedInto: number | null;
  /** The removed units' ids: their positions in the unpruned layer (0..units-1). */
  removedIds: number[];
  /** The id of the unit that absorbed the removed one, if one did. */
  mergedIntoId: number | null;
  /** The ids of the units left after this step, in the order of the layer's rows. */
  survivingIds: number[];
  /** The criterion's score behind the choice, of kind `scoreKind` (null for `random`). */
  score: number | null;
  scoreKind: ScoreKind;
  /** The step removed dead units (0 on every pattern: ReLU), first for every criterion. */
  dead?: boolean;
  testAccuracyBeforeRetrain: number;
  testLossBeforeRetrain: number;
  valAccuracyBeforeRetrain: number;
  testAccuracy: number;
  testLoss: number;
  valAccuracy: number;
  parameters: number;
  flops: number;
  /** Size of the step's model file (safetensors), and of its ONNX export with --export onnx. */
  modelBytes?: number;
  onnxBytes?: number;
  /** Measured inference speed of the step's model here (nn/speed.ts): timings, not results. */
  latencyMs?: number;
  imagesPerSecond?: number;
  seconds: number;
  retrainEpochs: number;
  /**
   * Retraining epochs until validation accuracy is back within the tolerance of its pre-removal
   * value (0: never left it; null: not within the budget).
   */
  recoveryEpochs: number | null;
}

/** The control run at one step: the unpruned network after the same extra epochs. */
export interface ControlPoint {
  step: number;
  pruned: number;
  epochs: number;
  testAccuracy: number;
  valAccuracy: number;
  seconds: number;
}

/** One learning rate of a sweep; a rate that diverges is a result, not a failure. */
export interface SweepRow {
  lr: number;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  testAccuracy: number | null;
  diverged: boolean;
  seconds: number;
}
