// `prunelab study`: the pruning study. Trains (or loads) a baseline per seed, prunes the chosen
// dense layer step by step with every criterion and seed plus a budget-matched control, in
// parallel on worker threads, checkpointing after every step; writes results.json, steps.csv and
// the report. resumeStudy continues an interrupted run directory to the same numbers.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseStudyConfig, type StudyConfig } from '../config.js';
import { loadData } from '../data/index.js';
import { classCounts } from '../data/split.js';
import { lenet5 } from '../nn/network.js';
import { architectureFromState } from '../nn/model-io.js';
import { loadSafetensors } from '../nn/safetensors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { environment, resolveThreads } from '../util/env.js';
import { ConfigError, UserError } from '../util/errors.js';
import type { Progress } from '../cli/progress.js';
import type { StepRecord } from './knee.js';
import { TaskPool } from './pool.js';
import { buildResults, renderStepsCsv, type StudyResults, type StudyState } from './results.js';
import { nextDenseLayer, denseUnits } from './surgery.js';
import {
  readJson,
  stepPlan,
  type BaselineResult,
  type ControlPoint,
  type Task,
  type TaskEvent,
} from './tasks.js';

function defaultDir(cfg: StudyConfig): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${cfg.preset}-${t}`);
}

/** Checks the layer to prune before any work starts. */
function checkLayer(
  cfg: StudyConfig,
  classes: number,
  input: [number, number, number],
): { layer: string; hidden: number } {
  let arch = lenet5({ classes, output: cfg.output, input });
  if (cfg.model) {
    const { state, metadata } = loadSafetensors(cfg.model);
    arch = architectureFromState(state, metadata, cfg.output);
  }
  const dense = arch.layers
    .filter((l) => l.kind === 'dense')
    .map((l) => (l as { name: string }).name);
  const layer = cfg.layer ?? dense[dense.length - 2];
  try {
    nextDenseLayer(arch, layer);
  } catch (e) {
    throw new ConfigError(`--layer: ${(e as Error).message}`);
  }
  return { layer, hidden: denseUnits(arch, layer) };
}

export async function runStudy(
  cfg: StudyConfig,
  progress: Progress,
  resumeDir?: string,
): Promise<StudyResults> {
  const dir = resolve(resumeDir ?? cfg.out ?? defaultDir(cfg));
  if (!resumeDir && existsSync(join(dir, 'config.json'))) {
    throw new UserError(
      `${dir} already holds a study; continue it with --resume ${dir}, or choose another --out`,
    );
  }
  const t0 = performance.now();
  // bad data or a bad layer fail here, before anything is written
  const data = await loadData(cfg);
  const { layer, hidden } = checkLayer(cfg, data.classes.length, data.inputShape);
  mkdirSync(dir, { recursive: true });
  if (cfg.lrAuto) {
    const { runLrSweep } = await import('../train/lr-sweep.js');
    const sweep = await runLrSweep(
      { ...cfg, out: undefined } as never,
      cfg.lrs,
      progress,
      join(dir, 'lr-sweep'),
    );
    if (sweep.best === null)
      throw new UserError(
        `every learning rate of the sweep diverged (${cfg.lrs.join(', ')}); give smaller ones with --lrs or set --lr`,
      );
    cfg = { ...cfg, lr: sweep.best, lrAuto: false };
    progress.info(`learning rate ${cfg.lr} chosen by the sweep (see ${join(dir, 'lr-sweep')})`);
  }
  if (!resumeDir) writeJsonAtomic(join(dir, 'config.json'), cfg);
  const threads = resolveThreads(cfg.threads);
  const seeds = Array.from({ length: cfg.seeds }, (_, k) => cfg.seed + k);
  const plan = stepPlan(cfg, hidden);
  const withControl = cfg.control && cfg.retrainEpochs > 0 && !!plan.length;
  const state: StudyState = {
    name: dir.split(/[\\/]/).pop()!,
    config: cfg,
    environment: environment(threads),
    layer,
    data: {
      name: data.name,
      source: data.source,
      classes: data.classes,
      sizes: { train: data.train.n, val: data.val.n, test: data.test.n },
      classCounts: {
        train: classCounts(data.train.y, data.classes.length),
        val: classCounts(data.val.y, data.classes.length),
        test: classCounts(data.test.y, data.classes.length),
      },
      mean: data.mean,
      std: data.std,
    },
    baselines: new Map(),
    runs: new Map(),
    control: new Map(),
    status: 'running',
    startedAt: new Date().toISOString(),
    seconds: 0,
  };
  if (resumeDir) {
    const prev = readJson<{ timings?: { startedAt?: string } }>(join(dir, 'results.json'));
    if (prev?.timings?.startedAt) state.startedAt = prev.timings.startedAt;
  }
  for (const seed of seeds) {
    for (const st of cfg.strategy)
      state.runs.set(`${st}-s${seed}`, { strategy: st, seed, steps: [], complete: false });
    if (withControl) state.control.set(seed, { seed, points: [], complete: false });
  }
  const write = () => {
    state.seconds = (performance.now() - t0) / 1000;
    const r = buildResults(state);
    writeJsonAtomic(join(dir, 'results.json'), r);
    writeFileAtomic(join(dir, 'steps.csv'), renderStepsCsv(r));
    return r;
  };

  const pruneTasks = cfg.strategy.length + (withControl ? 1 : 0);
  const totalUnits =
    seeds.length * (cfg.model ? 1 : cfg.epochs) + seeds.length * pruneTasks * plan.length;
  let doneUnits = 0,
    status = '';
  progress.info(
    [
      `study ${dir}`,
      `  data ${data.name}: ${data.train.n} train / ${data.val.n} val / ${data.test.n} test images`,
      `  layer ${layer} (${hidden} units): ${plan.length} steps of ${cfg.perStep}, ${cfg.retrainEpochs} retraining epoch(s) each`,
      `  criteria ${cfg.strategy.join(', ')}${withControl ? ' + control' : ''}; ${seeds.length} seed(s); ${threads} thread(s)`,
    ].join('\n'),
  );
  progress.start('study', totalUnits, 'step');
  const tick = (n: number) => {
    doneUnits += n;
    progress.update(doneUnits, status);
  };
  let lastWrite = 0;
  const onEvent = (e: TaskEvent) => {
    if (e.type === 'epoch') {
      status = `base${e.task.replace(/^baseline-s/, '')} ep ${e.record.epoch} ${e.record.valAccuracy.toFixed(3)}`;
      progress.event('epoch', { task: e.task, ...e.record });
      tick(1);
    } else if (e.type === 'step') {
      const { name, seed } = parseTaskId(e.task);
      if (name === 'control') state.control.get(seed)!.points.push(e.record as ControlPoint);
      else state.runs.get(e.task)!.steps.push(e.record as StepRecord);
      const rec = e.record as StepRecord;
      status = `${e.task.replace(/-s(\d+)$/, '$1')} ${rec.pruned}/${hidden} ${rec.testAccuracy.toFixed(3)}`;
      if (!e.restored) progress.event('step', { task: e.task, ...e.record });
      if (
        progress.mode === 'plain' &&
        !e.restored &&
        (rec.step % 10 === 0 || rec.step === plan.length)
      )
        progress.info(
          `  ${e.task} ${rec.pruned}/${hidden} pruned, test accuracy ${rec.testAccuracy.toFixed(3)}`,
        );
      tick(1);
      const now = performance.now();
      if (now - lastWrite > 500) {
        lastWrite = now;
        write();
      }
    } else if (e.type === 'done') {
      const { name, seed } = parseTaskId(e.task);
      if (name === 'baseline') {
        const b = e.result as BaselineResult;
        state.baselines.set(seed, b);
        tick((cfg.model ? 1 : cfg.epochs) - b.history.length);
        progress.info(
          `  baseline s${seed}: test ${b.testAccuracy.toFixed(4)} (best epoch ${b.bestEpoch})`,
        );
      } else if (name === 'control') state.control.get(seed)!.complete = true;
      else {
        const run = state.runs.get(e.task)!;
        run.complete = true;
        tick(plan.length - run.steps.length); // complementary pairs remove two at once: fewer steps
      }
      write();
    }
  };

  // tasks run in parallel, one per core; a core left over gives each task a data-parallel helper
  const poolSize = Math.max(1, Math.min(threads, seeds.length * Math.max(1, pruneTasks)));
  const pool = new TaskPool(poolSize, cfg, dir, Math.floor(threads / poolSize) >= 2 ? 1 : 0);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    progress.stop();
    state.status = 'interrupted';
    void pool.close().then(() => {
      write();
      process.stderr.write(
        `\nprunelab: interrupted; finished steps are saved. Continue with: prunelab study --resume ${dir}\n`,
      );
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await Promise.all(
      seeds.map(async (seed) => {
        // the baselines run before anything else: with fewer seeds than cores, each gets a helper thread
        await pool.run({ kind: 'baseline', seed }, onEvent, seeds.length < threads ? 1 : 0);
        const tasks: Task[] = cfg.strategy.map((strategy) => ({ kind: 'prune', seed, strategy }));
        if (withControl) tasks.push({ kind: 'control', seed });
        await Promise.all(tasks.map((t) => pool.run(t, onEvent)));
      }),
    );
  } catch (err) {
    progress.stop();
    state.status = 'failed';
    state.error = (err as Error).message;
    write();
    await pool.close();
    throw err instanceof UserError
      ? new UserError(
          `${(err as Error).message}\n  (finished steps are saved in ${dir}; fix the cause, then continue with --resume ${dir})`,
        )
      : err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await pool.close();
  progress.stop();
  state.status = 'complete';
  const results = write();
  try {
    const { writeReport } = await import('../report/report.js');
    const report = await writeReport(dir);
    progress.info(`report: ${report}`);
  } catch (err) {
    process.stderr.write(
      `prunelab: the report could not be written (${(err as Error).message}); results.json is complete, retry with: prunelab report ${dir}\n`,
    );
  }
  progress.summary(summaryText(results, dir));
  return results;
}

/** "paper-s3" -> { name: "paper", seed: 3 } (the inverse of taskId). */
function parseTaskId(id: string): { name: string; seed: number } {
  const i = id.lastIndexOf('-s');
  return { name: id.slice(0, i), seed: Number(id.slice(i + 2)) };
}

export function summaryText(r: StudyResults, dir: string): string {
  const lines = [
    `baseline test accuracy ${r.baseline.testAccuracy.toFixed(4)}${r.config.seeds > 1 ? ` ± ${r.baseline.testAccuracySpread.toFixed(4)}` : ''}; ${r.layer} has ${r.baseline.hidden} units`,
  ];
  lines.push(
    `${'criterion'.padEnd(16)} ${'knee'.padStart(5)} ${'damage/step'.padStart(12)}  final acc`,
  );
  for (const c of r.summary.criteria) {
    const last = c.steps[c.steps.length - 1];
    lines.push(
      `${c.strategy.padEnd(16)} ${String(c.knee).padStart(5)} ${(c.immediateDamage.mean.toFixed(2) + ' pt').padStart(12)}  ${last ? last.testAccuracy.mean.toFixed(4) + ` at ${last.hidden} units` : '-'}`,
    );
  }
  const ctl = r.summary.control;
  if (ctl.length)
    lines.push(
      `control (no pruning, same extra epochs): ${ctl[ctl.length - 1].testAccuracy.mean.toFixed(4)} after ${ctl[ctl.length - 1].epochs} epochs`,
    );
  lines.push(
    `knee = most neurons pruned with test accuracy within ${(r.summary.tolerance * 100).toFixed(1)} points of the baseline; results in ${dir}`,
  );
  return lines.join('\n');
}

export async function resumeStudy(dir: string, progress: Progress): Promise<StudyResults> {
  const file = join(dir, 'config.json');
  if (!existsSync(file))
    throw new UserError(
      `${dir} is not a study run directory (no config.json); start a study with prunelab study --out ${dir}`,
    );
  const cfg = parseStudyConfig(JSON.parse(readFileSync(file, 'utf8')));
  return runStudy(cfg, progress, dir);
}
