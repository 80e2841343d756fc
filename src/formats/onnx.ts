// A network as an ONNX model (opset 13, float32): input `input` [batch, channels, height, width]
// with a dynamic batch, output `logits` [batch, classes], the parameters as initializers under
// their PyTorch names (`fc2.weight`), and the architecture and preprocessing in metadata_props.
// Encoded with ONNX's own schema through onnx-proto (protobufjs): no protobuf written by hand.
// Convolutions are Conv (with pads and strides), activations Tanh, Relu and Sigmoid, 2x2 pooling
// AveragePool and MaxPool, dense layers Gemm (transB) after a Flatten where the input is spatial.
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';
import type { Network } from '../nn/network.js';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto;

/** The opset every exported model declares. */
export const ONNX_OPSET = 13;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

function ints(name: string, values: number[]): OnnxProto.onnx.IAttributeProto {
  return { name, type: INTS, ints: values };
}

function tensorType(dims: (number | string)[]): OnnxProto.onnx.ITypeProto {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { tensorType: { elemType: FLOAT, shape: { dim } } };
}

const OP_OF_ACTIVATION = { tanh: 'Tanh', relu: 'Relu', sigmoid: 'Sigmoid' } as const;

/** The model's bytes; `metadata` goes to metadata_props beside the architecture. */
export function onnxModel(net: Network, metadata: Record<string, string> = {}): Uint8Array {
  const arch = net.arch;
  const nodes: OnnxProto.onnx.INodeProto[] = [];
  const initializer: OnnxProto.onnx.ITensorProto[] = [];
  let current = 'input';
  let spatial = true;
  let count = 0;
  const next = (kind: string) => `${kind.toLowerCase()}_${++count}`;
  const add = (
    opType: string,
    inputs: string[],
    attribute: OnnxProto.onnx.IAttributeProto[] = [],
  ) => {
    const output = next(opType);
    nodes.push({ opType, name: output, input: inputs, output: [output], attribute });
    current = output;
  };
  const param = (name: string, shape: number[]) => {
    const values = net.param(name);
    const data = Float32Array.from(values);
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    initializer.push({ name, dims: shape, dataType: FLOAT, rawData });
    return name;
  };
  for (const layer of arch.layers) {
    if (layer.kind === 'conv') {
      const k = layer.kernel;
      const weight = param(`${layer.name}.weight`, [layer.outChannels, layer.inChannels, k, k]);
      const bias = param(`${layer.name}.bias`, [layer.outChannels]);
      const pad = layer.padding ?? 0,
        stride = layer.stride ?? 1;
      add(
        'Conv',
        [current, weight, bias],
        [
          ints('kernel_shape', [k, k]),
          ints('strides', [stride, stride]),
          ints('pads', [pad, pad, pad, pad]),
        ],
      );
    } else if (layer.kind === 'tanh' || layer.kind === 'relu' || layer.kind === 'sigmoid') {
      add(OP_OF_ACTIVATION[layer.kind], [current]);
    } else if (layer.kind === 'avgpool' || layer.kind === 'maxpool') {
      const op = layer.kind === 'avgpool' ? 'AveragePool' : 'MaxPool';
      add(op, [current], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
    } else if (layer.kind === 'dropout') {
      // dropout acts only while training: an inference graph leaves it out, as PyTorch's does
    } else {
      if (spatial) add('Flatten', [current], [{ name: 'axis', type: INT, i: 1 }]);
      spatial = false;
      const weight = param(`${layer.name}.weight`, [layer.outFeatures, layer.inFeatures]);
      const bias = param(`${layer.name}.bias`, [layer.outFeatures]);
      add('Gemm', [current, weight, bias], [{ name: 'transB', type: INT, i: 1 }]);
    }
  }
  // the last node's output is the model's output
  nodes[nodes.length - 1].output = ['logits'];
  const last = arch.layers.filter((l) => l.kind === 'dense').at(-1);
  const classes = last && last.kind === 'dense' ? last.outFeatures : 0;
  const props = { ...metadata, 'prunelab.architecture': JSON.stringify(arch) };
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'prunelab',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: 'prunelab',
      node: nodes,
      initializer,
      input: [{ name: 'input', type: tensorType(['batch', ...arch.input]) }],
      output: [{ name: 'logits', type: tensorType(['batch', classes]) }],
    },
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
