// The units of work of a study, each run inside a worker thread (or in-process): train or load the
// baseline of one seed; prune with one criterion for one seed; the budget-matched control of one
// seed. Each task checkpoints after every step into its own folder of the run directory, and on a
// rerun continues from its last checkpoint: every random choice is derived from (seed, step, epoch),
// so a resumed task gives exactly the numbers of an uninterrupted one.
import { existsSync, readFileSync, readdirSync, rmSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyConfig, CriterionName } from '../config.js';
import { loadData } from '../data/index.js';
import type { PreparedData, Split } from '../data/types.js';
import { forwardFlops, lenet5, Network, parameterCount } from '../nn/network.js';
import { loadModel, saveModel } from '../nn/model-io.js';
import { evaluate, train, type EpochRecord } from '../train/trainer.js';
import { augmentation, evalBatch } from '../train/run.js';
import { DataParallel } from '../train/parallel.js';
import { FeatureCache } from '../train/features.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { ConfigError } from '../util/errors.js';
import { cosineSimilarityMatrix, layerActivations } from './activations.js';
import { criteria } from './criteria/index.js';
import type { StepRecord } from './knee.js';
import { pruneStep } from './step.js';
import { denseUnits, nextDenseLayer } from './surgery.js';

export type Task =
  | { kind: 'baseline'; seed: number }
  | { kind: 'sweep'; seed: number; lr: number }
  | { kind: 'prune'; seed: number; strategy: CriterionName }
  | { kind: 'control'; seed: number };

export const taskId = (t: Task) =>
  t.kind === 'prune' ? `${t.strategy}-s${t.seed}` : `${t.kind}-s${t.seed}`;

export interface BaselineResult {
  seed: number;
  history: EpochRecord[];
  bestEpoch: number;
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  hidden: number;
  parameters: number;
  flops: number;
  seconds: number;
  /** Cosine similarity of the pruned layer's activation vectors, hidden x hidden, rounded to 1e-4. */
  cosine: number[];
  loadedFrom: string | null;
}

export interface ControlPoint {
  step: number;
  pruned: number;
  epochs: number;
  testAccuracy: number;
  valAccuracy: number;
  seconds: number;
}

export type TaskEvent =
  | { type: 'epoch'; task: string; record: EpochRecord; total: number }
  | { type: 'step'; task: string; record: StepRecord | ControlPoint; restored: boolean }
  | { type: 'done'; task: string; result: unknown };

/** helpers: 1 when this task may use a data-parallel helper thread (a spare core), else 0. */
export interface TaskContext {
  cfg: StudyConfig;
  dir: string;
  emit: (e: TaskEvent) => void;
  helpers: number;
}

let dataCache: { key: string; data: PreparedData } | null = null;
export async function studyData(cfg: StudyConfig): Promise<PreparedData> {
  const key = JSON.stringify([
    cfg.dataset,
    cfg.data,
    cfg.trainSize,
    cfg.valSize,
    cfg.testSize,
    cfg.seed,
    cfg.ids,
    cfg.firstIds,
    cfg.skipBadImages,
    cfg.featuresAsImages,
  ]);
  if (dataCache?.key !== key) dataCache = { key, data: await loadData(cfg) };
  return dataCache.data;
}

export function patternSet(cfg: StudyConfig, data: PreparedData): Split {
  const n = cfg.patterns > 0 ? Math.min(cfg.patterns, data.train.n) : data.train.n;
  const size = data.inputShape[0] * data.inputShape[1] * data.inputShape[2];
  return { x: data.train.x.subarray(0, n * size), y: data.train.y.subarray(0, n), n };
}

export function prunedLayer(cfg: StudyConfig, net: Network): string {
  if (cfg.layer) return cfg.layer;
  const dense = net.arch.layers
    .filter((l) => l.kind === 'dense')
    .map((l) => (l as { name: string }).name);
  if (dense.length < 2)
    throw new ConfigError('the model has a single dense layer; nothing to prune');
  return dense[dense.length - 2];
}

