// The data a study's tasks work on: loaded once per thread (or handed over by the study's own
// thread) and kept for the next task of the same configuration (a study's tasks share one split),
// and the pattern set the criteria compute activation vectors over.
import type { StudyConfig, TrainConfig } from '../config.js';
import { dataFor } from '../train/network-choice.js';
import { studyInputShape } from './plan.js';
import { loadData, type DataConfig } from '../data/index.js';
import type { PreparedData, Split } from '../data/types.js';

let cached: { key: string; data: PreparedData } | null = null;

export type DataSelection = TrainConfig & DataConfig & { model?: string };

/** What decides the prepared splits: the cache's key. */
function selectionKey(cfg: DataSelection): string {
  return JSON.stringify([
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
    cfg.rawFile,
    cfg.arch,
    cfg.input,
    cfg.channels,
    cfg.normalize,
    cfg.model,
  ]);
}

/** The prepared splits of `cfg`, from this thread's cache when the selection is the same. */
export async function studyData(cfg: DataSelection): Promise<PreparedData> {
  const key = selectionKey(cfg);
  if (cached?.key !== key)
    cached = { key, data: await loadData(dataFor(cfg, studyInputShape(cfg))) };
  return cached.data;
}

/**
 * Makes `data` this thread's prepared splits of `cfg`: a study hands its worker threads the data
 * it has loaded, so that they do not load and prepare it again.
 */
export function useStudyData(cfg: DataSelection, data: PreparedData): void {
  cached = { key: selectionKey(cfg), data };
}

/** The first `cfg.patterns` training images (all when 0): the inputs of the activation vectors. */
export function patternSet(cfg: StudyConfig, data: PreparedData): Split {
  const n = cfg.patterns > 0 ? Math.min(cfg.patterns, data.train.n) : data.train.n;
  const size = data.inputShape[0] * data.inputShape[1] * data.inputShape[2];
  return { x: data.train.x.subarray(0, n * size), y: data.train.y.subarray(0, n), n };
}
