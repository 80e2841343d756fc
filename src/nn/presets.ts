// The networks a neuron-pruning study usually needs, by name, with PyTorch-style layer names (so a
// PyTorch state_dict of the same network loads as it is): the paper's LeNet-5 and its common
// variants, the Caffe LeNet-5 and LeNet-300-100 of Han et al. 2015, and any MLP by shorthand
// (`mlp:784-300-100-10:relu`). Each preset's input size is its own; the class count comes from the
// data.
import {
  lenet5,
  type ActivationKind,
  type Architecture,
  type LayerSpec,
  type OutputKind,
} from './architecture.js';

export interface PresetOptions {
  classes: number;
  output?: OutputKind;
  /** The input shape, for the presets whose input follows the data (the paper's LeNet-5). */
  input?: [number, number, number];
}

/** conv 5x5 -> 2x2 pool, twice: the side of the features the first dense layer reads. */
function lenetSide(n: number, padding: number): number {
  return Math.floor((Math.floor((n + 2 * padding - 4) / 2) - 4) / 2);
}

/** The paper's LeNet-5 with another activation, pooling or first-layer padding. */
function lenet5Variant(
  o: PresetOptions,
  activation: ActivationKind,
  pool: 'avgpool' | 'maxpool',
  input: [number, number, number],
  padding: number,
): Architecture {
  const flat = 16 * lenetSide(input[1], padding) * lenetSide(input[2], padding);
  const act = { kind: activation };
  return {
    input,
    output: o.output ?? 'softmax',
    layers: [
      { kind: 'conv', name: 'conv1', inChannels: input[0], outChannels: 6, kernel: 5, padding },
      act,
      { kind: pool },
      { kind: 'conv', name: 'conv2', inChannels: 6, outChannels: 16, kernel: 5 },
      act,
      { kind: pool },
      { kind: 'dense', name: 'fc1', inFeatures: flat, outFeatures: 120 },
      act,
      { kind: 'dense', name: 'fc2', inFeatures: 120, outFeatures: 84 },
      act,
      { kind: 'dense', name: 'fc3', inFeatures: 84, outFeatures: o.classes },
    ],
  };
}

/** Dense layers fc1, fc2, ... of the given sizes with one activation between them. */
export function mlp(
  sizes: number[],
  activation: ActivationKind,
  input: [number, number, number],
  output: OutputKind = 'softmax',
): Architecture {
  const layers: LayerSpec[] = [];
  for (let k = 1; k < sizes.length; k++) {
    if (k > 1) layers.push({ kind: activation });
    const name = `fc${k}`;
    layers.push({ kind: 'dense', name, inFeatures: sizes[k - 1], outFeatures: sizes[k] });
  }
  return { input, output, layers };
}

function lenet5Caffe(o: PresetOptions): Architecture {
  return {
    input: [1, 28, 28],
    output: o.output ?? 'softmax',
    layers: [
      { kind: 'conv', name: 'conv1', inChannels: 1, outChannels: 20, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool' },
      { kind: 'conv', name: 'conv2', inChannels: 20, outChannels: 50, kernel: 5 },
      { kind: 'relu' },
      { kind: 'maxpool' },
      { kind: 'dense', name: 'fc1', inFeatures: 800, outFeatures: 500 },
      { kind: 'relu' },
      { kind: 'dense', name: 'fc2', inFeatures: 500, outFeatures: o.classes },
    ],
  };
}

const MNIST_SIZED: [number, number, number] = [1, 28, 28];

export const PRESETS: Record<string, { about: string; build: (o: PresetOptions) => Architecture }> =
  {
    lenet5: {
      about: "the paper's: 1x32x32, conv 6 and 16 @5x5, tanh, average pooling, fc 120-84-C",
      build: (o) => lenet5({ classes: o.classes, output: o.output, input: o.input }),
    },
    'lenet5-relu': {
      about: 'the same with ReLU and max-pooling (as in PyTorch tutorials)',
      build: (o) => lenet5Variant(o, 'relu', 'maxpool', o.input ?? [1, 32, 32], 0),
    },
    'lenet5-pad': {
      about: "1x28x28 with conv1 padded by 2, otherwise the paper's (tanh, average pooling)",
      build: (o) => lenet5Variant(o, 'tanh', 'avgpool', MNIST_SIZED, 2),
    },
    'lenet5-caffe': {
      about: '1x28x28, conv 20 and 50 @5x5, ReLU, max-pooling, fc1 800-500, fc2 500-C (Caffe)',
      build: lenet5Caffe,
    },
    'lenet-300-100': {
      about: 'the MLP of Han et al. 2015: 784-300-100-C with ReLU on 1x28x28',
      build: (o) => mlp([784, 300, 100, o.classes], 'relu', MNIST_SIZED, o.output),
    },
    'lenet-300-100-tanh': {
      about: 'the same MLP with tanh',
      build: (o) => mlp([784, 300, 100, o.classes], 'tanh', MNIST_SIZED, o.output),
    },
  };

/** The input shape an MLP of `features` inputs reads when none is given. */
export function mlpInput(features: number): [number, number, number] | null {
  const known: Record<number, [number, number, number]> = {
    784: [1, 28, 28],
    1024: [1, 32, 32],
    3072: [3, 32, 32],
  };
  return known[features] ?? null;
}
