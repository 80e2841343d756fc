// Minibatch SGD with per-epoch validation, best-validation weights kept, optional early stopping,
// and a clear stop when the loss diverges. Shuffling comes from Rng(seed, STREAM.shuffle,
// ...stream, epoch), so any epoch of any run can be replayed from the random seed alone. The
// evaluations are evaluation.ts'.
import { Rng, STREAM } from '../engine/rng.js';
import type { Network } from '../nn/network.js';
import type { Split } from '../data/types.js';
import { DivergenceError } from '../util/errors.js';
import type { DataParallel } from './parallel.js';
import { serialTrainStep } from './serial-step.js';
import type { FeatureCache } from './features.js';
import { evaluate } from './evaluation.js';

export interface TrainOptions {
  lr: number;
  batch: number;
  epochs: number;
  momentum: number;
  weightDecay: number;
  /** Stop after this many epochs without a better validation accuracy; 0 = never. */
  patience: number;
  seed: number;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestValAccuracy: number;
  seconds: number;
  stoppedEarly: boolean;
}

export interface TrainHooks {
  /** Extra stream ids mixed into the shuffling seed (e.g. pruning step), so runs differ. */
  stream?: number[];
  onBatch?: (done: number, total: number, loss: number) => void;
  onEpoch?: (r: EpochRecord) => void;
  /** Validation accuracy to beat before any epoch has run (e.g. the weights as they are). */
  initialVal?: { accuracy: number };
  /** The training split to use in an epoch (augmented afresh each epoch), instead of `train`. */
  epochTrain?: (epoch: number) => Split;
  /** A helper thread for the second half of every batch (same numbers, about twice the speed). */
  parallel?: DataParallel | null;
  /** Convolutional features for the validation passes (see features.ts). */
  cache?: FeatureCache | null;
}

/**
 * One SGD step on a batch: with a helper, the helper's half-batch and half of the update run on its
 * thread; the same numbers either way.
 */
function step(
  net: Network,
  x: Float32Array,
  y: Uint8Array,
  B: number,
  opt: TrainOptions,
  parallel: DataParallel | null | undefined,
): { loss: number; correct: number } {
  if (parallel) return parallel.trainStep(net, x, y, B, opt);
  return serialTrainStep(net, x, y, B, opt);
}

/** The error of a diverged training: where, what was seen, and a smaller rate to try. */
function diverged(epoch: number, seen: string, lr: number): DivergenceError {
  return new DivergenceError(
    `training diverged in epoch ${epoch} (${seen}) with learning rate ${lr}; ` +
      `try a smaller one, e.g. --lr ${+(lr / 10).toPrecision(2)}`,
  );
}

/** Trains `net` in place; on return it holds the best-validation weights. */
export function train(
  net: Network,
  trainSet: Split,
  val: Split,
  opt: TrainOptions,
  hooks: TrainHooks = {},
): TrainResult {
  const size = net.inputSize,
    B = Math.min(opt.batch, net.batch);
  const order = new Int32Array(trainSet.n);
  const labels = new Uint8Array(B),
    xb = new Float32Array(B * size);
  const history: EpochRecord[] = [];
  let best = hooks.initialVal ? hooks.initialVal.accuracy : -1,
    bestEpoch = 0,
    bestParams = hooks.initialVal ? net.snapshot() : null;
  let stale = 0,
    stoppedEarly = false;
  const t0 = performance.now();
  net.resetOptimizer();
  for (let epoch = 1; epoch <= opt.epochs; epoch++) {
    const te = performance.now();
    const train = hooks.epochTrain ? hooks.epochTrain(epoch) : trainSet;
    for (let i = 0; i < train.n; i++) order[i] = i;
    new Rng(opt.seed, STREAM.shuffle, ...(hooks.stream ?? []), epoch).shuffle(order);
    let lossSum = 0,
      correct = 0;
    const batches = Math.ceil(train.n / B);
    const dropout = net.arch.layers.some((l) => l.kind === 'dropout');
    for (let b = 0; b < batches; b++) {
      const start = b * B,
        nb = Math.min(B, train.n - start);
      for (let k = 0; k < nb; k++) {
        const i = order[start + k];
        xb.set(train.x.subarray(i * size, (i + 1) * size), k * size);
        labels[k] = train.y[i];
      }
      // each step's dropout masks from the run's seed, the epoch and the batch (nn/dropout.ts)
      const stream = hooks.stream ?? [];
      net.dropout.key = dropout
        ? new Rng(opt.seed, STREAM.dropout, ...stream, epoch, b).next()
        : null;
      const r = step(net, xb, labels, nb, opt, hooks.parallel);
      net.dropout.key = null;
      if (!Number.isFinite(r.loss)) {
        throw diverged(epoch, `loss ${r.loss}`, opt.lr);
      }
      lossSum += r.loss;
      correct += r.correct;
      hooks.onBatch?.(start + nb, train.n, lossSum / (start + nb));
    }
    const v = evaluate(net, val, hooks.parallel, hooks.cache);
    const seconds = (performance.now() - te) / 1000;
    const rec: EpochRecord = {
      epoch,
      trainLoss: lossSum / train.n,
      trainAccuracy: correct / train.n,
      valLoss: v.loss,
      valAccuracy: v.accuracy,
      seconds,
      imagesPerSecond: train.n / seconds,
    };
    if (!Number.isFinite(v.loss)) throw diverged(epoch, `validation loss ${v.loss}`, opt.lr);
    // a loss far above chance level for a whole epoch: the weights blew up (tanh saturates, so the
    // loss may stay finite)
    const chance = net.arch.output === 'softmax' ? Math.log(net.classes) : net.classes * Math.LN2;
    if (rec.trainLoss > 5 * chance)
      throw diverged(
        epoch,
        `mean loss ${rec.trainLoss.toFixed(1)}, chance level is ${chance.toFixed(2)}`,
        opt.lr,
      );
    history.push(rec);
    hooks.onEpoch?.(rec);
    if (v.accuracy > best) {
      best = v.accuracy;
      bestEpoch = epoch;
      bestParams = net.snapshot();
      stale = 0;
    } else if (opt.patience > 0 && ++stale >= opt.patience) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestParams) net.setParams(bestParams);
  return {
    history,
    bestEpoch,
    bestValAccuracy: best,
    seconds: (performance.now() - t0) / 1000,
    stoppedEarly,
  };
}
