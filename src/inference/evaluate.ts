// `prunelab evaluate MODEL`: a saved model's accuracy, loss, per-class accuracy and confusion
// matrix on a split of a dataset, the images standardised as the model was trained (its metadata's
// mean and standard deviation, or --normalize) rather than with the dataset's own statistics, at
// the model's input size.
import type { TrainConfig } from '../config.js';
import { loadData } from '../data/index.js';
import type { PreparedData, Split } from '../data/types.js';
import { DataError } from '../util/errors.js';
import { dataFor } from '../train/network-choice.js';
import { openModel } from './model-file.js';

export type SplitName = 'train' | 'val' | 'test';

export interface Evaluation {
  schema: string;
  model: string;
  dataset: string;
  split: SplitName;
  images: number;
  accuracy: number;
  loss: number;
  classes: string[];
  /** Per class: its images and the fraction classified correctly. */
  perClass: { class: string; images: number; accuracy: number }[];
  /** confusion[true class][predicted class]: image counts. */
  confusion: number[][];
  /** The run whose split was used (the model's own study or training run), when one was found. */
  splitOf?: string;
}

/** The split's images as the model expects them: standardised with its own mean and std. */
function restandardise(split: Split, data: PreparedData, mean: number[], std: number[]): Split {
  const [C, H, W] = data.inputShape;
  const scale = data.std.map((s, c) => s / std[c]);
  const shift = data.mean.map((m, c) => (m - mean[c]) / std[c]);
  const channel = (i: number) => (C === 1 ? 0 : Math.floor(i / (H * W)) % C);
  return { ...split, x: split.x.map((v, i) => v * scale[channel(i)] + shift[channel(i)]) };
}

export async function evaluateModel(
  file: string,
  cfg: TrainConfig,
  splitName: SplitName = 'test',
): Promise<Evaluation> {
  const { net, input } = openModel(file, 128, cfg);
  const data = await loadData(dataFor(cfg, net.arch.input));
  if (net.classes !== data.classes.length) {
    throw new DataError(
      `${file} has ${net.classes} outputs but ${data.name} has ${data.classes.length} classes`,
    );
  }
  if (net.inputSize !== data.inputShape.reduce((a, b) => a * b, 1)) {
    throw new DataError(
      `${file} takes ${net.shapes[0].join('x')} inputs but the data is ${data.inputShape.join('x')}`,
    );
  }
  const raw = data[splitName];
  // --normalize says how the model expects its input; else the model's own metadata does
  const split = input && !cfg.normalize ? restandardise(raw, data, input.mean, input.std) : raw;
  const C = net.classes;
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  let loss = 0;
  for (let s = 0; s < split.n; s += net.batch) {
    const B = Math.min(net.batch, split.n - s);
    net.input.set(split.x.subarray(s * net.inputSize, (s + B) * net.inputSize));
    const logits = net.forward(B, { evaluating: true });
    loss += net.loss(split.y, s, B, false).loss;
    for (let n = 0; n < B; n++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (logits[n * C + c] > logits[n * C + best]) best = c;
      confusion[split.y[s + n]][best]++;
    }
  }
  const correct = confusion.reduce((sum, row, c) => sum + row[c], 0);
  const classes = input?.classes.length === C ? input.classes : data.classes;
  return {
    schema: 'prunelab.evaluation/1',
    model: file,
    dataset: data.name,
    split: splitName,
    images: split.n,
    accuracy: correct / split.n,
    loss: loss / split.n,
    classes,
    perClass: confusion.map((row, c) => {
      const images = row.reduce((a, b) => a + b, 0);
      return { class: classes[c], images, accuracy: images ? row[c] / images : NaN };
    }),
    confusion,
  };
}
