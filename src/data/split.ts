// Seeded, stratified train/validation/test splits (their conversion to network input: prepare.ts).
// Stratification: each class is shuffled, and the classes are interleaved by relative rank, so any
// prefix of the order holds the classes in proportion (within one image).
import { Rng, STREAM } from '../engine/rng.js';
import { DataError } from '../util/errors.js';
import type { RawDataset, RawImages } from './types.js';

export interface SplitSizes {
  trainSize: number;
  valSize?: number;
  testSize?: number;
}

/** Default size of a validation or test split carved from a pool of n images. */
const carve = (want: number | undefined, n: number) =>
  want ? want : Math.max(1, Math.min(1000, Math.round(0.15 * n)));

export function stratifiedOrder(labels: Uint8Array, rng: Rng): number[] {
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => {
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  });
  const keyed: { i: number; key: number; c: number }[] = [];
  for (const [c, idx] of [...byClass].sort((a, b) => a[0] - b[0])) {
    rng.shuffle(idx);
    idx.forEach((i, r) => keyed.push({ i, key: (r + 0.5) / idx.length, c }));
  }
  keyed.sort((a, b) => a.key - b.key || a.c - b.c);
  return keyed.map((k) => k.i);
}

function take(src: RawImages, idx: number[]): RawImages {
  const size = src.height * src.width,
    images = new Uint8Array(idx.length * size),
    labels = new Uint8Array(idx.length);
  idx.forEach((i, k) => {
    images.set(src.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = src.labels[i];
  });
  const out: RawImages = { images, labels, n: idx.length, height: src.height, width: src.width };
  if (src.values) {
    const v = new Float32Array(idx.length * size);
    idx.forEach((i, k) => v.set(src.values!.subarray(i * size, (i + 1) * size), k * size));
    out.values = v;
  }
  if (src.rgb) {
    const c = size * 3,
      rgb = new Uint8Array(idx.length * c);
    idx.forEach((i, k) => rgb.set(src.rgb!.subarray(i * c, (i + 1) * c), k * c));
    out.rgb = rgb;
  }
  return out;
}

function need(
  what: string,
  want: number,
  have: number,
  source: string,
  haveText = `${have}`,
): void {
  if (want > have)
    throw new DataError(
      `${source}: asked for ${want} ${what} images but only ${haveText} are available; lower ` +
        'the size flags',
    );
}

/** Splits a raw dataset into train/val/test (sizes 0 = all that remain) from the random seed. */
export function splitDataset(
  raw: RawDataset,
  sizes: SplitSizes,
  seed: number,
): { train: RawImages; val: RawImages; test: RawImages } {
  const rng = new Rng(seed, STREAM.split);
  let train: RawImages, val: RawImages, test: RawImages;
  if (raw.pool) {
    const order = stratifiedOrder(raw.pool.labels, rng);
    const nt = carve(sizes.testSize, order.length),
      nv = carve(sizes.valSize, order.length);
    need('test + validation', nt + nv, order.length - 1, raw.name);
    const rest = order.length - nt - nv,
      ntr = sizes.trainSize || rest;
    const left = `${rest} (${order.length} images less ${nt} test and ${nv} validation)`;
    need('training', ntr, rest, raw.name, left);
    test = take(raw.pool, order.slice(0, nt));
    val = take(raw.pool, order.slice(nt, nt + nv));
    train = take(raw.pool, order.slice(nt + nv, nt + nv + ntr));
  } else if (raw.published) {
    const p = raw.published;
    const tOrder = stratifiedOrder(p.test.labels, rng);
    need('test', sizes.testSize ?? 0, tOrder.length, raw.name);
    test = take(p.test, tOrder.slice(0, sizes.testSize || tOrder.length));
    const trOrder = stratifiedOrder(p.train.labels, rng);
    if (p.val) {
      const vOrder = stratifiedOrder(p.val.labels, rng);
      need('validation', sizes.valSize ?? 0, vOrder.length, raw.name);
      val = take(p.val, vOrder.slice(0, sizes.valSize || vOrder.length));
      need('training', sizes.trainSize, trOrder.length, raw.name);
      train = take(p.train, trOrder.slice(0, sizes.trainSize || trOrder.length));
    } else {
      const nv = carve(sizes.valSize, trOrder.length);
      need('validation', nv, trOrder.length - 1, raw.name);
      val = take(p.train, trOrder.slice(0, nv));
      const rest = trOrder.length - nv;
      need('training', sizes.trainSize, rest, raw.name);
      train = take(p.train, trOrder.slice(nv, nv + (sizes.trainSize || rest)));
    }
  } else throw new DataError(`${raw.name}: no images`);
  const present = new Set(train.labels);
  const missing = raw.classes.filter((_, c) => !present.has(c));
  if (missing.length) {
    const several = missing.length > 1;
    throw new DataError(
      `${raw.name}: no training image of ${several ? 'classes' : 'class'} ` +
        `${missing.map((m) => JSON.stringify(m)).join(', ')}: take a larger --train-size (at ` +
        `least one image per class) or give ${several ? 'those classes' : 'it'} more images`,
    );
  }
  if (val.n === 0 || test.n === 0)
    throw new DataError(
      `${raw.name}: the validation and test splits need at least one image each (--val-size, ` +
        `--test-size)`,
    );
  return { train, val, test };
}

/** Images per class of a label array. */
export function classCounts(y: Uint8Array, classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (const l of y) c[l]++;
  return c;
}
