// `prunelab train`: trains LeNet-5 on the configured data and writes results.json and
// model.safetensors into the run directory, both after every epoch (so an interrupted run keeps its
// best model so far) and at the end. The library call behind the CLI command.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../config.js';
import { loadData } from '../data/index.js';
import { dataFor, requestedInputShape } from './network-choice.js';
import { describeData } from '../data/summary.js';
import { modelMetadata } from '../data/metadata.js';
import { parameterCount, type Network } from '../nn/network.js';
import { saveModel } from '../nn/model-io.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { environment, resolveThreads } from '../util/env.js';
import { UserError } from '../util/errors.js';
import { inOutputDir, timestampedRunDir } from '../util/folders.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { trainBaseline } from './baseline.js';
import { evaluate } from './evaluation.js';
import type { EpochRecord } from './trainer.js';

export const TRAIN_SCHEMA = 'prunelab.train/1';

function epochLine(record: EpochRecord): string {
  const { epoch, trainLoss, trainAccuracy, valAccuracy, imagesPerSecond } = record;
  return (
    `train epoch ${String(epoch).padStart(3)}  loss ${trainLoss.toFixed(4)}  ` +
    `train ${trainAccuracy.toFixed(3)}  val ${valAccuracy.toFixed(3)}  ` +
    `${imagesPerSecond.toFixed(0)} img/s`
  );
}

/** Refuses a folder that holds a run already (a model trained for longer is not replaced). */
function refuseExistingRun(dir: string): void {
  if (existsSync(join(dir, 'results.json'))) {
    throw new UserError(
      `${dir} already holds a run (results.json); choose another --out, or remove the folder`,
    );
  }
}

/** `runs/train-<yyyymmdd-hhmmss>`: a training run's folder when --out is not given. */
export function defaultTrainDir(): string {
  return timestampedRunDir('train');
}

/**
 * Trains as `cfg` says; with `outDir`, writes results.json and model.safetensors there (a folder
 * that holds a run already is refused; a run that fails before its first epoch leaves none).
 */
export async function runTrain(
  cfg: TrainConfig,
  progress: ProgressReporter = silentProgress,
  outDir?: string,
) {
  if (!outDir) return trainRun(cfg, progress);
  refuseExistingRun(outDir);
  return inOutputDir(outDir, '--out', () => trainRun(cfg, progress, outDir));
}

async function trainRun(cfg: TrainConfig, progress: ProgressReporter, outDir?: string) {
  const t0 = performance.now();
  const data = await loadData(dataFor(cfg, requestedInputShape(cfg)));
  const loadSeconds = (performance.now() - t0) / 1000;
  progress.info(
    `data: ${data.name}, ${data.train.n} train / ${data.val.n} val / ${data.test.n} test, ` +
      `${data.classes.length} classes\n  from ${data.source}`,
  );
  progress.start(`train 1/${cfg.epochs}`, data.train.n, 'img');
  const history: EpochRecord[] = [];
  const writePartial = (status: string, error?: string) => {
    if (!outDir || !history.length) return;
    const best = history.reduce((b, h) => (h.valAccuracy > b.valAccuracy ? h : b));
    writeJsonAtomic(join(outDir, 'results.json'), {
      schema: TRAIN_SCHEMA,
      status,
      ...(error ? { error } : {}),
      config: cfg,
      history,
      bestEpoch: best.epoch,
    });
  };
  const onEpoch = (net: Network, record: EpochRecord, improved: boolean) => {
    progress.stop();
    progress.event('epoch', { run: 'train', ...record });
    progress.info(epochLine(record));
    if (record.epoch < cfg.epochs) {
      progress.start(`train ${record.epoch + 1}/${cfg.epochs}`, data.train.n, 'img');
    }
    if (!outDir) return;
    history.push(record);
    if (improved) saveModel(join(outDir, 'model.safetensors'), net, modelMetadata(data));
    writePartial('running');
  };
  let trained: Awaited<ReturnType<typeof trainBaseline>>;
  try {
    trained = await trainBaseline(cfg, data, {
      seed: cfg.seed,
      helper: resolveThreads(cfg.threads) > 1,
      onBatch: (done, _total, loss) => progress.update(done, `loss ${loss.toFixed(3)}`),
      onEpoch,
    });
  } catch (err) {
    writePartial('failed', (err as Error).message);
    throw err;
  }
  const { net, result } = trained;
  progress.stop();
  const trainEval = evaluate(net, data.train);
  const valEval = evaluate(net, data.val);
  const testEval = evaluate(net, data.test);
  const results = {
    schema: TRAIN_SCHEMA,
    status: 'complete',
    config: cfg,
    data: describeData(data),
    history: result.history,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    trainAccuracy: trainEval.accuracy,
    valAccuracy: valEval.accuracy,
    testAccuracy: testEval.accuracy,
    testLoss: testEval.loss,
    parameters: parameterCount(net.arch),
    timings: {
      loadSeconds,
      trainSeconds: result.seconds,
      totalSeconds: (performance.now() - t0) / 1000,
    },
    environment: {
      ...environment(resolveThreads(cfg.threads)),
      ...(net.kernels.name === 'wasm' ? {} : { kernels: net.kernels.name }),
    },
  };
  if (outDir) {
    saveModel(join(outDir, 'model.safetensors'), net, modelMetadata(data));
    writeJsonAtomic(join(outDir, 'results.json'), results);
  }
  const accuracies =
    `train ${trainEval.accuracy.toFixed(4)}  val ${valEval.accuracy.toFixed(4)}  ` +
    `test ${testEval.accuracy.toFixed(4)}`;
  progress.summary(
    `best epoch ${result.bestEpoch}: ${accuracies}` + (outDir ? `  -> ${outDir}` : ''),
  );
  return results;
}
