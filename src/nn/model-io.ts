// Saving and loading whole models: safetensors weights plus the architecture in the metadata
// (`prunelab.architecture`), so a pruned model (fc2 with 51 units, say) loads as what it is.
// A PyTorch state_dict loads with the architecture given (--arch), its tensors checked against it;
// a plain LeNet-5 state_dict (conv1, conv2, fc1, fc2, fc3) loads without one: its shapes say the
// sizes.
import type { BackendName } from '../engine/backend.js';
import { DataError } from '../util/errors.js';
import { lenet5, Network, paramShapes, type Architecture, type State } from './network.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

export function saveModel(file: string, net: Network, extra: Record<string, string> = {}): void {
  // the network's own architecture, whatever `extra` says (a pruned one differs from its file's)
  saveSafetensors(file, net.getState(), {
    format: 'pt',
    ...extra,
    'prunelab.architecture': JSON.stringify(net.arch),
  });
}

/**
 * Checks that a model file's tensors are the architecture's, naming the first that is missing or
 * of another shape (with both shapes).
 */
export function checkStateShapes(arch: Architecture, state: State, source: string): void {
  for (const { name, shape } of paramShapes(arch)) {
    const t = state.get(name);
    if (!t)
      throw new DataError(
        `${source} has no tensor ${name}, which the architecture needs (it has ` +
          `${[...state.keys()].slice(0, 8).join(', ')}${state.size > 8 ? ', ...' : ''})`,
      );
    if (t.shape.join('x') !== shape.join('x'))
      throw new DataError(
        `${source}: tensor ${name} is [${t.shape.join(', ')}] but the architecture expects ` +
          `[${shape.join(', ')}]`,
      );
  }
}

/**
 * A model file's architecture: `given` (--arch) checked against its tensors, else the one in its
 * metadata, else the paper's LeNet-5 sized by its tensors' shapes.
 */
export function architectureFromState(
  state: State,
  meta: Record<string, string>,
  output: 'softmax' | 'sigmoid' = 'softmax',
  given?: Architecture,
  source = 'the model file',
): Architecture {
  if (given) {
    checkStateShapes(given, state, source);
    return given;
  }
  const stored = meta['prunelab.architecture'];
  if (stored) return JSON.parse(stored) as Architecture;
  const shape = (n: string) => {
    const t = state.get(n);
    if (!t)
      throw new DataError(
        `${source} has no tensor ${n} and does not say its architecture: give it with --arch ` +
          '(a preset such as lenet5-caffe or lenet-300-100, mlp:..., or a JSON spec file); ' +
          'without one prunelab reads LeNet-5 state dicts (conv1, conv2, fc1, fc2, fc3)',
      );
    return t.shape;
  };
  return lenet5({
    fc1: shape('fc1.weight')[0],
    fc2: shape('fc2.weight')[0],
    classes: shape('fc3.weight')[0],
    output,
  });
}

/**
 * A network of `arch` holding a model file's tensors; a tensor that does not fit names `source`.
 */
export function networkWithState(
  arch: Architecture,
  state: State,
  batch: number,
  backend: BackendName,
  source: string,
): Network {
  const net = new Network(arch, batch, backend);
  try {
    net.setState(state);
  } catch (e) {
    throw new DataError(`${source}: ${(e as Error).message}`);
  }
  return net;
}

export function loadModel(file: string, batch: number, backend: BackendName = 'auto'): Network {
  const { state, metadata } = loadSafetensors(file);
  const arch = architectureFromState(state, metadata, undefined, undefined, file);
  return networkWithState(arch, state, batch, backend, file);
}
