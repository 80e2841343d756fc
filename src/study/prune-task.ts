// The pruning loop: one criterion, one random seed. From that seed's baseline (or the task's last
// checkpoint), each step removes units with the criterion, evaluates the damage before retraining,
// retrains, evaluates again, records the step and checkpoints, until the plan's units are gone.
import type { StudyConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { measureSpeed } from '../nn/speed.js';
import { modelMetadata } from '../data/metadata.js';
import { loadModel, saveModel } from '../nn/model-io.js';
import { forwardFlops, parameterCount, type Network } from '../nn/network.js';
import { criteria } from '../prune/criteria/index.js';
import { pruneStep } from '../prune/step.js';
import { denseUnits } from '../prune/surgery.js';
import { evalBatch } from '../train/baseline.js';
import { FeatureCache } from '../train/features.js';
import { evaluate } from '../train/evaluation.js';
import type { TrainResult } from '../train/trainer.js';
import {
  baselineModelPath,
  baselineResultPath,
  restoreCheckpoint,
  commitCheckpoint,
  saveCheckpoint,
  saveStepModel,
  taskFolder,
} from './checkpoint.js';
import { effectiveTolerance } from './knee.js';
import { upgradeStepRecord } from './legacy.js';
import { prunedLayer, stepPlan } from './plan.js';
import type { BaselineResult, StepRecord } from './records.js';
import { retrainStep, type RetrainContext } from './retrain.js';
import { TaskHelper } from './task-helper.js';
import { patternSet, studyData } from './study-data.js';
import type { PruneTask, StudyTaskRequest, TaskEvent } from './task.js';
import { copyFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { oneShotCurve, type OneShotPoint } from './one-shot.js';
import { readJson } from '../util/json.js';
import { stepIds, survivingIds, type StepIds } from './unit-ids.js';

const KNEE_MODEL = 'knee.safetensors';
const ONE_SHOT = 'one-shot.json';

/** Whether --save-steps asks for the model of `step`. */
function keepsStep(cfg: StudyConfig, step: number): boolean {
  return cfg.saveSteps === 'all' || cfg.saveSteps.includes(step);
}

/**
 * The test accuracy of the baseline of this random seed, which the knee model is measured against.
 */
function baselineAccuracy(dir: string, seed: number): number {
  const baseline = readJson<BaselineResult>(baselineResultPath(dir, seed));
  if (!baseline) throw new Error(`the baseline of seed ${seed} is missing from ${dir}`);
  return baseline.testAccuracy;
}

/**
 * Retraining epochs until validation accuracy is back within `tolerance` of its value before the
 * removal (0: it never left; null: not within the budget).
 */
function recoveryEpochs(
  before: number,
  afterRemoval: number,
  epochs: number[],
  tolerance: number,
): number | null {
  if (afterRemoval >= before - tolerance) return 0;
  const k = epochs.findIndex((v) => v >= before - tolerance);
  return k < 0 ? null : k + 1;
}

/** The record of one step, from what was removed and what the evaluations gave. */
function stepRecord(
  cfg: StudyConfig,
  net: Network,
  layer: string,
  facts: {
    step: number;
    pruned: number;
    removals: ReturnType<typeof pruneStep>['removals'];
    ids: StepIds;
    scoreKind: StepRecord['scoreKind'];
    before: { accuracy: number; loss: number };
    valBefore: number;
    after: { accuracy: number; loss: number };
    retrained: TrainResult | null;
    valPrevious: number;
    started: number;
  },
): StepRecord {
  const { removals, retrained } = facts;
  const valAccuracy = retrained ? retrained.bestValAccuracy : facts.valBefore;
  const valHistory = retrained?.history.map((h) => h.valAccuracy) ?? [];
  return {
    step: facts.step,
    pruned: facts.pruned,
    hidden: denseUnits(net.arch, layer),
    removed: removals.flatMap((x) => x.removed),
    mergedInto: removals.length === 1 ? removals[0].mergedInto : null,
    ...facts.ids,
    score: removals[0]?.score ?? null,
    scoreKind: facts.scoreKind,
    ...(removals.length && removals.every((r) => r.dead) ? { dead: true } : {}),
    testAccuracyBeforeRetrain: facts.before.accuracy,
    testLossBeforeRetrain: facts.before.loss,
    valAccuracyBeforeRetrain: facts.valBefore,
    testAccuracy: facts.after.accuracy,
    testLoss: facts.after.loss,
    valAccuracy,
    parameters: parameterCount(net.arch),
    flops: forwardFlops(net.arch),
    seconds: (performance.now() - facts.started) / 1000,
    retrainEpochs: cfg.retrainEpochs,
    recoveryEpochs: recoveryEpochs(facts.valPrevious, facts.valBefore, valHistory, cfg.tolerance),
  };
}

export async function runPruneTask(
  request: StudyTaskRequest,
  task: PruneTask,
  emit: (event: TaskEvent) => void,
): Promise<StepRecord[]> {
  const { cfg, dir } = request;
  const { seed } = task;
  const folder = taskFolder(dir, task);
  const criterion = criteria[task.criterion];
  const data: PreparedData = await studyData(cfg);
  const patterns = patternSet(cfg, data);
  const restored = restoreCheckpoint<StepRecord>(folder, evalBatch(cfg.batch), cfg.backend);
  const records = restored.records.map((r) => upgradeStepRecord(r, criterion.scoreKind));
  for (const record of records) emit({ type: 'step', task, record, restored: true });
  const savedCurve = readJson<OneShotPoint[]>(join(folder, ONE_SHOT));
  if (savedCurve) emit({ type: 'one-shot', task, curve: savedCurve, restored: true });
  if (restored.complete) return records;
  const base = loadModel(baselineModelPath(dir, seed), evalBatch(cfg.batch), cfg.backend);
  let net = restored.net ?? base;
  const layer = prunedLayer(cfg, base.arch);
  const metadata = modelMetadata(data);
  // the exporters (and their protobuf library) load only for a study that exports
  const exporter = cfg.export.length ? await import('../formats/export.js') : null;
  let unitIds = survivingIds(denseUnits(base.arch, layer), records);
  // the knee's model: the last step still within the tolerance of the baseline (at first, the
  // baseline)
  const baseAccuracy = baselineAccuracy(dir, seed);
  const tolerance = effectiveTolerance(cfg.tolerance, baseAccuracy, data.test.n);
  const kneeBand = baseAccuracy - tolerance - 1e-12;
  if (!records.length) {
    saveModel(join(folder, KNEE_MODEL), base, metadata);
    for (const format of cfg.export) {
      exporter!.writeModelAs(base, format, exporter!.exportPath(folder, format, 'knee'), metadata);
    }
  }
  const helper = await TaskHelper.start(request, base);
  // a removal changes only the pruned layer and the next: the pruned layer's inputs stay valid
  const cache = new FeatureCache(layer);
  const context: RetrainContext = { cfg, data, seed, parallel: helper.parallel, cache };
  const keepCurve = (curve: OneShotPoint[]) => {
    writeJsonAtomic(join(folder, ONE_SHOT), curve);
    emit({ type: 'one-shot', task, curve, restored: false });
  };
  try {
    // without retraining, the run itself is the one-shot curve (kept at its end)
    if (!savedCurve && cfg.retrainEpochs > 0 && cfg.oneShot) {
      const copy = loadModel(baselineModelPath(dir, seed), evalBatch(cfg.batch), cfg.backend);
      const parallel = await helper.beforeStep(copy);
      const shot = { cfg, data, patterns, layer, criterion, seed, parallel, cache };
      keepCurve(oneShotCurve(shot, copy));
    }
    const total = stepPlan(cfg, denseUnits(base.arch, layer)).reduce((a, b) => a + b, 0);
    const last = records.at(-1);
    let pruned = last ? last.pruned : 0;
    let valPrevious = last
      ? last.valAccuracy
      : evaluate(net, data.val, helper.parallel, cache).accuracy;
    for (let step = records.length + 1; pruned < total; step++) {
      const started = performance.now();
      const parallel = (context.parallel = await helper.beforeStep(net));
      const count = Math.min(cfg.perStep, total - pruned);
      // the network before this step is not used again: the pruned one takes its memory
      const removal = pruneStep(
        net,
        layer,
        criterion,
        patterns,
        { count, seed, step },
        {
          compensate: cfg.compensate,
          parallel,
          inPlace: true,
          // without retraining the layers before the pruned one never change (the one-shot curve)
          cache: cfg.retrainEpochs === 0 ? cache : null,
        },
      );
      net = removal.net;
      pruned += removal.removals.reduce((s, x) => s + x.removed.length, 0);
      const before = evaluate(net, data.test, parallel, cache);
      const valBefore = evaluate(net, data.val, parallel, cache);
      const retrained = cfg.retrainEpochs > 0 ? retrainStep(context, net, step) : null;
      const after = evaluate(net, data.test, parallel, cache);
      const ids = stepIds(unitIds, removal.removals);
      unitIds = ids.survivingIds;
      const record = stepRecord({ ...cfg, tolerance }, net, layer, {
        step,
        pruned,
        removals: removal.removals,
        ids,
        scoreKind: criterion.scoreKind,
        before,
        valBefore: valBefore.accuracy,
        after,
        retrained,
        valPrevious,
        started,
      });
      valPrevious = record.valAccuracy;
      const complete = pruned >= total || record.hidden <= 1;
      record.modelBytes = statSync(saveStepModel(folder, net, step, metadata)).size;
      if (cfg.speed) Object.assign(record, measureSpeed(net, data.test.x));
      const inKnee = record.testAccuracy >= kneeBand;
      for (const format of cfg.export) {
        const names = [`step-${step}`, ...(inKnee ? ['knee'] : []), ...(complete ? ['final'] : [])];
        for (const name of names) {
          const path = exporter!.exportPath(folder, format, name);
          const bytes = exporter!.writeModelAs(net, format, path, metadata);
          if (format === 'onnx') record.onnxBytes = bytes;
        }
      }
      records.push(record);
      const model = commitCheckpoint(folder, step, records, complete);
      if (inKnee) copyFileAtomic(model, join(folder, KNEE_MODEL));
      if (keepsStep(cfg, step)) {
        copyFileAtomic(model, join(folder, 'models', `step-${step}.safetensors`));
      }
      emit({ type: 'step', task, record, restored: false });
      if (complete) break;
    }
    if (total === 0) saveCheckpoint(folder, net, 0, records, true, metadata);
    if (!savedCurve && cfg.retrainEpochs === 0) {
      keepCurve(
        records.map((r) => ({
          pruned: r.pruned,
          hidden: r.hidden,
          testAccuracy: r.testAccuracy,
          testLoss: r.testLoss,
        })),
      );
    }
  } finally {
    await helper.end();
  }
  return records;
}
