// Splits as network input: images at the network's input shape (grayscale, or colour planes for a
// 3-channel network; zero-padded, centred, when smaller, as the paper pads 28x28 images to 32x32),
// pixels scaled to [0, 1], then standardised per channel, with the training set's mean and
// standard deviation (prunelab's own baselines) or with given values (--normalize: a model
// trained elsewhere expects its own preprocessing, as torchvision's Normalize gives it).
import { DataError } from '../util/errors.js';
import { splitDataset, type SplitSizes } from './split.js';
import type { PreparedData, RawDataset, RawImages, Split } from './types.js';

export interface InputOptions {
  /** [channels, height, width]; default 1x32x32 (or the shape of real-valued features). */
  inputShape?: [number, number, number];
  /** Per channel means then standard deviations, on pixels in [0, 1]. */
  normalize?: number[];
}

/** Mean and standard deviation of all the training inputs (one channel). */
function standardisation(tr: Float32Array): { mean: number[]; std: number[] } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < tr.length; i++) {
    const v = tr[i];
    sum += v;
    sq += v * v;
  }
  const mean = sum / tr.length;
  return { mean: [mean], std: [Math.sqrt(Math.max(sq / tr.length - mean * mean, 1e-12))] };
}

/** Per channel mean and standard deviation of [n, channels, pixels] inputs. */
function channelStatistics(x: Float32Array, channels: number, pixels: number) {
  if (channels === 1) return standardisation(x);
  const mean: number[] = [],
    std: number[] = [];
  const n = x.length / (channels * pixels);
  for (let c = 0; c < channels; c++) {
    let sum = 0,
      sq = 0;
    for (let i = 0; i < n; i++) {
      const at = (i * channels + c) * pixels;
      for (let p = 0; p < pixels; p++) {
        const v = x[at + p];
        sum += v;
        sq += v * v;
      }
    }
    const count = n * pixels;
    mean.push(sum / count);
    std.push(Math.sqrt(Math.max(sq / count - (sum / count) ** 2, 1e-12)));
  }
  return { mean, std };
}

/** Images as [n, channels, H, W] in [0, 1], centred on a zero canvas of H x W. */
function toFloat(r: RawImages, name: string, [C, H, W]: [number, number, number]): Float32Array {
  if (r.height > H || r.width > W)
    throw new DataError(
      `${name}: images are ${r.width}x${r.height}, larger than the network's ${W}x${H} input; ` +
        `choose a network for ${r.width}x${r.height} images or --input ${r.height}x${r.width}`,
    );
  if (C === 3 && !r.rgb)
    throw new DataError(
      `${name} is grayscale; --channels 3 needs colour images (--dataset folder or vehicle-x)`,
    );
  if (C !== 1 && C !== 3)
    throw new DataError(
      `${name}: the network reads ${C} channels; images have 1 (gray) or 3 (RGB)`,
    );
  const x = new Float32Array(r.n * C * H * W);
  const oy = (H - r.height) >> 1;
  const ox = (W - r.width) >> 1;
  // gray pixels are one byte apart, colour ones three (interleaved RGB)
  const pixels = C === 1 ? r.images : r.rgb!;
  for (let n = 0; n < r.n; n++) {
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < r.height; y++) {
        const from = (n * r.height + y) * r.width;
        const to = ((n * C + c) * H + y + oy) * W + ox;
        for (let xx = 0; xx < r.width; xx++) {
          x[to + xx] = pixels[C * (from + xx) + c] / 255;
        }
      }
    }
  }
  return x;
}

/** The given --normalize values, checked against the channels. */
function givenNormalization(values: number[], channels: number) {
  if (values.length !== 2 * channels)
    throw new DataError(
      `--normalize takes ${2 * channels} values for ${channels} channel(s) (the means, then the ` +
        `standard deviations), got ${values.length}`,
    );
  const std = values.slice(channels);
  if (std.some((s) => !(s > 0)))
    throw new DataError('--normalize: the standard deviations must be positive');
  return { mean: values.slice(0, channels), std };
}

const list = (v: number[]) => (v.length === 1 ? `${v[0]}` : `(${v.join(', ')})`);

export function prepare(
  raw: RawDataset,
  sizes: SplitSizes,
  seed: number,
  options: InputOptions = {},
): PreparedData {
  const s = splitDataset(raw, sizes, seed);
  if (s.train.values) return prepareValues(raw, s, options);
  const shape = options.inputShape ?? [1, 32, 32];
  const [C, H, W] = shape;
  const tr = toFloat(s.train, raw.name, shape);
  const given = options.normalize ? givenNormalization(options.normalize, C) : null;
  const { mean, std } = given ?? channelStatistics(tr, C, H * W);
  const { width, height } = s.train;
  const whose = given
    ? '(given by --normalize)'
    : `(the training set's mean and standard deviation${C > 1 ? ' per channel' : ''})`;
  const steps = [
    ...(raw.decoding ? [raw.decoding] : []),
    ...(width < W || height < H
      ? [`zero-padded (centred) from ${width}x${height} to ${W}x${H}`]
      : []),
    `pixels scaled to [0, 1], then (x - ${list(mean)}) / ${list(std)} ${whose}`,
  ];
  const plane = H * W;
  const norm = (x: Float32Array, r: RawImages): Split => {
    for (let start = 0; start < x.length; start += plane) {
      const c = (start / plane) % C;
      const m = mean[c];
      const s = std[c];
      for (let i = start; i < start + plane; i++) x[i] = (x[i] - m) / s;
    }
    return { x, y: r.labels, n: r.n };
  };
  return {
    name: raw.name,
    classes: raw.classes,
    inputShape: [C, H, W],
    train: norm(tr, s.train),
    val: norm(toFloat(s.val, raw.name, shape), s.val),
    test: norm(toFloat(s.test, raw.name, shape), s.test),
    mean,
    std,
    source: raw.source,
    preprocessing: steps.join('; '),
    trainRgb: s.train.rgb,
    info: raw.info,
  };
}

/** Real-valued inputs (reshaped feature vectors): no padding, standardised like images. */
function prepareValues(
  raw: RawDataset,
  s: { train: RawImages; val: RawImages; test: RawImages },
  options: InputOptions,
): PreparedData {
  const shape: [number, number, number] = [1, s.train.height, s.train.width];
  const want = options.inputShape;
  if (want && want.join('x') !== shape.join('x'))
    throw new DataError(
      `${raw.name}: the features are ${shape.join('x')} inputs; the network reads ${want.join('x')}`,
    );
  const tr = s.train.values!;
  const given = options.normalize ? givenNormalization(options.normalize, 1) : null;
  const { mean, std } = given ?? standardisation(tr);
  const norm = (r: RawImages): Split => ({
    x: r.values!.map((v) => (v - mean[0]) / std[0]),
    y: r.labels,
    n: r.n,
  });
  return {
    name: raw.name,
    classes: raw.classes,
    inputShape: shape,
    train: norm(s.train),
    val: norm(s.val),
    test: norm(s.test),
    mean,
    std,
    source: raw.source,
    preprocessing:
      `2048-value feature vectors reshaped to ${s.train.height}x${s.train.width}, ` +
      `then (x - ${mean[0]}) / ${std[0]}`,
    info: raw.info,
  };
}
