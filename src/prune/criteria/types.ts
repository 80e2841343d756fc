// The contract of a pruning criterion: given the network and the layer's activation vectors over the
// pattern set, choose which neuron(s) to remove this step and how to compensate. One choice per
// call; the surgery (src/prune/surgery.ts) and the schedule (src/prune/study.ts) are shared.
import type { Rng } from '../../engine/rng.js';
import type { Network } from '../../nn/network.js';
import type { Merge } from '../surgery.js';

export interface CriterionContext {
  net: Network;
  layer: string;
  units: number;
  /** Activation vectors: [patterns, units], the layer's tanh outputs. */
  acts: Float64Array;
  patterns: number;
  /** Cosine similarity of the activation vectors, units x units (for the criteria that ask for it). */
  cosine: Float64Array | null;
  /** dLoss/dActivation over the patterns (for the criteria that ask for it). */
  grads: Float64Array | null;
  rng: Rng;
}

export interface Choice {
  removed: number[];
  merges: Merge[];
  /** The similarity behind the choice: cosine (paper), angle in degrees (distinctiveness), score (others). */
  similarity: number | null;
  mergedInto: number | null;
}

export interface Criterion {
  name: string;
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
