// The network a configuration asks for, and its baseline training: one helper for `train`, the
// study's baseline task and each rate of a learning-rate sweep, so the three train the same way
// (initialisation and shuffles from the random seed, best-validation weights kept).
import type { TrainConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import { Network, type Architecture } from '../nn/network.js';
import { configuredArchitecture } from './network-choice.js';
import { augmentation } from './augmentation.js';
import { parkHelper, takeHelper } from './helper-reuse.js';
import { train, type EpochRecord, type TrainResult } from './trainer.js';

/** Batch capacity of a network: training batches, and evaluation in chunks of at least 128. */
export function evalBatch(batch: number): number {
  return Math.max(batch, 128);
}

/**
 * The configuration's network (the paper's LeNet-5 by default) for the data's input and classes.
 */
export function baselineArchitecture(cfg: TrainConfig, data: PreparedData): Architecture {
  return configuredArchitecture(cfg, data);
}

/** A fresh network for `data`, initialised from `seed`. */
export function newNetwork(cfg: TrainConfig, data: PreparedData, seed: number): Network {
  const net = new Network(baselineArchitecture(cfg, data), evalBatch(cfg.batch), cfg.backend);
  net.initialize(seed);
  return net;
}

export interface BaselineOptions {
  /** Every random choice of the training (initialisation, shuffles, augmentation). */
  seed: number;
  /** Whether to use a data-parallel helper thread (a spare core): same numbers, faster. */
  helper: boolean;
  onBatch?: (done: number, total: number, loss: number) => void;
  /** Sees the network after each epoch (its weights are the best so far when `improved`). */
  onEpoch?: (net: Network, record: EpochRecord, improved: boolean) => void;
}

/**
 * Builds and trains a fresh network for `data` as `cfg` says; it holds the best-validation weights.
 */
export async function trainBaseline(
  cfg: TrainConfig,
  data: PreparedData,
  options: BaselineOptions,
): Promise<{ net: Network; result: TrainResult }> {
  const { seed, onEpoch } = options;
  const net = newNetwork(cfg, data, seed);
  const parallel = options.helper ? await takeHelper(net, cfg.batch) : null;
  let best = -1;
  try {
    const result = train(
      net,
      data.train,
      data.val,
      { ...cfg, seed },
      {
        parallel,
        epochTrain: augmentation(cfg, data, seed, [0]),
        onBatch: options.onBatch,
        onEpoch: (record) => {
          onEpoch?.(net, record, record.valAccuracy > best);
          best = Math.max(best, record.valAccuracy);
        },
      },
    );
    return { net, result };
  } finally {
    await parkHelper(parallel);
  }
}
