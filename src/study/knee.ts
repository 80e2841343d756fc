// The redundancy estimate (the knee) and the per-criterion summary over seeds.
import type { OneShotPoint } from './one-shot.js';
import type { StepRecord } from './records.js';

/**
 * The largest number of pruned neurons at which test accuracy is still within `tolerance` of the
 * reference (0 when it never is): the baseline, or, where there is one, the control's accuracy at
 * the same point (`reference` by units pruned), so that what extra training alone gains is not
 * taken for redundancy. A dip within noise early on does not end the redundant region: the knee
 * is where the curve leaves the band for the last time.
 */
export function knee(
  points: { pruned: number; accuracy: number }[],
  baseline: number,
  tolerance: number,
  reference?: Map<number, number>,
): number {
  let k = 0;
  for (const p of points) {
    const against = reference?.get(p.pruned) ?? baseline;
    if (p.accuracy >= against - tolerance - 1e-12 && p.pruned > k) k = p.pruned;
  }
  return k;
}

/** The binomial standard error of an accuracy measured on `images` test images. */
export function accuracyError(accuracy: number, images: number): number {
  return Math.sqrt((accuracy * (1 - accuracy)) / Math.max(images, 1));
}

/** The tolerance in force: the configured one, or (0) the test set's noise, at least 0.01. */
export function effectiveTolerance(configured: number, accuracy: number, images: number): number {
  if (configured > 0) return configured;
  const noise = accuracyError(accuracy, images);
  return Number.isFinite(noise) ? Math.max(0.01, noise) : 0.01;
}

export function meanStd(xs: number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std };
}

export interface CriterionSummary {
  criterion: string;
  seeds: number;
  steps: {
    pruned: number;
    hidden: number;
    n: number;
    testAccuracy: { mean: number; std: number };
    testAccuracyBeforeRetrain: { mean: number; std: number };
    parameters: number;
    flops: number;
  }[];
  /**
   * Knee of the mean curve against the mean baseline, with tolerance max(tolerance, the seeds'
   * baseline spread): kneeTolerance.
   */
  knee: number;
  /** The tolerance of the mean curve's knees (absent in results written before it was kept). */
  kneeTolerance?: number;
  /** The knee with the band moved by the test set's noise (one standard error) either way. */
  kneeRange: [number, number];
  kneePerSeed: { mean: number; std: number };
  /** Mean drop of test accuracy caused by a removal, before retraining (percentage points). */
  immediateDamage: { mean: number; std: number };
  /**
   * The curve with no retraining at all: its mean over seeds, and knees as above; absent when no
   * run has one (--no-one-shot).
   */
  oneShot?: {
    steps: {
      pruned: number;
      hidden: number;
      n: number;
      testAccuracy: { mean: number; std: number };
    }[];
    knee: number;
    kneePerSeed: { mean: number; std: number };
  };
}

/** Points of several seeds' curves gathered by the number of units pruned. */
function byPruned<T extends { pruned: number }>(curves: T[][]): [number, T[]][] {
  const groups = new Map<number, T[]>();
  for (const curve of curves) {
    for (const point of curve) {
      const group = groups.get(point.pruned) ?? [];
      group.push(point);
      groups.set(point.pruned, group);
    }
  }
  return [...groups].sort((a, b) => a[0] - b[0]);
}

/** The one-shot curves of a criterion's seeds: mean curve and knees. */
function summarizeOneShot(
  runs: { oneShot: OneShotPoint[]; baseline: number }[],
  tolerance: number,
  baseTolerance: number,
  baseMean: number,
): NonNullable<CriterionSummary['oneShot']> {
  const steps = byPruned(runs.map((r) => r.oneShot)).map(([pruned, points]) => ({
    pruned,
    hidden: points[0].hidden,
    n: points.length,
    testAccuracy: meanStd(points.map((p) => p.testAccuracy)),
  }));
  const full = steps.filter((s) => s.n === runs.length);
  const curve = full.map((s) => ({ pruned: s.pruned, accuracy: s.testAccuracy.mean }));
  const perSeed = runs.map((r) =>
    knee(
      r.oneShot.map((p) => ({ pruned: p.pruned, accuracy: p.testAccuracy })),
      r.baseline,
      tolerance,
    ),
  );
  return { steps, knee: knee(curve, baseMean, baseTolerance), kneePerSeed: meanStd(perSeed) };
}