/** Steps of a run: how many neurons each removes, up to maxPruned (default all but one). */
export function stepPlan(cfg: StudyConfig, hidden: number): number[] {
  const total = Math.min(cfg.maxPruned > 0 ? cfg.maxPruned : hidden - 1, hidden - 1);
  const plan: number[] = [];
  for (let done = 0; done < total; done += cfg.perStep)
    plan.push(Math.min(cfg.perStep, total - done));
  return plan;
}

const retrainOpts = (cfg: StudyConfig, seed: number) => ({
  ...cfg,
  epochs: cfg.retrainEpochs,
  seed,
});

/** A JSON file's content, or null when it is missing or unreadable (a checkpoint to redo). */
export function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function baselineModelPath(dir: string, seed: number) {
  return join(dir, `baseline-s${seed}`, 'model.safetensors');
}

export async function runBaseline(ctx: TaskContext, seed: number): Promise<BaselineResult> {
  const { cfg, dir } = ctx,
    id = `baseline-s${seed}`,
    folder = join(dir, id);
  const done = readJson<BaselineResult>(join(folder, 'result.json'));
  if (done && existsSync(baselineModelPath(dir, seed))) {
    ctx.emit({ type: 'done', task: id, result: done });
    return done;
  }
  const data = await studyData(cfg);
  const t0 = performance.now();
  let net: Network,
    history: EpochRecord[] = [],
    bestEpoch = 0;
  if (cfg.model) {
    net = loadModel(cfg.model, evalBatch(cfg.batch), cfg.backend);
    if (net.classes !== data.classes.length)
      throw new ConfigError(
        `${cfg.model} has ${net.classes} outputs but the data has ${data.classes.length} classes`,
      );
  } else {
    net = new Network(
      lenet5({ classes: data.classes.length, output: cfg.output, input: data.inputShape }),
      evalBatch(cfg.batch),
      cfg.backend,
    );
    net.initialize(seed);
    const parallel = await helper(ctx, net);
    try {
      const r = train(
        net,
        data.train,
        data.val,
        { ...cfg, seed },
        {
          parallel,
          epochTrain: augmentation(cfg, data, seed, [0]),
          onEpoch: (record) => ctx.emit({ type: 'epoch', task: id, record, total: cfg.epochs }),
        },
      );
      history = r.history;
      bestEpoch = r.bestEpoch;
    } finally {
      await parallel?.close();
    }
  }
  const layer = prunedLayer(cfg, net);
  nextDenseLayer(net.arch, layer);
  const hidden = denseUnits(net.arch, layer);
  const pats = patternSet(cfg, data);
  const cos = cosineSimilarityMatrix(layerActivations(net, layer, pats).acts, pats.n, hidden);
  const result: BaselineResult = {
    seed,
    history,
    bestEpoch,
    trainAccuracy: evaluate(net, data.train).accuracy,
    valAccuracy: evaluate(net, data.val).accuracy,
    ...(({ accuracy, loss }) => ({ testAccuracy: accuracy, testLoss: loss }))(
      evaluate(net, data.test),
    ),
    hidden,
    parameters: parameterCount(net.arch),
    flops: forwardFlops(net.arch),
    seconds: (performance.now() - t0) / 1000,
    cosine: Array.from(cos, (c) => Math.round(c * 1e4) / 1e4),
    loadedFrom: cfg.model ?? null,
  };
  saveModel(baselineModelPath(dir, seed), net);
  writeJsonAtomic(join(folder, 'result.json'), result);
  ctx.emit({ type: 'done', task: id, result });
  return result;
}

interface Checkpoint<T> {
  step: number;
  model: string;
  records: T[];
  complete: boolean;
}

function saveCheckpoint<T>(
  folder: string,
  net: Network,
  step: number,
  records: T[],
  complete: boolean,
): void {
  const model = `step-${step}.safetensors`;
  saveModel(join(folder, model), net);
  writeJsonAtomic(join(folder, 'checkpoint.json'), {
    step,
    model,
    records,
    complete,
  } satisfies Checkpoint<T>);
  for (const f of readdirSync(folder))
    if (/^step-\d+\.safetensors$/.test(f) && f !== model) rmSync(join(folder, f), { force: true });
  if (complete) copyFileSync(join(folder, model), join(folder, 'model.safetensors'));
}

