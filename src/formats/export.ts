// `prunelab export`: a prunelab model file (safetensors) written in a format other tools load.
// Each format is a module of its own beside this one (onnx.ts, tfjs.ts); the model's metadata
// (input, preprocessing, mean, standard deviation, classes) travels with it. Written atomically.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parameterCount, type Architecture } from '../nn/architecture.js';
import type { Network } from '../nn/network.js';
import { loadModelFile, readModelState } from './model-files.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { onnxModel } from './onnx.js';
import { TFJS_WEIGHTS, tfjsModel } from './tfjs.js';

export const EXPORT_FORMATS = ['onnx', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface Exported {
  file: string;
  bytes: number;
  parameters: number;
}

/** `arch`: the model's architecture when its file does not say it (--arch, resolved by the CLI). */
export function exportModel(
  model: string,
  format: string,
  out: string,
  arch?: Architecture,
): Exported {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`--format ${format}: choose one of ${EXPORT_FORMATS.join(', ')}`);
  }
  if (format === 'onnx' && extname(out) !== '.onnx') {
    throw new UserError(`--out ${out}: an ONNX model file ends in .onnx`);
  }
  const { metadata } = readModelState(model);
  const net = loadModelFile(model, 1, 'reference', arch);
  const parameters = parameterCount(net.arch);
  const bytes = writeModelAs(net, format as ExportFormat, out, metadata);
  return { file: format === 'onnx' ? out : join(out, 'model.json'), bytes, parameters };
}

/** Where a study keeps a model of its run in `format`: onnx/<name>.onnx, tfjs/<name>/. */
export function exportPath(folder: string, format: ExportFormat, name: string): string {
  return format === 'onnx' ? join(folder, 'onnx', `${name}.onnx`) : join(folder, 'tfjs', name);
}

/** Writes `net` in `format` at `path`; returns the bytes written (TF.js: its weights). */
export function writeModelAs(
  net: Network,
  format: ExportFormat,
  path: string,
  metadata: Record<string, string>,
): number {
  if (format === 'onnx') {
    const bytes = onnxModel(net, metadata);
    writeFileAtomic(path, bytes);
    return bytes.length;
  }
  const { json, weights } = tfjsModel(net, metadata);
  writeFolderAtomic(path, { 'model.json': JSON.stringify(json), [TFJS_WEIGHTS]: weights });
  return weights.length;
}

/** Writes the files into a new folder beside `dir`, then puts it in place of `dir`. */
function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const known = new Set(Object.keys(files));
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} is a file; give a folder`);
    const others = readdirSync(dir).filter((f) => !known.has(f));
    if (others.length) {
      throw new UserError(`--out ${dir} holds other files (${others[0]}, ...); give a new folder`);
    }
  }
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp, { recursive: true });
  } catch (err) {
    throw new UserError(`--out ${dir} cannot be created (${(err as Error).message})`);
  }
  try {
    for (const [name, data] of Object.entries(files)) writeFileAtomic(join(tmp, name), data);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    // a failed write leaves neither a half-written folder nor its temp folder
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
