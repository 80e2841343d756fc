// One pruning step: compute the layer's activation vectors over the pattern set, let the criterion
// choose, and apply the surgery; repeated until the step's count is removed (activations
// recomputed after each removal, so every choice sees the network as it now is).
import type { Split } from '../data/types.js';
import { Rng, STREAM } from '../engine/rng.js';
import { activationAfter, type Network } from '../nn/network.js';
import type { FeatureCache } from '../train/features.js';
import type { DataParallel } from '../train/parallel.js';
import { cosineSimilarityMatrix, layerActivations } from './activations.js';
import { leastSquaresMerges } from './compensate.js';
import type { Criterion } from './criteria/index.js';
import { denseUnits, removeUnits } from './surgery.js';

export interface Removal {
  removed: number[];
  mergedInto: number | null;
  /** The criterion's score for this removal (see ScoreKind); null for a dead unit. */
  score: number | null;
  /** The unit was dead (0 on every pattern, as a ReLU unit can be): removed first, exactly. */
  dead?: boolean;
}

export interface PruneOptions {
  /** Compensate every removal by least squares, whatever the criterion. */
  compensate?: boolean;
  /** A helper thread for the activations (same numbers, faster). */
  parallel?: DataParallel | null;
  /** Lay the pruned network out in the old one's memory; the old one must not be used again. */
  inPlace?: boolean;
  /**
   * The pattern set's inputs of the pruned layer, kept while the layers before it are unchanged:
   * with no retraining between removals, only the pruned layer on runs for the activations.
   */
  cache?: FeatureCache | null;
}

export function pruneOnce(
  net: Network,
  layer: string,
  criterion: Criterion,
  patterns: Split,
  rng: Rng,
  options: PruneOptions = {},
): { net: Network; removal: Removal } {
  const { compensate = false, parallel, inPlace = false, cache } = options;
  const units = denseUnits(net.arch, layer);
  const { acts, grads } = layerActivations(
    net,
    layer,
    patterns,
    criterion.needsGradients,
    parallel,
    cache,
  );
  // a unit that is 0 on every pattern adds nothing to the next layer: the cheapest removal for
  // every criterion, and exact (no compensation needed)
  const dead = firstDeadUnit(acts, patterns.n, units);
  if (dead >= 0 && units > 1)
    return {
      net: removeUnits(net, layer, [dead], [], inPlace),
      removal: { removed: [dead], mergedInto: null, score: null, dead: true },
    };
  const cosine =
    criterion.needsCosine || compensate ? cosineSimilarityMatrix(acts, patterns.n, units) : null;
  const choice = criterion.choose({
    net,
    layer,
    units,
    acts,
    patterns: patterns.n,
    cosine,
    grads,
    rng,
    activation: activationAfter(net.arch, layer),
  });
  let merges = choice.merges;
  if (compensate && criterion.name !== 'merge') {
    const partner = choice.mergedInto ?? undefined;
    merges = leastSquaresMerges(acts, patterns.n, units, choice.removed, cosine!, partner);
  }
  const mergedInto = merges.length === 1 ? merges[0].into : choice.mergedInto;
  return {
    net: removeUnits(net, layer, choice.removed, merges, inPlace),
    removal: { removed: choice.removed, mergedInto, score: choice.score },
  };
}

/** The first unit whose activation is exactly 0 on every pattern, or -1. */
export function firstDeadUnit(acts: Float64Array, rows: number, units: number): number {
  const alive = new Uint8Array(units);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) if (acts[r * units + u] !== 0) alive[u] = 1;
  return alive.indexOf(0);
}

/** Which step of which run: its random choices come from (seed, step). */
export interface StepPlace {
  /** Neurons to remove (never the last one). */
  count: number;
  seed: number;
  step: number;
}

/** Removes up to `place.count` neurons; returns the new network and what went. */
export function pruneStep(
  net: Network,
  layer: string,
  criterion: Criterion,
  patterns: Split,
  place: StepPlace,
  options: PruneOptions = {},
): { net: Network; removals: Removal[] } {
  const removals: Removal[] = [];
  const rng = new Rng(place.seed, STREAM.criterion, place.step);
  let removed = 0;
  while (removed < place.count && denseUnits(net.arch, layer) > 1) {
    const r = pruneOnce(net, layer, criterion, patterns, rng, options);
    net = r.net;
    removals.push(r.removal);
    removed += r.removal.removed.length;
  }
  return { net, removals };
}
