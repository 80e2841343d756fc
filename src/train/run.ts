// `prunelab train`: trains LeNet-5 on the configured data and writes results.json and
// model.safetensors into the run directory. The library call behind the CLI command.
import { join } from 'node:path';
import type { TrainConfig } from '../config.js';
import { loadData } from '../data/index.js';
import type { PreparedData, Split } from '../data/types.js';
import { augmentSplit } from '../data/augment.js';
import { lenet5, Network, parameterCount } from '../nn/network.js';
import { saveModel } from '../nn/model-io.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { environment, resolveThreads } from '../util/env.js';
import type { Progress } from '../cli/progress.js';
import { evaluate, train, type EpochRecord, type TrainResult } from './trainer.js';
import { DataParallel } from './parallel.js';

export const TRAIN_SCHEMA = 'prunelab.train/1';

export function evalBatch(batch: number): number {
  return Math.max(batch, 128);
}

/** The per-epoch augmented training split of an image dataset (null for the bundled sets or --no-augment). */
export function augmentation(
  cfg: TrainConfig,
  data: PreparedData,
  seed: number,
  stream: number[],
): ((epoch: number) => Split) | undefined {
  if (!cfg.augment || !data.trainRgb) return undefined;
  const out = new Float32Array(data.train.n * 1024);
  return (epoch) => ({
    x: augmentSplit(
      data.trainRgb!,
      data.train.n,
      cfg,
      data.mean,
      data.std,
      seed,
      stream,
      epoch,
      out,
    ),
    y: data.train.y,
    n: data.train.n,
  });
}

/** Builds and trains a fresh LeNet-5 for `data` from `cfg` (init and shuffling from cfg.seed). */
/** `onEpoch` sees the network after each epoch (its weights are the best so far when `improved`). */
export async function trainBaseline(
  cfg: TrainConfig,
  data: PreparedData,
  progress?: Progress,
  label = 'train',
  onEpoch?: (net: Network, r: EpochRecord, improved: boolean) => void,
): Promise<{ net: Network; result: TrainResult }> {
  const net = new Network(
    lenet5({ classes: data.classes.length, output: cfg.output, input: data.inputShape }),
    evalBatch(cfg.batch),
    cfg.backend,
  );
  net.initialize(cfg.seed);
  const parallel =
    resolveThreads(cfg.threads) > 1 ? await DataParallel.create(net, cfg.batch) : null;
  let best = -1;
  try {
    const result = train(net, data.train, data.val, cfg, {
      parallel,
      epochTrain: augmentation(cfg, data, cfg.seed, [0]),
      onBatch: (done, total, loss) => progress?.update(done, `loss ${loss.toFixed(3)}`),
      onEpoch: (r) => {
        progress?.stop();
        progress?.event('epoch', { run: label, ...r });
        progress?.info(
          `${label} epoch ${String(r.epoch).padStart(3)}  loss ${r.trainLoss.toFixed(4)}  train ${r.trainAccuracy.toFixed(3)}  val ${r.valAccuracy.toFixed(3)}  ${r.imagesPerSecond.toFixed(0)} img/s`,
        );
        if (r.epoch < cfg.epochs)
          progress?.start(`${label} ${r.epoch + 1}/${cfg.epochs}`, data.train.n, 'img');
        onEpoch?.(net, r, r.valAccuracy > best);
        best = Math.max(best, r.valAccuracy);
      },
    });
    return { net, result };
  } finally {
    await parallel?.close();
  }
}

export async function runTrain(cfg: TrainConfig, progress: Progress, outDir?: string) {
  const t0 = performance.now();
  const data = await loadData(cfg);
  const loadSeconds = (performance.now() - t0) / 1000;
  progress.info(
    `data: ${data.name}, ${data.train.n} train / ${data.val.n} val / ${data.test.n} test, ${data.classes.length} classes\n  from ${data.source}`,
  );
  progress.start(`train 1/${cfg.epochs}`, data.train.n, 'img');
  // after every epoch: the best model so far and the history, so an interrupted run loses no finished epoch
  const history: EpochRecord[] = [];
  const partial = (status: string, error?: string) =>
    outDir &&
    history.length &&
    writeJsonAtomic(join(outDir, 'results.json'), {
      schema: TRAIN_SCHEMA,
      status,
      ...(error ? { error } : {}),
      config: cfg,
      history,
      bestEpoch: history.reduce((b, h) => (h.valAccuracy > b.valAccuracy ? h : b)).epoch,
    });
  let trained: Awaited<ReturnType<typeof trainBaseline>>;
  try {
    trained = await trainBaseline(cfg, data, progress, 'train', (n, r, improved) => {
      if (!outDir) return;
      history.push(r);
      if (improved)
        saveModel(join(outDir, 'model.safetensors'), n, {
          'prunelab.mean': String(data.mean),
          'prunelab.std': String(data.std),
        });
      partial('running');
    });
  } catch (err) {
    partial('failed', (err as Error).message);
    throw err;
  }
  const { net, result } = trained;
  progress.stop();
  const trainEval = evaluate(net, data.train),
    valEval = evaluate(net, data.val),
    testEval = evaluate(net, data.test);
  const results = {
    schema: TRAIN_SCHEMA,
    status: 'complete',
    config: cfg,
    data: {
      name: data.name,
      source: data.source,
      classes: data.classes,
      sizes: { train: data.train.n, val: data.val.n, test: data.test.n },
      mean: data.mean,
      std: data.std,
    },
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
    saveModel(join(outDir, 'model.safetensors'), net, {
      'prunelab.mean': String(data.mean),
      'prunelab.std': String(data.std),
    });
    writeJsonAtomic(join(outDir, 'results.json'), results);
  }
  progress.summary(
    `best epoch ${result.bestEpoch}: train ${trainEval.accuracy.toFixed(4)}  val ${valEval.accuracy.toFixed(4)}  test ${testEval.accuracy.toFixed(4)}` +
      (outDir ? `  -> ${outDir}` : ''),
  );
  return results;
}
