// A saved model with what its metadata says about feeding it: the network, and its input (shape,
// preprocessing, mean and standard deviation, class names) when it was saved with them.
import { readModelInput, type ModelInput } from '../data/metadata.js';
import { readModelState } from '../formats/model-files.js';
import { architectureFromState, networkWithState } from '../nn/model-io.js';
import type { Network } from '../nn/network.js';
import { modelArchitecture } from '../train/network-choice.js';
import { DataError } from '../util/errors.js';

export interface ModelFile {
  net: Network;
  input: ModelInput | null;
}

/** `network`: --arch and --output for a file that does not say its architecture. */
export function openModel(
  file: string,
  batch = 128,
  network?: Parameters<typeof modelArchitecture>[0],
): ModelFile {
  const { state, metadata } = readModelState(file);
  const arch = network
    ? modelArchitecture(network, state, metadata, file)
    : architectureFromState(state, metadata, undefined, undefined, file);
  return {
    net: networkWithState(arch, state, batch, 'auto', file),
    input: readModelInput(metadata),
  };
}

/** The model's feeding instructions, or a clear error for a model saved without them. */
export function requireInput(file: string, model: ModelFile): ModelInput {
  if (model.input) return model.input;
  throw new DataError(
    `${file} does not say how to feed it (no prunelab.input, mean, std and classes in its ` +
      'metadata: saved by another tool or by prunelab before 0.2); evaluate it with ' +
      '`prunelab evaluate` on a dataset instead',
  );
}
