// `prunelab study`, the study loop: plans the tasks (a baseline per seed, then one pruning run per
// criterion and the control), hands them to a task runner (the local worker pool unless another
// is given), folds their events into the study's state and rewrites results.json and steps.csv as
// steps arrive. A task that fails is recorded (results.json's failures) while the others go on.
// resumeStudy continues an interrupted run directory to the same numbers. Writing
// the report is the caller's (src/report/), so the study knows nothing of figures.
import { join, resolve } from 'node:path';
import type { StudyConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import { checkKernels } from '../engine/backend.js';
import { describeData } from '../data/summary.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { environment, resolveThreads } from '../util/env.js';
import { InterruptedError, UserError } from '../util/errors.js';
import { inOutputDir } from '../util/folders.js';
import { readJson } from '../util/json.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { runLrSweep, type SweepResults } from './lr-sweep.js';
import { lockRunDir } from './lock.js';
import { studyData } from './study-data.js';
import { planStudy, type StudyPlan } from './plan.js';
import { LocalPool } from './pool.js';
import { buildResults, type StudyResults } from './results.js';
import {
  loadStudyConfig,
  newStudyDir,
  previousStart,
  saveStudyConfig,
  studyName,
} from './run-dir.js';
import type { TaskRunner } from './runner.js';
import { applyEvent, applyOutcome, initialState, type TaskFailure } from './state.js';
import { renderStepsCsv } from './steps-csv.js';
import { StudyProgress } from './study-progress.js';
import { headerText } from './summary-text.js';
import { taskId, type StudyTask } from './task.js';

export interface StudyOptions {
  /** Continue the study in this run directory (its config.json) instead of starting one. */
  resumeDir?: string;
  /** Runs the tasks; default: a pool of worker threads on this machine. */
  runner?: TaskRunner;
}

export interface StudyRun {
  dir: string;
  results: StudyResults;
}

/** --lr auto: the sweep's best rate, in its own folder of the run directory. */
async function chooseLearningRate(
  cfg: StudyConfig,
  dir: string,
  progress: ProgressReporter,
): Promise<StudyConfig> {
  const sweepDir = join(dir, 'lr-sweep');
  // a resumed study reuses its sweep
  const sweep =
    readJson<SweepResults>(join(sweepDir, 'results.json')) ??
    (await runLrSweep({ ...cfg, out: undefined }, cfg.lrs, progress, sweepDir));
  if (sweep.best === null) {
    throw new UserError(
      `every learning rate of the sweep diverged (${cfg.lrs.join(', ')}); ` +
        'give smaller ones with --lrs or set --lr',
    );
  }
  progress.info(`learning rate ${sweep.best} chosen by the sweep (see ${sweepDir})`);
  return { ...cfg, lr: sweep.best };
}

/**
 * One task per core; a core left over gives each task a data-parallel helper thread. The pool is
 * sized from the configuration alone, as it starts before the data is loaded: a seed's tasks after
 * its baseline are a run per criterion and the control (planStudy drops the control only when
 * there is nothing to prune, and then a worker idles).
 */
function localRunner(cfg: StudyConfig, threads: number) {
  const control = cfg.control && cfg.retrainEpochs > 0 ? 1 : 0;
  const perSeed = Math.max(1, cfg.criterion.length + control);
  const size = Math.max(1, Math.min(threads, cfg.seeds * perSeed));
  const runner = new LocalPool(size);
  return { runner, helpers: Math.floor(threads / size) >= 2 ? 1 : 0 };
}

export async function runStudy(
  config: StudyConfig,
  progress: ProgressReporter = silentProgress,
  options: StudyOptions = {},
): Promise<StudyRun> {
  const dir = options.resumeDir ? resolve(options.resumeDir) : newStudyDir(config);
  const t0 = performance.now();
  checkKernels();
  const flag = options.resumeDir ? '--resume' : '--out';
  // a study that fails before writing anything leaves no folder behind
  return inOutputDir(
    dir,
    flag,
    async () => {
      const release = lockRunDir(dir);
      try {
        return await studyIn(dir, config, progress, options, t0);
      } finally {
        release();
      }
    },
    (file) => file === '.lock',
  );
}

async function studyIn(
  dir: string,
  config: StudyConfig,
  progress: ProgressReporter,
  options: StudyOptions,
  t0: number,
): Promise<StudyRun> {
  const threads = resolveThreads(config.threads);
  // the pool's workers start, and load their code, while the data loads here
  const local = options.runner ? null : localRunner(config, threads);
  const runner = options.runner ?? local!.runner;
  let data: PreparedData;
  let plan: StudyPlan;
  let cfg: StudyConfig;
  try {
    // bad data or a bad layer fail here, before anything is written
    data = await studyData(config);
    plan = planStudy(config, data);
    local?.runner.share({ cfg: config, prepared: data });
    cfg = config.lrAuto ? await chooseLearningRate(config, dir, progress) : config;
  } catch (err) {
    await local?.runner.close();
    throw err;
  }
  if (!options.resumeDir) saveStudyConfig(dir, cfg);
  const state = initialState(
    {
      name: studyName(dir),
      config: cfg,
      environment: environment(threads),
      data: describeData(data),
      layer: plan.layer,
      startedAt: (options.resumeDir && previousStart(dir)) || new Date().toISOString(),
    },
    plan,
  );
  const write = (): StudyResults => {
    state.seconds = (performance.now() - t0) / 1000;
    const results = buildResults(state);
    writeJsonAtomic(join(dir, 'results.json'), results);
    writeFileAtomic(join(dir, 'steps.csv'), renderStepsCsv(results));
    return results;
  };
  progress.info(headerText(dir, cfg, data, plan, options.runner?.where ?? `${threads} thread(s)`));
  if (plan.assumed) progress.info(plan.assumed);
  if (plan.splitWarning) progress.info(plan.splitWarning);
  const sizes = {
    train: data.train.n,
    val: data.val.n,
    test: data.test.n,
    patterns: cfg.patterns > 0 ? Math.min(cfg.patterns, data.train.n) : data.train.n,
  };
  const shown = new StudyProgress(progress, cfg, plan, sizes, state, write);
  const execute = async (task: StudyTask, helpers: number) => {
    const outcome = await runner.run({ task, cfg, dir, helpers }, (event) => {
      applyEvent(state, event);
      shown.onEvent(event);
    });
    applyOutcome(state, task, outcome);
    shown.onOutcome(task, outcome);
    write();
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    progress.stop();
    void runner.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // a task that fails is recorded and the others go on; an interruption stops them all
  const attempt = async (task: StudyTask, helpers: number): Promise<boolean> => {
    try {
      await execute(task, helpers);
      return true;
    } catch (err) {
      if (interrupted || err instanceof InterruptedError) throw err;
      state.failures.push({ task: taskId(task), error: (err as Error).message });
      write();
      return false;
    }
  };
  try {
    // the baselines run before anything else: with fewer seeds than cores, each gets a helper
    const baselineHelpers = plan.seeds.length < threads ? 1 : 0;
    const taskHelpers = local?.helpers ?? 0;
    await Promise.all(
      plan.baselines.map(async (baseline) => {
        const followers = plan.after(baseline.seed);
        if (await attempt(baseline, baselineHelpers)) {
          await Promise.all(followers.map((task) => attempt(task, taskHelpers)));
          return;
        }
        const error = `not run: its baseline (${taskId(baseline)}) failed`;
        for (const task of followers) state.failures.push({ task: taskId(task), error });
      }),
    );
  } catch (err) {
    progress.stop();
    state.status = interrupted ? 'interrupted' : 'failed';
    if (!interrupted) state.error = (err as Error).message;
    write();
    await runner.close();
    if (interrupted) {
      throw new InterruptedError(
        `interrupted; finished steps are saved. Continue with: prunelab study --resume ${dir}`,
      );
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await runner.close();
  progress.stop();
  state.status = state.failures.length ? 'failed' : 'complete';
  if (state.failures.length) state.error = failureText(state.failures);
  return { dir, results: write() };
}

/** One line for the failed tasks: how many, and the first one's error. */
function failureText(failures: TaskFailure[]): string {
  const first = failures[0];
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more, see failures)` : '';
  return `${failures.length} task(s) failed: ${first.task}: ${first.error}${more}`;
}

export async function resumeStudy(
  dir: string,
  progress: ProgressReporter = silentProgress,
  options: Omit<StudyOptions, 'resumeDir'> = {},
): Promise<StudyRun> {
  return runStudy(loadStudyConfig(dir), progress, { ...options, resumeDir: dir });
}
