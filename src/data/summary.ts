// What a dataset selection holds: sizes and class counts per split, and for VehicleX the
// attributes per class (colour, type, camera). `prunelab data` writes it with its figure
// (src/report/data-summary.ts).
import type { TrainConfig } from '../config.js';
import { loadRaw } from './index.js';
import { prepare } from './prepare.js';
import { classCounts } from './split.js';
import type { PreparedData } from './types.js';

/** The data a run used, as its results record it. */
export interface DataDescription {
  name: string;
  source: string;
  classes: string[];
  sizes: { train: number; val: number; test: number };
  classCounts: { train: number[]; val: number[]; test: number[] };
  /** Per channel. */
  mean: number[];
  std: number[];
  /** Image files skipped as unreadable (--skip-bad-images), with the reason. */
  skippedImages?: { file: string; reason: string }[];
}

export function describeData(data: PreparedData): DataDescription {
  const C = data.classes.length;
  const skipped = data.info?.skippedImages as DataDescription['skippedImages'];
  return {
    name: data.name,
    source: data.source,
    classes: data.classes,
    sizes: { train: data.train.n, val: data.val.n, test: data.test.n },
    classCounts: {
      train: classCounts(data.train.y, C),
      val: classCounts(data.val.y, C),
      test: classCounts(data.test.y, C),
    },
    mean: data.mean,
    std: data.std,
    ...(skipped?.length ? { skippedImages: skipped } : {}),
  };
}

export interface DataSummary {
  schema: string;
  config: TrainConfig;
  data: DataDescription;
  info: Record<string, unknown>;
  /** Per attribute (colorID, typeID, cameraID), per class, the count of each value. */
  attributes: Record<string, Record<string, Record<string, number>>>;
}

export async function summarizeData(cfg: TrainConfig): Promise<DataSummary> {
  const raw = await loadRaw(cfg);
  const data = prepare(raw, cfg, cfg.seed);
  const attributes: Record<string, Record<string, Record<string, number>>> = {};
  const names = (raw.info?.names ?? {}) as Record<string, Record<string, string>>;
  for (const a of raw.attrs ?? []) {
    const cls = data.classes[Number(a.label)];
    for (const key of ['colorID', 'typeID', 'cameraID']) {
      if (a[key] === undefined) continue;
      const v = names[key]?.[String(Number(a[key]))] ?? a[key];
      ((attributes[key] ??= {})[cls] ??= {})[v] = (attributes[key][cls][v] ?? 0) + 1;
    }
  }
  return {
    schema: 'prunelab.data/1',
    config: cfg,
    data: describeData(data),
    info: raw.info ?? {},
    attributes,
  };
}
