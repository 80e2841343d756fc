// The study's results.json (schema prunelab.study/2), a pure function of the study's state; the
// study writes it after every step, so an unfinished run has a usable file. Files of schema
// prunelab.study/1 are read through legacy.ts.
import type { StudyConfig } from '../config.js';
import {
  accuracyError,
  effectiveTolerance,
  knee,
  meanStd,
  summarize,
  type CriterionSummary,
} from './knee.js';
import type { RedundancyEstimates } from '../prune/redundancy.js';
import type { OneShotPoint } from './one-shot.js';
import type { BaselineResult, ControlPoint, StepRecord } from './records.js';
import type { StudyDataSummary, StudyState, StudyStatus, TaskFailure } from './state.js';

export const STUDY_SCHEMA = 'prunelab.study/2';

export interface RedundancyRow {
  estimate: string;
  predictedKnee: number;
  /** predicted - measured, per criterion. */
  error: Record<string, number>;
}

export interface StudyResults {
  schema: string;
  name: string;
  status: StudyStatus;
  error?: string;
  /** The tasks that failed while the others finished (status `failed`). */
  failures?: TaskFailure[];
  config: StudyConfig;
  environment: Record<string, unknown>;
  data: StudyDataSummary;
  layer: string;
  baseline: {
    testAccuracy: number;
    testAccuracySpread: number;
    hidden: number;
    parameters: number;
    flops: number;
    history: BaselineResult['history'];
    perSeed: Omit<BaselineResult, 'cosine'>[];
    cosine: number[];
  };
  runs: {
    criterion: string;
    seed: number;
    complete: boolean;
    steps: StepRecord[];
    knee: number;
    baselineKnee: number;
    oneShot: OneShotPoint[];
    /** Absent when the run has no one-shot curve (--no-one-shot). */
    oneShotKnee?: number;
  }[];
  control: { seed: number; complete: boolean; steps: ControlPoint[] }[];
  summary: {
    /** The tolerance in force (the configured one, or the test set's noise, at least 0.01). */
    tolerance: number;
    /** The standard error of the baseline's test accuracy. */
    testNoise: number | null;
    criteria: CriterionSummary[];
    /**
     * Each redundancy estimate's predicted knee (mean over seeds) and its error against each
     * criterion's knee.
     */
    redundancy: RedundancyRow[];
    control: { pruned: number; epochs: number; testAccuracy: { mean: number; std: number } }[];
  };
  timings: { startedAt: string; seconds: number };
}

const NO_BASELINE: StudyResults['baseline'] = {
  testAccuracy: NaN,
  testAccuracySpread: NaN,
  hidden: 0,
  parameters: 0,
  flops: 0,
  history: [],
  perSeed: [],
  cosine: [],
};

function withoutCosine(baseline: BaselineResult): Omit<BaselineResult, 'cosine'> {
  const rest: Partial<BaselineResult> = { ...baseline };
  delete rest.cosine;
  return rest as Omit<BaselineResult, 'cosine'>;
}

function baselineSummary(state: StudyState): StudyResults['baseline'] {
  const seeds = [...state.baselines.keys()].sort((a, b) => a - b);
  const bases = seeds.map((k) => state.baselines.get(k)!);
  const first = bases[0];
  if (!first) return NO_BASELINE;
  const accuracy = meanStd(bases.map((b) => b.testAccuracy));
  return {
    testAccuracy: accuracy.mean,
    testAccuracySpread: accuracy.std,
    hidden: first.hidden,
    parameters: first.parameters,
    flops: first.flops,
    history: first.history,
    perSeed: bases.map(withoutCosine),
    cosine: first.cosine,
  };
}

/** The control's mean over seeds at every point. */
function controlSummary(state: StudyState): StudyResults['summary']['control'] {
  const byPruned = new Map<number, ControlPoint[]>();
  for (const run of state.control.values()) {
    for (const point of run.points) {
      const points = byPruned.get(point.pruned) ?? [];
      points.push(point);
      byPruned.set(point.pruned, points);
    }
  }
  return [...byPruned]
    .sort((a, b) => a[0] - b[0])
    .map(([pruned, points]) => ({
      pruned,
      epochs: points[0].epochs,
      testAccuracy: meanStd(points.map((p) => p.testAccuracy)),
    }));
}

