// The baseline task of one seed: train LeNet-5 (or load --model), then record its accuracies, its
// size and the cosine similarity of the pruned layer's activation vectors, and save the model that
// the pruning runs and the control of that random seed start from. A finished baseline is reused
// on a rerun.
import { existsSync, statSync } from 'node:fs';
import type { StudyConfig } from '../config.js';
import { modelMetadata } from '../data/metadata.js';
import { readModelState } from '../formats/model-files.js';
import { networkWithState, saveModel } from '../nn/model-io.js';
import { measureSpeed } from '../nn/speed.js';
import { forwardFlops, parameterCount, type Network } from '../nn/network.js';
import { cosineSimilarityMatrix, layerActivations } from '../prune/activations.js';
import { redundancyEstimates, type RedundancyEstimates } from '../prune/redundancy.js';
import { denseUnits, nextDenseLayer } from '../prune/surgery.js';
import { evalBatch, trainBaseline } from '../train/baseline.js';
import { parkHelper } from '../train/helper-reuse.js';
import type { DataParallel } from '../train/parallel.js';
import { evaluate } from '../train/evaluation.js';
import type { EpochRecord } from '../train/trainer.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { ConfigError } from '../util/errors.js';
import { readJson } from '../util/json.js';
import { baselineModelPath, baselineResultPath } from './checkpoint.js';
import { modelArchitecture } from '../train/network-choice.js';
import { prunedLayer } from './plan.js';
import type { BaselineResult } from './records.js';
import { patternSet, studyData } from './study-data.js';
import { ownHelper } from './task-helper.js';
import type { BaselineTask, StudyTaskRequest, TaskEvent } from './task.js';

interface Trained {
  net: Network;
  history: EpochRecord[];
  bestEpoch: number;
}

async function trainOrLoad(
  request: StudyTaskRequest,
  task: BaselineTask,
  emit: (event: TaskEvent) => void,
): Promise<Trained> {
  const { cfg } = request;
  const data = await studyData(cfg);
  if (cfg.model) {
    // the model's own architecture, or the one --arch gives a file that does not say it
    const { state, metadata } = readModelState(cfg.model);
    const arch = modelArchitecture(cfg, state, metadata, cfg.model);
    const net = networkWithState(arch, state, evalBatch(cfg.batch), cfg.backend, cfg.model);
    if (net.classes !== data.classes.length) {
      throw new ConfigError(
        `${cfg.model} has ${net.classes} outputs but the data has ${data.classes.length} classes`,
      );
    }
    return { net, history: [], bestEpoch: 0 };
  }
  const { net, result } = await trainBaseline(cfg, data, {
    seed: task.seed,
    helper: request.helpers > 0,
    onEpoch: (_net, record) => emit({ type: 'epoch', task, record, total: cfg.epochs }),
  });
  return { net, history: result.history, bestEpoch: result.bestEpoch };
}

/**
 * The cosine similarity matrix of the layer's activation vectors (rounded to 1e-4), and the
 * redundancy estimates drawn from them.
 */
async function layerFacts(
  cfg: StudyConfig,
  net: Network,
  parallel: DataParallel | null,
): Promise<{ cosine: number[]; redundancy: RedundancyEstimates }> {
  const data = await studyData(cfg);
  const layer = prunedLayer(cfg, net.arch);
  nextDenseLayer(net.arch, layer);
  const patterns = patternSet(cfg, data);
  const { acts } = layerActivations(net, layer, patterns, false, parallel);
  const units = denseUnits(net.arch, layer);
  const cosine = cosineSimilarityMatrix(acts, patterns.n, units);
  return {
    cosine: Array.from(cosine, (c) => Math.round(c * 1e4) / 1e4),
    redundancy: redundancyEstimates(acts, patterns.n, units, cosine),
  };
}

export async function runBaselineTask(
  request: StudyTaskRequest,
  task: BaselineTask,
  emit: (event: TaskEvent) => void,
): Promise<BaselineResult> {
  const { cfg, dir } = request;
  const { seed } = task;
  const done = readJson<BaselineResult>(baselineResultPath(dir, seed));
  if (done && existsSync(baselineModelPath(dir, seed))) return done;
  const data = await studyData(cfg);
  const t0 = performance.now();
  const { net, history, bestEpoch } = await trainOrLoad(request, task, emit);
  // the evaluations take the helper thread the training parked (the same numbers on one thread)
  const parallel = await ownHelper(request, net);
  const { cosine, redundancy } = await layerFacts(cfg, net, parallel);
  const test = evaluate(net, data.test, parallel);
  const trainAccuracy = evaluate(net, data.train, parallel).accuracy;
  const valAccuracy = evaluate(net, data.val, parallel).accuracy;
  await parkHelper(parallel);
  const result: BaselineResult = {
    seed,
    history,
    bestEpoch,
    trainAccuracy,
    valAccuracy,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    hidden: denseUnits(net.arch, prunedLayer(cfg, net.arch)),
    parameters: parameterCount(net.arch),
    flops: forwardFlops(net.arch),
    seconds: (performance.now() - t0) / 1000,
    cosine,
    redundancy,
    loadedFrom: cfg.model ?? null,
    architecture: net.arch,
  };
  saveModel(baselineModelPath(dir, seed), net, modelMetadata(data));
  result.modelBytes = statSync(baselineModelPath(dir, seed)).size;
  if (cfg.speed) Object.assign(result, measureSpeed(net, data.test.x));
  writeJsonAtomic(baselineResultPath(dir, seed), result);
  return result;
}
