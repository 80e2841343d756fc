// A network's description: an ordered list of layers (conv with padding and stride, dense, tanh,
// ReLU, sigmoid, 2x2 average and max pooling, dropout) with PyTorch-style names, the input shape
// and the output kind; the paper's LeNet-5 as one such description; and what follows from a
// description alone: parameter shapes, each layer's output shape (checked to fit together),
// parameter count and FLOPs.
export type ActivationKind = 'tanh' | 'relu' | 'sigmoid';
export const ACTIVATIONS: readonly ActivationKind[] = ['tanh', 'relu', 'sigmoid'];

export type LayerSpec =
  | {
      kind: 'conv';
      name: string;
      inChannels: number;
      outChannels: number;
      kernel: number;
      /** Zeros around each side of the input (default 0). */
      padding?: number;
      /** Default 1. */
      stride?: number;
    }
  | { kind: 'dense'; name: string; inFeatures: number; outFeatures: number }
  | { kind: 'tanh' }
  | { kind: 'relu' }
  | { kind: 'sigmoid' }
  | { kind: 'avgpool' }
  | { kind: 'maxpool' }
  /** Zeroes each value with probability p while training (scaling the rest by 1/(1-p)). */
  | { kind: 'dropout'; p: number };

export type OutputKind = 'softmax' | 'sigmoid';

export interface Architecture {
  input: [channels: number, height: number, width: number];
  layers: LayerSpec[];
  /** softmax cross-entropy (default) or one-vs-rest sigmoid binary cross-entropy. */
  output: OutputKind;
}

export const isActivation = (l: LayerSpec): l is { kind: ActivationKind } =>
  l.kind === 'tanh' || l.kind === 'relu' || l.kind === 'sigmoid';

/** The activation that follows dense layer `name`, past any dropout (none: linear output). */
export function activationAfter(arch: Architecture, name: string): ActivationKind | 'linear' {
  const i = arch.layers.findIndex((l) => l.kind === 'dense' && l.name === name);
  const next = arch.layers.slice(i + 1).find((l) => l.kind !== 'dropout');
  return next && isActivation(next) ? next.kind : 'linear';
}

/**
 * Index into a network's activations (Network.acts) of the activation output (tanh, ReLU or
 * sigmoid) that follows the dense layer `name`, past any dropout: its activation vectors (the
 * dense layer's output when no activation follows).
 */
export function activationIndexOf(arch: Architecture, name: string): number {
  const i = arch.layers.findIndex((l) => l.kind === 'dense' && l.name === name);
  if (i < 0) throw new Error(`no dense layer named ${name}`);
  let k = i + 1;
  while (arch.layers[k]?.kind === 'dropout') k++;
  const next = arch.layers[k];
  return next && isActivation(next) ? k + 1 : i + 1;
}

export interface LeNetOptions {
  classes?: number;
  fc1?: number;
  fc2?: number;
  output?: OutputKind;
  input?: [number, number, number];
}

/**
 * The paper's LeNet-5: conv 6@5x5, tanh, avgpool, conv 16@5x5, tanh, avgpool, 400-120-84-C with
 * tanh.
 */
export function lenet5({
  classes = 10,
  fc1 = 120,
  fc2 = 84,
  output = 'softmax',
  input = [1, 32, 32],
}: LeNetOptions = {}): Architecture {
  // conv 5 -> pool 2 -> conv 5 -> pool 2: 32x32 gives 5x5 (400 inputs to fc1), 32x64 gives 5x13
  const side = (n: number) => Math.floor((Math.floor((n - 4) / 2) - 4) / 2);
  const flat = 16 * side(input[1]) * side(input[2]);
  return {
    input,
    output,
    layers: [
      { kind: 'conv', name: 'conv1', inChannels: input[0], outChannels: 6, kernel: 5 },
      { kind: 'tanh' },
      { kind: 'avgpool' },
      { kind: 'conv', name: 'conv2', inChannels: 6, outChannels: 16, kernel: 5 },
      { kind: 'tanh' },
      { kind: 'avgpool' },
      { kind: 'dense', name: 'fc1', inFeatures: flat, outFeatures: fc1 },
      { kind: 'tanh' },
      { kind: 'dense', name: 'fc2', inFeatures: fc1, outFeatures: fc2 },
      { kind: 'tanh' },
      { kind: 'dense', name: 'fc3', inFeatures: fc2, outFeatures: classes },
    ],
  };
}

export interface ParamView {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}
export type State = Map<string, { shape: number[]; data: Float32Array | Float64Array }>;

export type Shape3 = [number, number, number];

export function paramShapes(arch: Architecture): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  for (const l of arch.layers) {
    if (l.kind === 'conv') {
      out.push(
        { name: `${l.name}.weight`, shape: [l.outChannels, l.inChannels, l.kernel, l.kernel] },
        { name: `${l.name}.bias`, shape: [l.outChannels] },
      );
    } else if (l.kind === 'dense') {
      out.push(
        { name: `${l.name}.weight`, shape: [l.outFeatures, l.inFeatures] },
        { name: `${l.name}.bias`, shape: [l.outFeatures] },
      );
    }
  }
  return out;
}

const describe = (l: LayerSpec, i: number) => ('name' in l ? l.name : `layer ${i + 1} (${l.kind})`);

/** Output shape of every layer; throws, naming the layer, when the layer list does not fit. */
export function layerShapes(arch: Architecture): Shape3[] {
  const shapes: Shape3[] = [arch.input];
  let [c, h, w] = arch.input;
  arch.layers.forEach((l, i) => {
    const name = describe(l, i);
    if (l.kind === 'conv') {
      if (l.inChannels !== c)
        throw new Error(`${name}: expects ${l.inChannels} input channels, gets ${c}`);
      const pad = l.padding ?? 0,
        stride = l.stride ?? 1;
      if (h + 2 * pad < l.kernel || w + 2 * pad < l.kernel)
        throw new Error(
          `${name}: a ${l.kernel}x${l.kernel} kernel does not fit its ${h}x${w} input`,
        );
      c = l.outChannels;
      h = Math.floor((h + 2 * pad - l.kernel) / stride) + 1;
      w = Math.floor((w + 2 * pad - l.kernel) / stride) + 1;
    } else if (l.kind === 'avgpool' || l.kind === 'maxpool') {
      if (h % 2 || w % 2 || h < 2)
        throw new Error(`${name}: 2x2 pooling needs an even height and width, gets ${h}x${w}`);
      h >>= 1;
      w >>= 1;
    } else if (l.kind === 'dense') {
      if (l.inFeatures !== c * h * w)
        throw new Error(
          `${name}: expects ${l.inFeatures} inputs, gets ${c * h * w}` +
            (h * w > 1 ? ` (${c}x${h}x${w} flattened)` : ''),
        );
      c = l.outFeatures;
      h = 1;
      w = 1;
    }
    shapes.push([c, h, w]);
  });
  return shapes;
}

export function parameterCount(arch: Architecture): number {
  return paramShapes(arch).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Multiply-accumulates of one forward pass of one image, times two (FLOPs). */
export function forwardFlops(arch: Architecture): number {
  const shapes = layerShapes(arch);
  let macs = 0;
  arch.layers.forEach((l, i) => {
    const [c, h, w] = shapes[i + 1];
    if (l.kind === 'conv') macs += c * h * w * l.inChannels * l.kernel * l.kernel;
    if (l.kind === 'dense') macs += l.inFeatures * l.outFeatures;
  });
  return 2 * macs;
}

export const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
