// One way in for a model file, whatever its format: safetensors (prunelab's own, and PyTorch's
// state dicts) or ONNX (onnx-import.ts), chosen by the file's extension. The study, evaluate,
// predict and export read models through here.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { BackendName } from '../engine/backend.js';
import type { Architecture, State } from '../nn/architecture.js';
import { architectureFromState, networkWithState } from '../nn/model-io.js';
import type { Network } from '../nn/network.js';
import { loadSafetensors } from '../nn/safetensors.js';
import { DataError } from '../util/errors.js';
import { notFoundMessage } from '../util/missing-file.js';
import { readOnnx } from './onnx-import.js';

export function isOnnx(file: string): boolean {
  return extname(file).toLowerCase() === '.onnx';
}

/** The tensors and metadata of a model file (an ONNX model's architecture in its metadata). */
export function readModelState(file: string): { state: State; metadata: Record<string, string> } {
  if (!isOnnx(file)) return loadSafetensors(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new DataError(notFoundMessage('model file', file));
  }
  const { state, metadata } = readOnnx(bytes, file);
  return { state, metadata };
}

/**
 * The network of a model file, ready to run; `arch`: its architecture when the file does not say it
 * (--arch), checked against its tensors.
 */
export function loadModelFile(
  file: string,
  batch: number,
  backend: BackendName = 'auto',
  arch?: Architecture,
): Network {
  const { state, metadata } = readModelState(file);
  const checked = architectureFromState(state, metadata, undefined, arch, file);
  return networkWithState(checked, state, batch, backend, file);
}
