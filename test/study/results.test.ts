// results.json assembly and the knee, as pure functions: partial studies (a seed whose baseline
// is still training), the knee's definition, the summary over seeds.
import { describe, expect, it } from 'vitest';
import { parseStudyConfig } from '../../src/config.js';
import { effectiveTolerance, knee, summarize } from '../../src/study/knee.js';
import { upgradeStudyResults } from '../../src/study/legacy.js';
import type { StepRecord } from '../../src/study/records.js';
import { buildResults, STUDY_SCHEMA, type StudyResults } from '../../src/study/results.js';
import type { StudyState } from '../../src/study/state.js';
import { renderStepsCsv } from '../../src/study/steps-csv.js';

const step = (pruned: number, acc: number, before = acc): StepRecord => ({
  step: pruned,
  pruned,
  hidden: 84 - pruned,
  removed: [0],
  mergedInto: null,
  removedIds: [pruned - 1],
  mergedIntoId: null,
  survivingIds: [],
  score: null,
  scoreKind: 'random',
  testAccuracyBeforeRetrain: before,
  testLossBeforeRetrain: 1,
  valAccuracyBeforeRetrain: before,
  testAccuracy: acc,
  testLoss: 1,
  valAccuracy: acc,
  parameters: 100,
  flops: 10,
  seconds: 0.1,
  retrainEpochs: 1,
  recoveryEpochs: 0,
});

describe('knee', () => {
  it('is the largest number pruned still within the tolerance; an early dip does not end it', () => {
    const pts = [
      [1, 0.8],
      [2, 0.78],
      [3, 0.8],
      [4, 0.795],
      [5, 0.7],
      [6, 0.6],
    ].map(([p, a]) => ({ pruned: p, accuracy: a }));
    expect(knee(pts, 0.8, 0.01)).toBe(4);
    expect(knee(pts, 0.9, 0.01)).toBe(0);
    expect(knee(pts, 0.8, 0.25)).toBe(6);
    // against a control that rises (extra training alone), the same curve holds for less
    const control = new Map([1, 2, 3, 4, 5, 6].map((p) => [p, 0.8 + 0.01 * p]));
    expect(knee(pts, 0.8, 0.01, control)).toBe(1);
    // the default tolerance is the test set's noise, never finer than a point
    expect(effectiveTolerance(0, 0.8, 1000)).toBeCloseTo(Math.sqrt(0.16 / 1000), 12);
    expect(effectiveTolerance(0, 0.99, 100000)).toBe(0.01);
    expect(effectiveTolerance(0.03, 0.8, 1000)).toBe(0.03);
  });

  it('summarises seeds with mean and spread and the immediate damage', () => {
    const s = summarize(
      'paper',
      [
        { seed: 1, baseline: 0.8, knee: 0, steps: [step(1, 0.8, 0.78), step(2, 0.7, 0.75)] },
        { seed: 2, baseline: 0.8, knee: 0, steps: [step(1, 0.82, 0.8), step(2, 0.6, 0.7)] },
      ],
      0.01,
    );
    expect(s.steps[0].testAccuracy.mean).toBeCloseTo(0.81, 12);
    expect(s.steps[1].testAccuracy.std).toBeCloseTo(Math.sqrt(0.01 / 2), 12);
    expect(s.knee).toBe(1);
    // damage: (0.8-0.78), (0.8-0.75), (0.8-0.8), (0.82-0.7) in points
    expect(s.immediateDamage.mean).toBeCloseTo((2 + 5 + 0 + 12) / 4, 10);
  });
});