function restore<T>(
  ctx: TaskContext,
  id: string,
  folder: string,
): { net: Network | null; records: T[]; complete: boolean } {
  const cp = readJson<Checkpoint<T>>(join(folder, 'checkpoint.json'));
  if (!cp || !existsSync(join(folder, cp.model)))
    return { net: null, records: [], complete: false };
  for (const r of cp.records)
    ctx.emit({ type: 'step', task: id, record: r as StepRecord, restored: true });
  return {
    net: loadModel(join(folder, cp.model), evalBatch(ctx.cfg.batch), ctx.cfg.backend),
    records: cp.records,
    complete: cp.complete,
  };
}

export async function runPrune(
  ctx: TaskContext,
  seed: number,
  strategy: CriterionName,
): Promise<StepRecord[]> {
  const { cfg, dir } = ctx,
    id = `${strategy}-s${seed}`,
    folder = join(dir, id);
  const criterion = criteria[strategy];
  const data = await studyData(cfg),
    pats = patternSet(cfg, data);
  const restored = restore<StepRecord>(ctx, id, folder);
  const records = restored.records;
  if (restored.complete) {
    ctx.emit({ type: 'done', task: id, result: records });
    return records;
  }
  const base = loadModel(baselineModelPath(dir, seed), evalBatch(cfg.batch), cfg.backend);
  let net = restored.net ?? base;
  const layer = prunedLayer(cfg, base);
  const parallel = await helper(ctx, base);
  const cache = new FeatureCache(); // removals leave the convolutions, and so their features, unchanged
  try {
    const total = stepPlan(cfg, denseUnits(base.arch, layer)).reduce((a, b) => a + b, 0);
    let pruned = records.length ? records[records.length - 1].pruned : 0;
    let valPrev = records.length
      ? records[records.length - 1].valAccuracy
      : evaluate(net, data.val, parallel, cache).accuracy;
    for (let step = records.length + 1; pruned < total; step++) {
      const t0 = performance.now();
      const r = pruneStep(
        net,
        layer,
        criterion,
        pats,
        Math.min(cfg.perStep, total - pruned),
        seed,
        step,
        cfg.compensate,
        parallel,
      );
      net = r.net;
      pruned += r.removals.reduce((s, x) => s + x.removed.length, 0);
      const before = evaluate(net, data.test, parallel, cache),
        valBefore = evaluate(net, data.val, parallel, cache);
      const rt =
        cfg.retrainEpochs > 0
          ? train(net, data.train, data.val, retrainOpts(cfg, seed), {
              stream: [step],
              initialVal: valBefore,
              parallel,
              cache,
              epochTrain: augmentation(cfg, data, seed, [step]),
            })
          : null;
      const after = evaluate(net, data.test, parallel, cache),
        val = rt ? { accuracy: rt.bestValAccuracy } : valBefore;
      const record: StepRecord = {
        step,
        pruned,
        hidden: denseUnits(net.arch, layer),
        removed: r.removals.flatMap((x) => x.removed),
        mergedInto: r.removals.length === 1 ? r.removals[0].mergedInto : null,
        similarity: r.removals[0]?.similarity ?? null,
        testAccuracyBeforeRetrain: before.accuracy,
        testLossBeforeRetrain: before.loss,
        valAccuracyBeforeRetrain: valBefore.accuracy,
        testAccuracy: after.accuracy,
        testLoss: after.loss,
        valAccuracy: val.accuracy,
        parameters: parameterCount(net.arch),
        flops: forwardFlops(net.arch),
        seconds: (performance.now() - t0) / 1000,
        retrainEpochs: cfg.retrainEpochs,
        recoveryEpochs: recovery(
          valPrev,
          valBefore.accuracy,
          rt?.history.map((h) => h.valAccuracy) ?? [],
          cfg.tolerance,
        ),
      };
      valPrev = val.accuracy;
      records.push(record);
      const complete = pruned >= total || record.hidden <= 1;
      saveCheckpoint(folder, net, step, records, complete);
      ctx.emit({ type: 'step', task: id, record, restored: false });
      if (complete) break;
    }
    if (total === 0) saveCheckpoint(folder, net, 0, records, true);
  } finally {
    await parallel?.close();
  }
  ctx.emit({ type: 'done', task: id, result: records });
  return records;
}

