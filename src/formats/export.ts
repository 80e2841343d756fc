// `prunelab export`: a prunelab model file (safetensors) written in a format other tools load.
// Each format is a module of its own beside this one (onnx.ts); the model's metadata (input,
// preprocessing, mean, standard deviation, classes) travels with it. Written atomically.
import { extname } from 'node:path';
import { parameterCount } from '../nn/architecture.js';
import { loadModelFile, readModelState } from './model-files.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { onnxModel } from './onnx.js';

export const EXPORT_FORMATS = ['onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface Exported {
  file: string;
  bytes: number;
  parameters: number;
}

export function exportModel(model: string, format: string, out: string): Exported {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    const later = format === 'tfjs' ? ' (TensorFlow.js export is not there yet)' : '';
    throw new UserError(`--format ${format}: choose one of ${EXPORT_FORMATS.join(', ')}${later}`);
  }
  if (extname(out) !== '.onnx') {
    throw new UserError(`--out ${out}: an ONNX model file ends in .onnx`);
  }
  const { metadata } = readModelState(model);
  const net = loadModelFile(model, 1, 'reference');
  const bytes = onnxModel(net, metadata);
  writeFileAtomic(out, bytes);
  return { file: out, bytes: bytes.length, parameters: parameterCount(net.arch) };
}