describe('buildResults', () => {
  it('copes with a seed whose baseline is still training (more seeds than threads)', () => {
    const config = parseStudyConfig({ seeds: 3, criterion: ['paper'] });
    const base = {
      seed: 1,
      history: [],
      bestEpoch: 3,
      trainAccuracy: 0.9,
      valAccuracy: 0.8,
      testAccuracy: 0.8,
      testLoss: 0.5,
      hidden: 84,
      parameters: 61706,
      flops: 833000,
      seconds: 1,
      cosine: [],
      loadedFrom: null,
    };
    const state: StudyState = {
      name: 'x',
      config,
      environment: {},
      layer: 'fc2',
      data: {
        name: 'd',
        source: 's',
        classes: ['a', 'b'],
        sizes: { train: 1, val: 1, test: 1 },
        classCounts: { train: [1, 0], val: [1, 0], test: [1, 0] },
        mean: [0],
        std: [1],
      },
      baselines: new Map([
        [1, base],
        [2, { ...base, seed: 2, testAccuracy: 0.82 }],
      ]),
      runs: new Map([
        [
          'paper-s1',
          { criterion: 'paper', seed: 1, steps: [step(1, 0.8)], oneShot: [], complete: false },
        ],
        ['paper-s2', { criterion: 'paper', seed: 2, steps: [], oneShot: [], complete: false }],
        ['paper-s3', { criterion: 'paper', seed: 3, steps: [], oneShot: [], complete: false }],
      ]),
      control: new Map(),
      failures: [],
      status: 'running',
      startedAt: 'now',
      seconds: 1,
    };
    const r = buildResults(state);
    expect(r.baseline.testAccuracy).toBeCloseTo(0.81, 12);
    expect(r.summary.criteria[0].seeds).toBe(1);
    expect(r.runs).toHaveLength(3);
    expect(renderStepsCsv(r).trim().split('\n')).toHaveLength(2);
  });
});

describe('results of earlier versions', () => {
  it("reads a prunelab.study/1 file as today's: strategy as criterion, similarity as score", () => {
    const old = {
      schema: 'prunelab.study/1',
      config: { strategy: ['paper', 'magnitude'], seeds: 1 },
      runs: [
        {
          strategy: 'paper',
          seed: 1,
          steps: [{ ...step(1, 0.8), score: undefined, similarity: 0.93 }],
        },
        {
          strategy: 'magnitude',
          seed: 1,
          steps: [{ ...step(1, 0.8), score: undefined, similarity: 1.5 }],
        },
      ],
      summary: { criteria: [{ strategy: 'paper', knee: 3 }], control: [] },
    };
    const r = upgradeStudyResults(JSON.parse(JSON.stringify(old))) as StudyResults;
    expect(r.schema).toBe(STUDY_SCHEMA);
    expect(r.config.criterion).toEqual(['paper', 'magnitude']);
    expect(r.runs.map((run) => run.criterion)).toEqual(['paper', 'magnitude']);
    expect(r.runs[0].steps[0].score).toBe(0.93);
    expect(r.runs[0].steps[0].scoreKind).toBe('cosine');
    expect(r.runs[1].steps[0].scoreKind).toBe('l2-norm');
    expect('similarity' in r.runs[0].steps[0]).toBe(false);
    expect(r.summary.criteria[0].criterion).toBe('paper');
  });

  it('leaves a current file as it is', () => {
    const current = { schema: STUDY_SCHEMA, runs: [] };
    expect(upgradeStudyResults(current)).toBe(current);
  });
});

describe('the schema of results.json', () => {
  it('is committed up to date (npm run schema), and accepts what the study writes', async () => {
    const { readFileSync } = await import('node:fs');
    const { resultsJsonSchema, resultsProblem } = await import('../../src/study/results-schema.js');
    const committed = readFileSync(
      new URL('../../docs/results.schema.json', import.meta.url),
      'utf8',
    );
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(resultsJsonSchema())));
    expect(resultsProblem({ schema: 'prunelab.study/2' })).toMatch(/^name: /);
  });

  it('the example configuration parses', async () => {
    const { readConfigFile } = await import('../../src/config.js');
    const file = new URL('../../docs/example-config.json', import.meta.url).pathname;
    const cfg = parseStudyConfig(readConfigFile(file));
    expect(cfg.criterion).toEqual(['paper', 'merge', 'random']);
    expect(cfg.saveSteps).toEqual([10, 40]);
  });
});