/** The unpruned baseline trained on for the same epochs as the pruned runs, evaluated at the same points. */
export async function runControl(ctx: TaskContext, seed: number): Promise<ControlPoint[]> {
  const { cfg, dir } = ctx,
    id = `control-s${seed}`,
    folder = join(dir, id);
  const data = await studyData(cfg);
  const restored = restore<ControlPoint>(ctx, id, folder);
  const records = restored.records;
  if (restored.complete) {
    ctx.emit({ type: 'done', task: id, result: records });
    return records;
  }
  let net =
    restored.net ?? loadModel(baselineModelPath(dir, seed), evalBatch(cfg.batch), cfg.backend);
  const plan = stepPlan(cfg, denseUnits(net.arch, prunedLayer(cfg, net)));
  let pruned = plan.slice(0, records.length).reduce((a, b) => a + b, 0);
  const parallel = await helper(ctx, net);
  const cache = new FeatureCache();
  try {
    for (let step = records.length + 1; step <= plan.length; step++) {
      const t0 = performance.now();
      pruned += plan[step - 1];
      const valBefore = evaluate(net, data.val, parallel, cache);
      const rt = train(net, data.train, data.val, retrainOpts(cfg, seed), {
        stream: [step],
        initialVal: valBefore,
        parallel,
        cache,
        epochTrain: augmentation(cfg, data, seed, [step]),
      });
      const record: ControlPoint = {
        step,
        pruned,
        epochs: step * cfg.retrainEpochs,
        testAccuracy: evaluate(net, data.test, parallel, cache).accuracy,
        valAccuracy: rt.bestValAccuracy,
        seconds: (performance.now() - t0) / 1000,
      };
      records.push(record);
      saveCheckpoint(folder, net, step, records, step === plan.length);
      ctx.emit({ type: 'step', task: id, record, restored: false });
    }
  } finally {
    await parallel?.close();
  }
  ctx.emit({ type: 'done', task: id, result: records });
  return records;
}

function recovery(prev: number, after: number, epochs: number[], tol: number): number | null {
  if (after >= prev - tol) return 0;
  const k = epochs.findIndex((v) => v >= prev - tol);
  return k < 0 ? null : k + 1;
}

async function helper(ctx: TaskContext, net: Network): Promise<DataParallel | null> {
  return ctx.helpers > 0 ? DataParallel.create(net, ctx.cfg.batch) : null;
}

/** One learning rate of a sweep: the baseline trained from the seed; divergence is a result. */
async function runSweep(ctx: TaskContext, seed: number, lr: number) {
  const { cfg } = ctx,
    data = await studyData(cfg),
    t0 = performance.now();
  const net = new Network(
    lenet5({ classes: data.classes.length, output: cfg.output, input: data.inputShape }),
    evalBatch(cfg.batch),
    cfg.backend,
  );
  net.initialize(seed);
  try {
    const r = train(
      net,
      data.train,
      data.val,
      { ...cfg, lr, seed },
      {
        epochTrain: augmentation(cfg, data, seed, [0]),
        onEpoch: (record) =>
          ctx.emit({ type: 'epoch', task: `lr-${lr}`, record, total: cfg.epochs }),
      },
    );
    return {
      lr,
      bestValAccuracy: r.bestValAccuracy,
      bestEpoch: r.bestEpoch,
      testAccuracy: evaluate(net, data.test).accuracy,
      diverged: false,
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (e) {
    if ((e as Error).name !== 'DivergenceError') throw e;
    return {
      lr,
      bestValAccuracy: null,
      bestEpoch: null,
      testAccuracy: null,
      diverged: true,
      seconds: (performance.now() - t0) / 1000,
    };
  }
}

export function runTask(ctx: TaskContext, task: Task): Promise<unknown> {
  if (task.kind === 'sweep') return runSweep(ctx, task.seed, task.lr);
  if (task.kind === 'baseline') return runBaseline(ctx, task.seed);
  if (task.kind === 'control') return runControl(ctx, task.seed);
  return runPrune(ctx, task.seed, task.strategy);
}
