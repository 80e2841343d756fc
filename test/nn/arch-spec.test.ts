// What --arch names: the presets (PyTorch layer names and sizes), the MLP shorthand, JSON spec
// files (input sizes inferred, classes filled in), and each kind of bad description refused in one
// line naming the problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { layerShapes, parameterCount, paramShapes } from '../../src/nn/architecture.js';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-arch-'));
function specFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
const resolve = (spec: string, classes = 10, input?: Record<string, number>) =>
  resolveArchitecture(spec, { classes, input });

describe('presets', () => {
  it("the Caffe LeNet-5 and LeNet-300-100 with PyTorch's names and shapes", () => {
    const caffe = resolve('lenet5-caffe');
    expect(caffe.input).toEqual([1, 28, 28]);
    expect(paramShapes(caffe)).toEqual([
      { name: 'conv1.weight', shape: [20, 1, 5, 5] },
      { name: 'conv1.bias', shape: [20] },
      { name: 'conv2.weight', shape: [50, 20, 5, 5] },
      { name: 'conv2.bias', shape: [50] },
      { name: 'fc1.weight', shape: [500, 800] },
      { name: 'fc1.bias', shape: [500] },
      { name: 'fc2.weight', shape: [10, 500] },
      { name: 'fc2.bias', shape: [10] },
    ]);
    const mlp = resolve('lenet-300-100', 5);
    expect(parameterCount(mlp)).toBe(784 * 300 + 300 + 300 * 100 + 100 + 100 * 5 + 5);
    expect(mlp.layers.filter((l) => l.kind === 'relu')).toHaveLength(2);
    expect(resolve('lenet-300-100-tanh').layers.filter((l) => l.kind === 'tanh')).toHaveLength(2);
  });

  it('lenet5-pad reads 28x28 with the same tensor shapes as the paper LeNet-5', () => {
    const pad = resolve('lenet5-pad');
    expect(layerShapes(pad)[1]).toEqual([6, 28, 28]);
    expect(paramShapes(pad)).toEqual(paramShapes(resolve('lenet5')));
  });

  it('lenet5 and lenet5-relu follow --input and --channels; fixed-size presets refuse another size', () => {
    expect(resolve('lenet5', 10, { height: 28, width: 28 }).layers[6]).toMatchObject({
      name: 'fc1',
      inFeatures: 256,
    });
    const colour = resolve('lenet5-relu', 10, { channels: 3 });
    expect(colour.input).toEqual([3, 32, 32]);
    expect(colour.layers[0]).toMatchObject({ inChannels: 3 });
    expect(() => resolve('lenet5-caffe', 10, { height: 32 })).toThrow(
      /lenet5-caffe takes 28x28 images/,
    );
    expect(() => resolve('lenet-300-100', 10, { channels: 3 })).toThrow(/leave out --channels/);
  });
});

describe('the MLP shorthand', () => {
  it('names the layers fc1, fc2, ... with one activation between them', () => {
    const arch = resolve('mlp:784-512-256-10:sigmoid');
    expect(arch.input).toEqual([1, 28, 28]);
    expect(arch.layers.map((l) => ('name' in l ? l.name : l.kind))).toEqual([
      'fc1',
      'sigmoid',
      'fc2',
      'sigmoid',
      'fc3',
    ]);
    expect(resolve('mlp:1024-20-10').layers[1]).toEqual({ kind: 'relu' });
  });

  it('refuses a malformed one, an unknown activation, and an unknown input size', () => {
    expect(() => resolve('mlp:784-x-10')).toThrow(/write an MLP as mlp:IN-HIDDEN/);
    expect(() => resolve('mlp:784-10:swish')).toThrow(/unknown activation "swish"/);
    expect(() => resolve('mlp:500-10')).toThrow(/say which images 500 inputs are with --input/);
    expect(() => resolve('mlp:784-100-5')).toThrow(
      /fc2 has 5 outputs but the data has 10 classes; end its sizes with 10$/,
    );
  });
});