export function summarize(
  criterion: string,
  runs: {
    seed: number;
    steps: StepRecord[];
    knee: number;
    baseline: number;
    oneShot?: OneShotPoint[];
  }[],
  tolerance: number,
  /**
   * The control's mean accuracy by units pruned, which the mean curve's knee is measured against.
   */
  reference?: Map<number, number>,
  /** The test set's noise (standard error of the baseline's accuracy), for the knee's range. */
  noise = 0,
): CriterionSummary {
  const byPruned = new Map<number, StepRecord[]>();
  for (const r of runs)
    for (const s of r.steps) {
      if (!byPruned.has(s.pruned)) byPruned.set(s.pruned, []);
      byPruned.get(s.pruned)!.push(s);
    }
  const steps = [...byPruned]
    .sort((a, b) => a[0] - b[0])
    .map(([pruned, ss]) => ({
      pruned,
      hidden: ss[0].hidden,
      n: ss.length,
      testAccuracy: meanStd(ss.map((s) => s.testAccuracy)),
      testAccuracyBeforeRetrain: meanStd(ss.map((s) => s.testAccuracyBeforeRetrain)),
      parameters: ss[0].parameters,
      flops: ss[0].flops,
    }));
  const base = meanStd(runs.map((r) => r.baseline));
  const tol = Math.max(tolerance, runs.length > 1 ? base.std : 0);
  // only steps every seed has reached count for the mean curve's knee
  const full = steps.filter((s) => s.n === runs.length);
  const damage: number[] = [];
  for (const r of runs) {
    let prev = r.baseline;
    for (const s of r.steps) {
      damage.push(100 * (prev - s.testAccuracyBeforeRetrain));
      prev = s.testAccuracy;
    }
  }
  const mean = full.map((s) => ({ pruned: s.pruned, accuracy: s.testAccuracy.mean }));
  return {
    criterion,
    seeds: runs.length,
    steps,
    knee: knee(mean, base.mean, tol, reference),
    kneeTolerance: tol,
    kneeRange: [
      knee(mean, base.mean, Math.max(0, tol - noise), reference),
      knee(mean, base.mean, tol + noise, reference),
    ],
    kneePerSeed: meanStd(runs.map((r) => r.knee)),
    immediateDamage: meanStd(damage),
    ...(runs.some((r) => r.oneShot?.length)
      ? {
          oneShot: summarizeOneShot(
            runs.map((r) => ({ oneShot: r.oneShot ?? [], baseline: r.baseline })),
            tolerance,
            tol,
            base.mean,
          ),
        }
      : {}),
  };
}

/** The retrained curves' highest mean accuracy above a reference, with where it was reached. */
export interface Rise {
  points: number;
  criterion: string;
  pruned: number;
}

/**
 * How far the retrained mean curves climb above `reference` (the baseline's test accuracy), or
 * null if none does. With no control, a climb beyond the tolerance says the baseline was not
 * converged: the knees measured against it then flatter the pruning.
 */
export function highestRise(criteria: CriterionSummary[], reference: number): Rise | null {
  let best: Rise | null = null;
  for (const c of criteria) {
    for (const s of c.steps) {
      const points = 100 * (s.testAccuracy.mean - reference);
      if (points > 0 && (!best || points > best.points)) {
        best = { points, criterion: c.criterion, pruned: s.pruned };
      }
    }
  }
  return best;
}

/**
 * The tolerance of the mean curves' knees: the study's, or wider where several seeds' baselines
 * spread more than it (see summarize).
 */
export function meanCurveTolerance(criteria: CriterionSummary[], tolerance: number): number {
  return Math.max(tolerance, ...criteria.map((c) => c.kneeTolerance ?? tolerance));
}
