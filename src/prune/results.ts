// The study's results.json (schema prunelab.study/1) and steps.csv, as pure functions of the
// study state; the study writes them after every step, so an unfinished run has a usable file.
import type { StudyConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import { knee, meanStd, summarize, type CriterionSummary, type StepRecord } from './knee.js';
import type { BaselineResult, ControlPoint } from './tasks.js';

export const STUDY_SCHEMA = 'prunelab.study/1';

export interface StudyState {
  name: string;
  config: StudyConfig;
  environment: Record<string, unknown>;
  data: {
    name: string;
    source: string;
    classes: string[];
    sizes: { train: number; val: number; test: number };
    classCounts: { train: number[]; val: number[]; test: number[] };
    mean: number;
    std: number;
  };
  layer: string;
  baselines: Map<number, BaselineResult>;
  runs: Map<string, { strategy: string; seed: number; steps: StepRecord[]; complete: boolean }>;
  control: Map<number, { seed: number; points: ControlPoint[]; complete: boolean }>;
  status: 'running' | 'complete' | 'interrupted' | 'failed';
  error?: string;
  startedAt: string;
  seconds: number;
}

export interface StudyResults {
  schema: string;
  name: string;
  status: StudyState['status'];
  error?: string;
  config: StudyConfig;
  environment: Record<string, unknown>;
  data: StudyState['data'];
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
  runs: { strategy: string; seed: number; complete: boolean; steps: StepRecord[]; knee: number }[];
  control: { seed: number; complete: boolean; steps: ControlPoint[] }[];
  summary: {
    tolerance: number;
    criteria: CriterionSummary[];
    control: { pruned: number; epochs: number; testAccuracy: { mean: number; std: number } }[];
  };
  timings: { startedAt: string; seconds: number };
}

export function buildResults(s: StudyState): StudyResults {
  const seeds = [...s.baselines.keys()].sort((a, b) => a - b);
  const bases = seeds.map((k) => s.baselines.get(k)!);
  const first = bases[0];
  const base = meanStd(bases.map((b) => b.testAccuracy));
  const runs = [...s.runs.values()].map((r) => ({
    ...r,
    knee: knee(
      r.steps.map((x) => ({ pruned: x.pruned, accuracy: x.testAccuracy })),
      s.baselines.get(r.seed)?.testAccuracy ?? NaN,
      s.config.tolerance,
    ),
  }));
  const strategies = s.config.strategy.filter((st) =>
    runs.some((r) => r.strategy === st && r.steps.length && s.baselines.has(r.seed)),
  );
  // runs whose seed's baseline is still training have nothing to summarise yet
  const started = runs.filter((r) => s.baselines.has(r.seed) && r.steps.length > 0);
  const criteria = strategies.map((st) =>
    summarize(
      st,
      started
        .filter((r) => r.strategy === st)
        .map((r) => ({
          seed: r.seed,
          steps: r.steps,
          knee: r.knee,
          baseline: s.baselines.get(r.seed)!.testAccuracy,
        })),
      s.config.tolerance,
    ),
  );
  const ctrl = new Map<number, ControlPoint[]>();
  for (const c of s.control.values())
    for (const p of c.points) {
      if (!ctrl.has(p.pruned)) ctrl.set(p.pruned, []);
      ctrl.get(p.pruned)!.push(p);
    }
  return {
    schema: STUDY_SCHEMA,
    name: s.name,
    status: s.status,
    ...(s.error ? { error: s.error } : {}),
    config: s.config,
    environment: s.environment,
    data: s.data,
    layer: s.layer,
    baseline: first
      ? {
          testAccuracy: base.mean,
          testAccuracySpread: base.std,
          hidden: first.hidden,
          parameters: first.parameters,
          flops: first.flops,
          history: first.history,
          perSeed: bases.map(({ cosine: _c, ...rest }) => rest),
          cosine: first.cosine,
        }
      : {
          testAccuracy: NaN,
          testAccuracySpread: NaN,
          hidden: 0,
          parameters: 0,
          flops: 0,
          history: [],
          perSeed: [],
          cosine: [],
        },
    runs: runs.map((r) => ({
      strategy: r.strategy,
      seed: r.seed,
      complete: r.complete,
      steps: r.steps,
      knee: r.knee,
    })),
    control: [...s.control.values()].map((c) => ({
      seed: c.seed,
      complete: c.complete,
      steps: c.points,
    })),
    summary: {
      tolerance: s.config.tolerance,
      criteria,
      control: [...ctrl]
        .sort((a, b) => a[0] - b[0])
        .map(([pruned, ps]) => ({
          pruned,
          epochs: ps[0].epochs,
          testAccuracy: meanStd(ps.map((p) => p.testAccuracy)),
        })),
    },
    timings: { startedAt: s.startedAt, seconds: s.seconds },
  };
}

const CSV_COLUMNS = [
  'strategy',
  'seed',
  'step',
  'pruned',
  'hidden',
  'removed',
  'mergedInto',
  'similarity',
  'testAccuracyBeforeRetrain',
  'testAccuracy',
  'valAccuracy',
  'parameters',
  'flops',
  'seconds',
] as const;

export function renderStepsCsv(r: StudyResults): string {
  const esc = (v: unknown) => {
    const t = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const lines = [CSV_COLUMNS.join(',')];
  for (const run of r.runs)
    for (const st of run.steps) {
      const row: Record<string, unknown> = { ...st, strategy: run.strategy, seed: run.seed };
      lines.push(CSV_COLUMNS.map((c) => esc(row[c])).join(','));
    }
  for (const c of r.control)
    for (const p of c.steps) {
      lines.push(
        CSV_COLUMNS.map((col) =>
          esc(
            (
              {
                strategy: 'control',
                seed: c.seed,
                step: p.step,
                pruned: p.pruned,
                hidden: r.baseline.hidden,
                testAccuracy: p.testAccuracy,
                valAccuracy: p.valAccuracy,
                parameters: r.baseline.parameters,
                flops: r.baseline.flops,
                seconds: p.seconds,
              } as Record<string, unknown>
            )[col],
          ),
        ).join(','),
      );
    }
  return lines.join('\n') + '\n';
}