describe('spec files', () => {
  it('infers input sizes, fills in the classes, and checks what is given', () => {
    const file = specFile('net.json', {
      input: [3, 16, 16],
      layers: [
        { kind: 'conv', name: 'features.0', outChannels: 8, kernel: 3, padding: 1 },
        { kind: 'relu' },
        { kind: 'maxpool' },
        { kind: 'conv', name: 'features.3', inChannels: 8, outChannels: 4, kernel: 3, stride: 2 },
        { kind: 'sigmoid' },
        { kind: 'dense', name: 'classifier.0', outFeatures: 20 },
        { kind: 'tanh' },
        { kind: 'dense', name: 'classifier.2' },
      ],
    });
    const arch = resolve(file, 7);
    expect(arch.layers[3]).toMatchObject({ inChannels: 8 });
    expect(arch.layers[5]).toMatchObject({ inFeatures: 4 * 3 * 3, outFeatures: 20 });
    expect(arch.layers[7]).toMatchObject({ inFeatures: 20, outFeatures: 7 });
    expect(arch.output).toBe('softmax');
  });

  for (const [what, content, message] of [
    ['not JSON', '{"layers": [', /is not JSON/],
    ['not a network', { layers: 'conv' }, /field layers: /],
    [
      'an unknown layer kind',
      { input: [1, 8, 8], layers: [{ kind: 'gelu' }] },
      /field layers\[0\]\.kind: unknown layer kind; use one of conv, dense/,
    ],
    [
      'a misspelt field',
      { input: [1, 8, 8], layers: [{ kind: 'dense', name: 'fc', outFeature: 3 }] },
      /field layers\[0\]: .*outFeature/,
    ],
    [
      'duplicate layer names',
      {
        input: [1, 4, 4],
        layers: [
          { kind: 'dense', name: 'fc', outFeatures: 5 },
          { kind: 'dense', name: 'fc' },
        ],
      },
      /two layers are named fc/,
    ],
    [
      'sizes that do not chain',
      {
        input: [1, 4, 4],
        layers: [
          { kind: 'dense', name: 'fc1', outFeatures: 5 },
          { kind: 'dense', name: 'fc2', inFeatures: 6 },
        ],
      },
      /fc2: expects 6 inputs, gets 5/,
    ],
    [
      'pooling an odd size',
      { input: [1, 7, 7], layers: [{ kind: 'maxpool' }, { kind: 'dense', name: 'fc' }] },
      /2x2 pooling needs an even height and width, gets 7x7/,
    ],
    [
      'a last layer that is not dense',
      {
        input: [1, 4, 4],
        layers: [{ kind: 'dense', name: 'fc', outFeatures: 10 }, { kind: 'relu' }],
      },
      /the last layer must be a dense layer/,
    ],
    [
      'a dropout probability of 1',
      {
        input: [1, 4, 4],
        layers: [
          { kind: 'dropout', p: 1 },
          { kind: 'dense', name: 'fc' },
        ],
      },
      /field layers\[0\]\.p: /,
    ],
    [
      "Keras' name for a dense layer's size",
      { input: [1, 4, 4], layers: [{ kind: 'dense', name: 'fc', units: 10 }] },
      /field layers\[0\]: unknown field "units" \(did you mean "outFeatures"\?\); a dense layer takes kind, name, inFeatures, outFeatures$/,
    ],
    [
      'a misspelt convolution field',
      {
        input: [1, 8, 8],
        layers: [
          { kind: 'conv', name: 'c', outChannels: 2, kernal: 3 },
          { kind: 'dense', name: 'fc' },
        ],
      },
      /unknown field "kernal" \(did you mean "kernel"\?\); a conv layer takes kind, name/,
    ],
    [
      'a field on an activation',
      {
        input: [1, 4, 4],
        layers: [
          { kind: 'relu', inplace: true },
          { kind: 'dense', name: 'fc' },
        ],
      },
      /unknown field "inplace"; a relu layer takes kind$/,
    ],
    [
      'an unknown top-level field',
      { input: [1, 4, 4], layer: [], layers: [{ kind: 'dense', name: 'fc' }] },
      /the file: unknown field "layer" \(did you mean "layers"\?\); a spec takes input, output/,
    ],
    [
      'a last layer sized for other classes',
      { input: [1, 4, 4], layers: [{ kind: 'dense', name: 'fc', outFeatures: 3 }] },
      /fc has 3 outputs but the data has 10 classes; leave out its outFeatures \(one output per class\)$/,
    ],
    [
      'an input shape written as an object',
      { input: { channels: 1, height: 4, width: 4 }, layers: [{ kind: 'dense', name: 'fc' }] },
      /field input: expected \[channels, height, width\] of positive integers, e\.g\. \[1, 32, 32\]$/,
    ],
    [
      "Keras' flatten layer",
      { input: [1, 4, 4], layers: [{ kind: 'flatten' }, { kind: 'dense', name: 'fc' }] },
      /unknown layer kind; use one of .*dropout \(a dense layer flattens its input: leave flatten out\)$/,
    ],
    [
      "PyTorch's name for a dense layer",
      { input: [1, 4, 4], layers: [{ kind: 'Linear', name: 'fc' }] },
      /\(a linear layer is "dense"\)$/,
    ],
    [
      'no input shape',
      { layers: [{ kind: 'dense', name: 'fc' }] },
      /give the input shape as "input": \[channels, height, width\]/,
    ],
  ] as const)
    it(`refuses ${what}`, () => {
      const file = specFile(`${what.replace(/ /g, '-')}.json`, content);
      expect(() => resolve(file)).toThrow(message);
    });

  it('refuses a missing file and an unknown name with the nearest preset', () => {
    expect(() => resolve(join(dir, 'missing.json'))).toThrow(/architecture file .* not found/);
    expect(() => resolve('lenet-300')).toThrow(/unknown architecture "lenet-300"/);
  });
});
