// Files written by prunelab before version 0.2 read as today's: results.json of schema
// prunelab.study/1 (`strategy` for the criterion, `similarity` for the score) and the pruning
// runs' checkpoints, so `report` and `--resume` work on earlier run folders.
import { CRITERIA } from '../config.js';
import { criteria } from '../prune/criteria/index.js';
import type { ScoreKind } from '../prune/criteria/index.js';
import type { StepRecord } from './records.js';
import { STUDY_SCHEMA } from './results.js';

export const LEGACY_STUDY_SCHEMA = 'prunelab.study/1';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function scoreKindOf(criterion: unknown): ScoreKind | undefined {
  const name = CRITERIA.find((c) => c === criterion);
  return name ? criteria[name].scoreKind : undefined;
}

/** A step record with `similarity` (before 0.2) as one with `score` and `scoreKind`. */
export function upgradeStepRecord(record: StepRecord, scoreKind: ScoreKind): StepRecord {
  const old = record as StepRecord & { similarity?: number | null };
  if (!('similarity' in old)) return record;
  const { similarity, ...rest } = old;
  return { ...rest, score: similarity ?? null, scoreKind };
}

/** `strategy` renamed `criterion` in an object (a run, a summary, a configuration). */
function renameStrategy(value: unknown): unknown {
  if (!isObject(value) || !('strategy' in value)) return value;
  const { strategy, ...rest } = value;
  return { criterion: strategy, ...rest };
}

/** A pruning run of schema 1 with its criterion renamed and its steps upgraded. */
function upgradeRun(value: unknown): unknown {
  const run = renameStrategy(value);
  if (!isObject(run) || !Array.isArray(run.steps)) return run;
  const kind = scoreKindOf(run.criterion) ?? 'random';
  const steps = (run.steps as StepRecord[]).map((s) => upgradeStepRecord(s, kind));
  return { ...run, steps };
}

/**
 * A results.json of schema prunelab.study/1 in today's form; other values are returned as they are.
 */
export function upgradeStudyResults(value: unknown): unknown {
  if (!isObject(value) || value.schema !== LEGACY_STUDY_SCHEMA) return value;
  const summary = isObject(value.summary) ? value.summary : {};
  const criteriaSummary: unknown = Array.isArray(summary.criteria)
    ? (summary.criteria as unknown[]).map(renameStrategy)
    : summary.criteria;
  return {
    ...value,
    schema: STUDY_SCHEMA,
    config: renameStrategy(value.config),
    runs: Array.isArray(value.runs) ? (value.runs as unknown[]).map(upgradeRun) : value.runs,
    summary: { ...summary, criteria: criteriaSummary },
  };
}
