// What the export tests share: a baseline trained by the CLI on real Fashion-MNIST and a copy of it
// with units of fc2 removed (as a study would leave it), the CLI, onnxruntime-node's shape as the
// tests use it, and the comparison of two sets of logits: within 1e-5 of the reference logits'
// scale (float32 rounding; an element-wise relative error means nothing for logits near zero).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadData } from '../../src/data/index.js';
import type { PreparedData } from '../../src/data/types.js';
import { loadModel, saveModel } from '../../src/nn/model-io.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import { removeUnits } from '../../src/prune/surgery.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');

export const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

/** What the tests use of onnxruntime-node (installed on demand, so without its types here). */
export interface Ort {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
  InferenceSession: {
    create(file: string): Promise<{
      run(
        feeds: Record<string, unknown>,
      ): Promise<Record<string, { dims: number[]; data: unknown }>>;
    }>;
  };
}

export interface Models {
  data: PreparedData;
  trained: string;
  pruned: string;
}

/** Where trainAndPrune writes its two model files in `tmp`. */
export function modelPaths(tmp: string): { trained: string; pruned: string } {
  return {
    trained: join(tmp, 'trained', 'model.safetensors'),
    pruned: join(tmp, 'pruned.safetensors'),
  };
}

/** A baseline trained in `tmp` (testSize test images) and a copy without fc2's `removed` units. */
export async function trainAndPrune(
  tmp: string,
  testSize: number,
  removed: number[],
): Promise<Models> {
  const sizes = ['--train-size', '500', '--val-size', '100', '--test-size', String(testSize)];
  const r = cli('train', ...sizes, '--epochs', '2', '--out', join(tmp, 'trained'), '--quiet');
  if (r.status !== 0) throw new Error(r.stderr);
  const data = await loadData({
    dataset: 'fashion-mnist',
    seed: 1,
    trainSize: 500,
    valSize: 100,
    testSize,
  });
  const { trained, pruned } = modelPaths(tmp);
  const smaller = removeUnits(loadModel(trained, 16), 'fc2', removed);
  saveModel(pruned, smaller, loadSafetensors(trained).metadata);
  return { data, trained, pruned };
}

/** What the tests use of TensorFlow.js (installed on demand, so without its types here). */
export interface Tf {
  io: { fromMemory(artifacts: Record<string, unknown>): unknown };
  loadLayersModel(handler: unknown): Promise<{ predict(x: unknown): { dataSync(): Float32Array } }>;
  tensor4d(data: Float32Array, shape: number[]): { transpose(perm: number[]): unknown };
}

/**
 * The logits TensorFlow.js gives for images `x` ([n, channels, height, width] as prunelab takes
 * them) from a LayersModel folder (model.json and weights.bin).
 */
export async function tfjsLogits(
  tf: Tf,
  folder: string,
  x: Float32Array,
  shape: number[],
): Promise<Float32Array> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as {
    modelTopology: unknown;
    weightsManifest: { weights: unknown }[];
  };
  const bytes = readFileSync(join(folder, 'weights.bin'));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
  // TensorFlow.js takes images channels-last
  return model.predict(tf.tensor4d(x, shape).transpose([0, 2, 3, 1])).dataSync();
}

/** `logits` equal `reference` to float32 rounding: within 1e-5 of the reference's scale. */
export function expectSameLogits(logits: ArrayLike<number>, reference: ArrayLike<number>): void {
  expect(logits.length).toBe(reference.length);
  const scale = Math.max(1, ...Array.from(reference, Math.abs));
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    worst = Math.max(worst, Math.abs(logits[i] - reference[i]));
  }
  expect(worst).toBeLessThan(1e-5 * scale);
}