const ESTIMATES: [string, keyof RedundancyEstimates['predictedKnee']][] = [
  ['99% of the variance', 'variance99'],
  ['99.9% of the variance', 'variance999'],
  ['effective rank', 'effectiveRank'],
  ["Gedeon & Harris' thresholds", 'gedeon'],
  ['dead or constant units', 'dead'],
];

/** The estimates against the measured knees (the one-shot knee of reconstruct is one of them). */
function redundancySummary(state: StudyState, criteria: CriterionSummary[]): RedundancyRow[] {
  const estimates = [...state.baselines.values()].flatMap((b) =>
    b.redundancy ? [b.redundancy] : [],
  );
  if (!estimates.length) return [];
  const rows = ESTIMATES.map(([estimate, key]) => ({
    estimate,
    predictedKnee: meanStd(estimates.map((e) => e.predictedKnee[key])).mean,
  }));
  const reconstruct = criteria.find((c) => c.criterion === 'reconstruct');
  if (reconstruct?.oneShot?.steps.length) {
    rows.push({
      estimate: 'one-shot knee of reconstruct',
      predictedKnee: reconstruct.oneShot.knee,
    });
  }
  return rows.map((row) => ({
    ...row,
    error: Object.fromEntries(criteria.map((c) => [c.criterion, row.predictedKnee - c.knee])),
  }));
}

/** A seed's control: its test accuracy by units pruned. */
function controlCurve(state: StudyState, seed: number): Map<number, number> | undefined {
  const run = state.control.get(seed);
  if (!run?.points.length) return undefined;
  return new Map(run.points.map((p) => [p.pruned, p.testAccuracy]));
}

export function buildResults(state: StudyState): StudyResults {
  const { config } = state;
  const baselineOf = (seed: number) => state.baselines.get(seed)?.testAccuracy;
  const accuracies = [...state.baselines.values()].map((b) => b.testAccuracy);
  const baseMean = meanStd(accuracies).mean;
  const noise = accuracyError(baseMean, state.data.sizes.test);
  const tolerance = effectiveTolerance(config.tolerance, baseMean, state.data.sizes.test);
  const curve = (points: { pruned: number; testAccuracy: number }[]) =>
    points.map((x) => ({ pruned: x.pruned, accuracy: x.testAccuracy }));
  const runs = [...state.runs.values()].map((r) => ({
    criterion: r.criterion,
    seed: r.seed,
    complete: r.complete,
    steps: r.steps,
    // against the control where there is one: extra training alone is not redundancy
    knee: knee(curve(r.steps), baselineOf(r.seed) ?? NaN, tolerance, controlCurve(state, r.seed)),
    // against the baseline: the step whose model is kept as knee.safetensors
    baselineKnee: knee(curve(r.steps), baselineOf(r.seed) ?? NaN, tolerance),
    oneShot: r.oneShot,
    ...(r.oneShot.length
      ? { oneShotKnee: knee(curve(r.oneShot), baselineOf(r.seed) ?? NaN, tolerance) }
      : {}),
  }));
  const controlMean = controlSummary(state);
  const reference = controlMean.length
    ? new Map(controlMean.map((p) => [p.pruned, p.testAccuracy.mean]))
    : undefined;
  // runs whose seed's baseline is still training have nothing to summarise yet
  const started = runs.filter((r) => state.baselines.has(r.seed) && r.steps.length > 0);
  const criteria = config.criterion
    .filter((name) => started.some((r) => r.criterion === name))
    .map((name) => {
      const ofCriterion = started.filter((r) => r.criterion === name);
      const withBaselines = ofCriterion.map((r) => ({ ...r, baseline: baselineOf(r.seed)! }));
      return summarize(
        name,
        withBaselines,
        tolerance,
        reference,
        Number.isFinite(noise) ? noise : 0,
      );
    });
  return {
    schema: STUDY_SCHEMA,
    name: state.name,
    status: state.status,
    ...(state.error ? { error: state.error } : {}),
    ...(state.failures.length ? { failures: state.failures } : {}),
    config,
    environment: state.environment,
    data: state.data,
    layer: state.layer,
    baseline: baselineSummary(state),
    runs,
    control: [...state.control.values()].map((c) => ({
      seed: c.seed,
      complete: c.complete,
      steps: c.points,
    })),
    summary: {
      tolerance,
      testNoise: Number.isFinite(noise) ? noise : null,
      criteria,
      redundancy: redundancySummary(state, criteria),
      control: controlMean,
    },
    timings: { startedAt: state.startedAt, seconds: state.seconds },
  };
}
