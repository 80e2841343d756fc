// What a model file says about feeding it: the input shape, how an image is brought to it, the mean
// and standard deviation it was standardised with (per channel, comma-separated), and the class
// names, as safetensors metadata (string values). Written with every model prunelab saves; read by
// `evaluate` and `predict`.
import type { PreparedData } from './types.js';

export interface ModelInput {
  /** [channels, height, width] */
  shape: [number, number, number];
  /** Per channel, on pixels in [0, 1]. */
  mean: number[];
  std: number[];
  classes: string[];
  /** In words, for people. */
  preprocessing: string;
}

export function modelMetadata(data: PreparedData): Record<string, string> {
  return {
    'prunelab.input': data.inputShape.join('x'),
    'prunelab.preprocessing': data.preprocessing,
    'prunelab.mean': String(data.mean),
    'prunelab.std': String(data.std),
    'prunelab.classes': JSON.stringify(data.classes),
    'prunelab.dataset': data.name,
  };
}

/** The feeding instructions of a model's metadata; null when the model was not saved with them. */
export function readModelInput(metadata: Record<string, string>): ModelInput | null {
  const shape = metadata['prunelab.input']?.split('x').map(Number);
  // one number per channel, comma-separated
  const numbers = (key: string) => (metadata[key] ?? '').split(',').map(Number);
  const mean = numbers('prunelab.mean');
  const std = numbers('prunelab.std');
  const classesText = metadata['prunelab.classes'];
  if (!shape || shape.length !== 3) return null;
  const finite = (v: number[]) => v.length === shape[0] && v.every((x) => Number.isFinite(x));
  if (!finite(mean) || !finite(std)) return null;
  if (!classesText) return null;
  return {
    shape: [shape[0], shape[1], shape[2]],
    mean,
    std,
    classes: JSON.parse(classesText) as string[],
    preprocessing: metadata['prunelab.preprocessing'] ?? '',
  };
}
