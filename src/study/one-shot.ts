// The one-shot curve of a criterion: test accuracy as units are removed one step at a time from
// the baseline with no retraining at all, the criterion's own compensation only. Cheap (one pass
// over the pattern set and one evaluation per step, the layers before the pruned one cached), and
// where the criteria really differ: retraining after every removal hides the damage a removal does.
import type { StudyConfig } from '../config.js';
import type { PreparedData, Split } from '../data/types.js';
import type { Network } from '../nn/network.js';
import type { Criterion } from '../prune/criteria/index.js';
import { pruneStep } from '../prune/step.js';
import { denseUnits } from '../prune/surgery.js';
import type { FeatureCache } from '../train/features.js';
import type { DataParallel } from '../train/parallel.js';
import { evaluate } from '../train/evaluation.js';
import { stepPlan } from './plan.js';

export interface OneShotPoint {
  pruned: number;
  hidden: number;
  testAccuracy: number;
  testLoss: number;
}

export interface OneShotContext {
  cfg: StudyConfig;
  data: PreparedData;
  patterns: Split;
  layer: string;
  criterion: Criterion;
  seed: number;
  parallel: DataParallel | null;
  cache: FeatureCache;
}

/** The curve from `baseline` (a copy the curve may consume: its memory is reused step by step). */
export function oneShotCurve(context: OneShotContext, baseline: Network): OneShotPoint[] {
  const { cfg, data, patterns, layer, criterion, seed, parallel, cache } = context;
  const plan = stepPlan(cfg, denseUnits(baseline.arch, layer));
  const total = plan.reduce((a, b) => a + b, 0);
  const curve: OneShotPoint[] = [];
  let net = baseline;
  let pruned = 0;
  for (let step = 1; pruned < total; step++) {
    const count = Math.min(cfg.perStep, total - pruned);
    // nothing before the pruned layer changes: its inputs are computed once (the cache)
    const options = { compensate: cfg.compensate, parallel, inPlace: true, cache };
    const removal = pruneStep(net, layer, criterion, patterns, { count, seed, step }, options);
    net = removal.net;
    pruned += removal.removals.reduce((s, r) => s + r.removed.length, 0);
    const test = evaluate(net, data.test, parallel, cache);
    const hidden = denseUnits(net.arch, layer);
    curve.push({ pruned, hidden, testAccuracy: test.accuracy, testLoss: test.loss });
    if (hidden <= 1) break;
  }
  return curve;
}
