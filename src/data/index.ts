// Chooses the data source named by the config and returns prepared splits.
import { DataError } from '../util/errors.js';
import { loadFashionMnist, loadMnist } from './fashion-mnist.js';
import { loadIdx } from './idx.js';
import { prepare, type SplitSizes } from './split.js';
import type { PreparedData, RawDataset } from './types.js';

export const DATASETS = ['fashion-mnist', 'mnist', 'idx'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface DataConfig extends SplitSizes { dataset: string; data?: string; seed: number }

export function loadRaw(cfg: DataConfig): RawDataset {
  switch (cfg.dataset) {
    case 'fashion-mnist': return loadFashionMnist();
    case 'mnist': return loadMnist();
    case 'idx': return loadIdx(cfg.data);
    default: throw new DataError(`unknown dataset "${cfg.dataset}"; choose one of ${DATASETS.join(', ')}`);
  }
}

export function loadData(cfg: DataConfig): PreparedData {
  return prepare(loadRaw(cfg), cfg, cfg.seed);
}

export type { PreparedData };
