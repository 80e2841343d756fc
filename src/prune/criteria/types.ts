// The contract of a pruning criterion: given the network and the layer's activation vectors over
// the pattern set, choose which neuron(s) to remove this step and how to compensate. One choice per
// call; the surgery (src/prune/surgery.ts) and the step (src/prune/step.ts) are shared, and the
// study's pruning loop (src/study/prune-task.ts) runs the steps.
import type { Rng } from '../../engine/rng.js';
import type { ActivationKind, Network } from '../../nn/network.js';
import type { Merge } from '../surgery.js';

export interface CriterionContext {
  net: Network;
  layer: string;
  units: number;
  /** Activation vectors: [patterns, units], the layer's outputs after its activation. */
  acts: Float64Array;
  /** The layer's activation function (the criteria that rescale activations need it). */
  activation: ActivationKind | 'linear';
  patterns: number;
  /**
   * Cosine similarity of the activation vectors, units x units (for the criteria that ask for it).
   */
  cosine: Float64Array | null;
  /** dLoss/dActivation over the patterns (for the criteria that ask for it). */
  grads: Float64Array | null;
  rng: Rng;
}

/**
 * What a criterion's score is: the cosine of the chosen pair's activation vectors (`paper`), their
 * angle in degrees (`distinctiveness`, `merge`), the removed unit's incoming weight L2 norm
 * (`magnitude`), its first-order Taylor estimate (`taylor`), the error its removal leaves in the
 * next layer after the best affine reconstruction from the others (`reconstruct`), or nothing
 * (`random`).
 */
export type ScoreKind =
  'cosine' | 'angle-degrees' | 'l2-norm' | 'taylor' | 'reconstruction-error' | 'random';

export interface Choice {
  removed: number[];
  merges: Merge[];
  /** The score behind the choice, of the criterion's `scoreKind` (null for `random`). */
  score: number | null;
  mergedInto: number | null;
}

export interface Criterion {
  name: string;
  scoreKind: ScoreKind;
  needsCosine: boolean;
  needsGradients: boolean;
  choose(ctx: CriterionContext): Choice;
}

/** The unit with the lowest score (first on ties). */
export function argmin(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] < scores[best]) best = i;
  return best;
}
