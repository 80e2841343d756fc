// Chooses the data source named by the config and returns prepared splits.
import { isMainThread } from 'node:worker_threads';
import { DataError } from '../util/errors.js';
import { loadFashionMnist, loadMnist } from './fashion-mnist.js';
import { loadIdx } from './idx.js';
import { prepare } from './prepare.js';
import type { SplitSizes } from './split.js';
import type { PreparedData, RawDataset, RawImages } from './types.js';
import { decodeImages, SIDE, toGray, type ImageRecord, type ImageSize } from './images.js';
import { scanFolder, type ImageSource } from './folder.js';
import { readNpy } from './npy.js';
import { readRawDataset } from './raw-file.js';

export const DATASETS = ['fashion-mnist', 'mnist', 'idx', 'folder', 'vehicle-x'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface DataConfig extends SplitSizes {
  dataset: string;
  data?: string;
  seed: number;
  ids?: string;
  firstIds?: number;
  skipBadImages?: boolean;
  featuresAsImages?: boolean;
  /** The decoded dataset in a file (raw-file.ts), instead of its source: a queue worker's copy. */
  rawFile?: string;
  /** The network's input [channels, height, width] (default: 1x32x32 or the features' shape). */
  inputShape?: [number, number, number];
  /** Per channel means then standard deviations, on pixels in [0, 1] (default: the train set's). */
  normalize?: number[];
}

/**
 * The VehicleX feature release with --features-as-images: each 2048-value vector as a 1x32x64
 * input.
 */
function fromFeatures(src: ImageSource): RawDataset {
  const pick = (filter: (r: ImageRecord) => boolean): RawImages => {
    const recs = src.records.filter(filter),
      values = new Float32Array(recs.length * 2048);
    recs.forEach((r, k) => {
      const { data } = readNpy(r.file);
      if (data.length !== 2048)
        throw new DataError(
          `${r.file} holds ${data.length} values; the VehicleX features have 2048`,
        );
      values.set(data, k * 2048);
    });
    return {
      images: new Uint8Array(recs.length * 2048),
      values,
      labels: Uint8Array.from(recs.map((r) => r.label)),
      n: recs.length,
      height: 32,
      width: 64,
    };
  };
  const has = (s: string) => src.records.some((r) => r.split === s);
  return {
    name: src.name,
    classes: src.classes,
    source: src.source,
    info: src.info,
    attrs: src.records.map((r) => ({
      ...(r.attrs ?? {}),
      split: r.split ?? '',
      label: String(r.label),
    })),
    published: {
      train: pick((r) => r.split === 'train'),
      test: pick((r) => r.split === 'test'),
      ...(has('val') ? { val: pick((r) => r.split === 'val') } : {}),
    },
  };
}

/** How image files are brought to the network's input (images.ts), for the models' metadata. */
function imageDecoding(size: ImageSize, channels: number): string {
  const colour = channels === 3 ? 'kept in colour (RGB)' : 'converted to grayscale';
  return `decoded with sharp, resized to ${size.width}x${size.height} (stretched to fill), ${colour}`;
}

/** Decodes an image source into a raw dataset: a pool to split, or the split its folders give. */
async function fromImages(src: ImageSource, cfg: DataConfig): Promise<RawDataset> {
  if (src.features) return fromFeatures(src);
  const [channels = 1, height = SIDE, width = SIDE] = cfg.inputShape ?? [];
  const size = { height, width };
  const pixels = height * width * 3;
  const d = await decodeImages(src.records, { skipBad: !!cfg.skipBadImages, size });
  // said once, by the main thread (a study's worker threads load the same data)
  if (d.skipped.length && isMainThread)
    process.stderr.write(
      `prunelab: skipped ${d.skipped.length} unreadable image(s), e.g. ${d.skipped[0].file}\n`,
    );
  const pick = (filter: (r: ImageRecord) => boolean): RawImages => {
    const idx = d.records.map((r, i) => (filter(r) ? i : -1)).filter((i) => i >= 0);
    const rgb = new Uint8Array(idx.length * pixels);
    idx.forEach((i, k) => rgb.set(d.rgb.subarray(i * pixels, (i + 1) * pixels), k * pixels));
    return {
      images: toGray(rgb),
      rgb,
      labels: Uint8Array.from(idx.map((i) => d.records[i].label)),
      n: idx.length,
      height,
      width,
    };
  };
  const info = { ...src.info, images: d.records.length, skippedImages: d.skipped };
  const attrs = d.records.map((r) => ({
    ...(r.attrs ?? {}),
    split: r.split ?? '',
    label: String(r.label),
  }));
  // what the dataset is, split or not
  const described = {
    name: src.name,
    classes: src.classes,
    source: src.source,
    decoding: imageDecoding(size, channels),
    info,
    attrs,
  };
  if (src.split) {
    const has = (s: string) => d.records.some((r) => r.split === s);
    if (!has('test'))
      throw new DataError(
        `${src.source}: there is a train/ folder but no test/ folder; add one, or put the ` +
          `class folders directly in --data for a seeded split`,
      );
    return {
      ...described,
      published: {
        train: pick((r) => r.split === 'train'),
        test: pick((r) => r.split === 'test'),
        ...(has('val') ? { val: pick((r) => r.split === 'val') } : {}),
      },
    };
  }
  return { ...described, pool: pick(() => true) };
}

export async function loadRaw(cfg: DataConfig): Promise<RawDataset> {
  if (cfg.rawFile) return readRawDataset(cfg.rawFile);
  const bundled = cfg.dataset === 'fashion-mnist' || cfg.dataset === 'mnist';
  if (bundled && cfg.data) {
    // a folder given for a bundled set would be ignored: say what reads it instead
    throw new DataError(
      `--data ${cfg.data} is not read by --dataset ${cfg.dataset} (bundled with prunelab); ` +
        'say what the folder holds: --dataset folder (a subfolder per class), idx (MNIST-format ' +
        'files, e.g. the full 70,000 MNIST images) or vehicle-x',
    );
  }
  switch (cfg.dataset) {
    case 'fashion-mnist':
      return loadFashionMnist();
    case 'mnist':
      return loadMnist();
    case 'idx':
      return loadIdx(cfg.data);
    case 'folder':
      return fromImages(scanFolder(cfg.data), cfg);
    case 'vehicle-x': {
      // its XML parser loads only for VehicleX
      const { scanVehicleX } = await import('./vehicle-x.js');
      return fromImages(
        scanVehicleX(cfg.data, {
          ids: cfg.ids,
          firstIds: cfg.firstIds,
          featuresAsImages: cfg.featuresAsImages,
        }),
        cfg,
      );
    }
    default:
      throw new DataError(`unknown dataset "${cfg.dataset}"; choose one of ${DATASETS.join(', ')}`);
  }
}

export async function loadData(cfg: DataConfig): Promise<PreparedData> {
  return prepare(await loadRaw(cfg), cfg, cfg.seed, cfg);
}

export type { PreparedData };
