// Saving and loading whole models: safetensors weights plus the architecture in the metadata
// (`prunelab.architecture`), so a pruned model (fc2 with 51 units, say) loads as what it is.
// A plain PyTorch LeNet-5 state_dict (conv1, conv2, fc1, fc2, fc3) loads too: its shapes say the
// sizes.
import type { BackendName } from '../engine/backend.js';
import { DataError } from '../util/errors.js';
import { lenet5, Network, type Architecture, type State } from './network.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

export function saveModel(file: string, net: Network, extra: Record<string, string> = {}): void {
  // the network's own architecture, whatever `extra` says (a pruned one differs from its file's)
  saveSafetensors(file, net.getState(), {
    format: 'pt',
    ...extra,
    'prunelab.architecture': JSON.stringify(net.arch),
  });
}

export function architectureFromState(
  state: State,
  meta: Record<string, string>,
  output: 'softmax' | 'sigmoid' = 'softmax',
): Architecture {
  const stored = meta['prunelab.architecture'];
  if (stored) return JSON.parse(stored) as Architecture;
  const shape = (n: string) => {
    const t = state.get(n);
    if (!t)
      throw new DataError(
        `model has no tensor ${n}; prunelab reads LeNet-5 state dicts with conv1, conv2, fc1, fc2, fc3`,
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

export function loadModel(file: string, batch: number, backend: BackendName = 'auto'): Network {
  const { state, metadata } = loadSafetensors(file);
  const arch = architectureFromState(state, metadata);
  const net = new Network(arch, batch, backend);
  try {
    net.setState(state);
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
  return net;
}
