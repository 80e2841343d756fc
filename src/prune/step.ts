// One pruning step: compute the layer's activation vectors over the pattern set, let the criterion
// choose, and apply the surgery; repeated `perStep` times (activations recomputed after each
// removal, so every choice sees the network as it now is).
import type { Split } from '../data/types.js';
import { Rng, STREAM } from '../engine/rng.js';
import type { Network } from '../nn/network.js';
import { cosineSimilarityMatrix, layerActivations } from './activations.js';
import type { Criterion } from './criteria/index.js';
import { denseUnits, removeUnits } from './surgery.js';
import { leastSquaresMerges } from './compensate.js';
import type { DataParallel } from '../train/parallel.js';

export interface Removal {
  removed: number[];
  mergedInto: number | null;
  /** The criterion's score for this removal (see ScoreKind). */
  score: number | null;
}

export function pruneOnce(
  net: Network,
  layer: string,
  criterion: Criterion,
  patterns: Split,
  rng: Rng,
  compensate = false,
  parallel?: DataParallel | null,
): { net: Network; removal: Removal } {
  const units = denseUnits(net.arch, layer);
  const { acts, grads } = layerActivations(
    net,
    layer,
    patterns,
    criterion.needsGradients,
    parallel,
  );
  let cosine =
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
  });
  let merges = choice.merges;
  if (compensate && criterion.name !== 'merge')
    merges = leastSquaresMerges(
      acts,
      patterns.n,
      units,
      choice.removed,
      cosine!,
      choice.mergedInto ?? undefined,
    );
  cosine = null;
  const mergedInto = merges.length === 1 ? merges[0].into : choice.mergedInto;
  return {
    net: removeUnits(net, layer, choice.removed, merges),
    removal: { removed: choice.removed, mergedInto, score: choice.score },
  };
}

/** Removes up to `count` neurons (never the last one); returns the new network and what went. */
export function pruneStep(
  net: Network,
  layer: string,
  criterion: Criterion,
  patterns: Split,
  count: number,
  seed: number,
  step: number,
  compensate = false,
  parallel?: DataParallel | null,
) {
  const removals: Removal[] = [];
  const rng = new Rng(seed, STREAM.criterion, step);
  let removed = 0;
  while (removed < count && denseUnits(net.arch, layer) > 1) {
    const r = pruneOnce(net, layer, criterion, patterns, rng, compensate, parallel);
    net = r.net;
    removals.push(r.removal);
    removed += r.removal.removed.length;
  }
  return { net, removals };
}
