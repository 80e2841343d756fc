// `prunelab predict MODEL IMAGE...`: the class and class probabilities of image files, each brought
// to the model's input exactly as its training images were (from the model's metadata: decoded with
// sharp, resized, grayscale or colour, zero-padded when the training images were, scaled to [0, 1]
// and standardised with the model's mean and standard deviation).
import type { ModelInput } from '../data/metadata.js';
import { exp } from '../engine/libm.js';
import { DataError } from '../util/errors.js';
import { openModel, requireInput } from './model-file.js';

export interface Prediction {
  file: string;
  class: string;
  probability: number;
  /** Every class's probability, largest first. */
  probabilities: { class: string; probability: number }[];
}

/** The size the images were before padding (e.g. 28x28 for MNIST), else the input's own. */
function rawSize(input: ModelInput): { width: number; height: number; padded: boolean } {
  const padded = /zero-padded \(centred\) from (\d+)x(\d+)/.exec(input.preprocessing);
  if (padded) return { width: Number(padded[1]), height: Number(padded[2]), padded: true };
  return { width: input.shape[2], height: input.shape[1], padded: false };
}

/** An image file as the model's input: gray, or colour planes for a 3-channel model. */
export async function imageInput(file: string, input: ModelInput): Promise<Float32Array> {
  const [C, H, W] = input.shape;
  if (C !== 1 && C !== 3)
    throw new DataError(`${file}: the model reads ${C} channels; images have 1 or 3`);
  const { width, height } = rawSize(input);
  let rgb: Buffer;
  // sharp, a native library, loads on first use
  const { default: sharp } = await import('sharp');
  try {
    rgb = await sharp(file, { failOn: 'truncated' })
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .toColourspace('srgb')
      .resize(width, height, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer();
  } catch (err) {
    throw new DataError(`${file} is not a readable image (${(err as Error).message})`);
  }
  const { mean, std } = input;
  const x = new Float32Array(C * H * W);
  for (let k = 0; k < C; k++) x.fill((0 - mean[k]) / std[k], k * H * W, (k + 1) * H * W);
  const top = (H - height) >> 1;
  const left = (W - width) >> 1;
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < width; c++) {
      const i = 3 * (y * width + c);
      const gray = Math.round(0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]);
      for (let k = 0; k < C; k++) {
        const value = C === 1 ? gray : rgb[i + k];
        x[(k * H + y + top) * W + c + left] = (value / 255 - mean[k]) / std[k];
      }
    }
  }
  return x;
}

function probabilities(
  logits: Float32Array | Float64Array,
  output: 'softmax' | 'sigmoid',
): number[] {
  const values = Array.from(logits);
  if (output === 'sigmoid') return values.map((z) => 1 / (1 + exp(-z)));
  const max = Math.max(...values);
  const exps = values.map((z) => exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export async function predictImages(modelFile: string, images: string[]): Promise<Prediction[]> {
  const model = openModel(modelFile, 1);
  const input = requireInput(modelFile, model);
  const { net } = model;
  const out: Prediction[] = [];
  for (const file of images) {
    net.input.set(await imageInput(file, input));
    const p = probabilities(
      net.forward(1, { evaluating: true }).subarray(0, net.classes),
      net.arch.output,
    );
    const ranked = p
      .map((probability, c) => ({ class: input.classes[c] ?? String(c), probability }))
      .sort((a, b) => b.probability - a.probability);
    out.push({
      file,
      class: ranked[0].class,
      probability: ranked[0].probability,
      probabilities: ranked,
    });
  }
  return out;
}
