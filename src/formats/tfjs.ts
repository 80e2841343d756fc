// A network as a TensorFlow.js LayersModel: model.json (a Keras Sequential topology) and one
// weights shard, loadable by tf.loadLayersModel in a browser or in Node. TensorFlow.js is
// channels-last: the input is [batch, height, width, channels], convolution kernels are stored
// [h, w, in, out], dense kernels [in, out], and the first dense layer after the convolutions has
// its input rows reordered from prunelab's (channel, row, column) flattening to TF.js' (row,
// column, channel).
import { layerShapes } from '../nn/architecture.js';
import type { Network } from '../nn/network.js';
import { packageVersion } from '../util/env.js';

export interface TfjsModel {
  /** model.json's content. */
  json: Record<string, unknown>;
  /** The weights shard (weights.bin). */
  weights: Uint8Array;
}

export const TFJS_WEIGHTS = 'weights.bin';

export function tfjsModel(net: Network, metadata: Record<string, string> = {}): TfjsModel {
  const arch = net.arch;
  // shapes[i]: the input of layer i
  const shapes = layerShapes(arch);
  const [channels, height, width] = arch.input;
  const layers: Record<string, unknown>[] = [];
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const chunks: Float32Array[] = [];
  let first = true;
  let spatial = true;
  let count = 0;
  const inputShape = () => (first ? { batch_input_shape: [null, height, width, channels] } : {});
  const push = (className: string, config: Record<string, unknown>) => {
    layers.push({
      class_name: className,
      config: { ...inputShape(), dtype: 'float32', trainable: true, ...config },
    });
    first = false;
  };
  const weight = (name: string, shape: number[], data: Float32Array) => {
    specs.push({ name, shape, dtype: 'float32' });
    chunks.push(data);
  };
  arch.layers.forEach((layer, index) => {
    if (layer.kind === 'conv') {
      const { inChannels: C, outChannels: O, kernel: K } = layer;
      const w = net.param(`${layer.name}.weight`);
      const kernel = new Float32Array(w.length);
      // [O, C, K, K] -> [K, K, C, O]
      for (let o = 0; o < O; o++)
        for (let c = 0; c < C; c++)
          for (let y = 0; y < K; y++)
            for (let x = 0; x < K; x++)
              kernel[((y * K + x) * C + c) * O + o] = w[((o * C + c) * K + y) * K + x];
      const pad = layer.padding ?? 0,
        stride = layer.stride ?? 1;
      if (pad)
        push('ZeroPadding2D', {
          name: `${layer.name}_padding`,
          padding: [
            [pad, pad],
            [pad, pad],
          ],
          data_format: 'channels_last',
        });
      push('Conv2D', {
        name: layer.name,
        filters: O,
        kernel_size: [K, K],
        strides: [stride, stride],
        padding: 'valid',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation: 'linear',
        use_bias: true,
      });
      weight(`${layer.name}/kernel`, [K, K, C, O], kernel);
      weight(`${layer.name}/bias`, [O], Float32Array.from(net.param(`${layer.name}.bias`)));
    } else if (layer.kind === 'tanh' || layer.kind === 'relu' || layer.kind === 'sigmoid') {
      push('Activation', { name: `${layer.kind}_${++count}`, activation: layer.kind });
    } else if (layer.kind === 'avgpool' || layer.kind === 'maxpool') {
      const className = layer.kind === 'avgpool' ? 'AveragePooling2D' : 'MaxPooling2D';
      push(className, {
        name: `${layer.kind}_${++count}`,
        pool_size: [2, 2],
        strides: [2, 2],
        padding: 'valid',
        data_format: 'channels_last',
      });
    } else if (layer.kind === 'dropout') {
      push('Dropout', { name: `dropout_${++count}`, rate: layer.p });
    } else {
      const { inFeatures: I, outFeatures: O } = layer;
      const w = net.param(`${layer.name}.weight`);
      const kernel = new Float32Array(w.length);
      // rows of the kernel in TF.js' flattening order: (row, column, channel)
      const [C, H, W] = spatial ? shapes[index] : [I, 1, 1];
      for (let o = 0; o < O; o++) {
        for (let h = 0; h < H; h++)
          for (let x = 0; x < W; x++)
            for (let c = 0; c < C; c++)
              kernel[((h * W + x) * C + c) * O + o] = w[o * I + (c * H + h) * W + x];
      }
      if (spatial) push('Flatten', { name: 'flatten', data_format: 'channels_last' });
      spatial = false;
      push('Dense', { name: layer.name, units: O, activation: 'linear', use_bias: true });
      weight(`${layer.name}/kernel`, [I, O], kernel);
      weight(`${layer.name}/bias`, [O], Float32Array.from(net.param(`${layer.name}.bias`)));
    }
  });
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Float32Array(total);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  const json = {
    format: 'layers-model',
    generatedBy: `prunelab ${packageVersion()}`,
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'prunelab', layers },
      keras_version: 'tfjs-layers',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [TFJS_WEIGHTS], weights: specs }],
    userDefinedMetadata: { ...metadata, 'prunelab.architecture': JSON.stringify(arch) },
  };
  return { json, weights: new Uint8Array(all.buffer) };
}
