// An ONNX model (as torch.onnx.export writes it, opsets 11 to 17) read as a prunelab architecture
// and its parameters: Conv (square kernels, the same zero padding on every side and the same
// stride both ways), Tanh, Relu, Sigmoid, AveragePool and MaxPool (2x2, stride 2), Gemm or
// MatMul + Add, Flatten and the Shape/Gather/Unsqueeze/Concat/Reshape chain PyTorch emits for
// flattening, with Dropout and Identity passed through. Layer names come from the
// initializers' names (`fc2.weight` gives `fc2`, `classifier.3.weight` gives `classifier.3`). An
// op the engine cannot run is refused with its name and node; nothing is guessed.
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';
import type { Architecture, LayerSpec, State } from '../nn/architecture.js';
import { layerShapes } from '../nn/architecture.js';
import { DataError } from '../util/errors.js';

let schema: typeof OnnxProto.onnx | null = null;
/** ONNX's schema, loaded on first use: reading a safetensors model never loads protobufjs. */
function onnxSchema(): typeof OnnxProto.onnx {
  schema ??= (createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto).onnx;
  return schema;
}
const FLOAT = 1; // onnx.TensorProto.DataType.FLOAT
const INT64 = 7; // onnx.TensorProto.DataType.INT64
type Node = OnnxProto.onnx.INodeProto;
type Tensor = { dims: number[]; data: Float32Array };

/** Ops that compute shapes for a Reshape, never the data. */
const SHAPE_OPS = new Set(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Constant', 'Cast', 'Slice']);
const PASS_OPS = new Set(['Dropout', 'Identity']);
const SUPPORTED =
  'Conv, Tanh, Relu, Sigmoid, AveragePool, MaxPool, Gemm, MatMul + Add, Flatten, Reshape, ' +
  'Dropout, Identity';
const ACTIVATION_OF_OP = { Tanh: 'tanh', Relu: 'relu', Sigmoid: 'sigmoid' } as const;
const POOL_OF_OP = { AveragePool: 'avgpool', MaxPool: 'maxpool' } as const;

function tensorData(t: OnnxProto.onnx.ITensorProto, file: string): Tensor {
  const dims = (t.dims ?? []).map(Number);
  if (t.dataType !== FLOAT) {
    throw new DataError(
      `${file}: tensor ${t.name} is not float32 (ONNX type ${t.dataType}); prunelab runs float32 models`,
    );
  }
  const size = dims.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (t.rawData?.length) {
    const bytes = Uint8Array.from(t.rawData);
    data = new Float32Array(bytes.buffer, 0, bytes.length / 4);
  } else data = Float32Array.from(t.floatData ?? []);
  if (data.length !== size)
    throw new DataError(
      `${file}: tensor ${t.name} holds ${data.length} values for shape [${dims.join(', ')}]`,
    );
  return { dims, data };
}

/** The values of an integer constant (Pad's pads, a Reshape's shape). */
function integerValues(t: OnnxProto.onnx.ITensorProto): number[] {
  if (t.int64Data?.length) return t.int64Data.map(Number);
  if (t.int32Data?.length) return t.int32Data.map(Number);
  const raw = t.rawData ? Uint8Array.from(t.rawData) : new Uint8Array(0);
  if (t.dataType === INT64) {
    return Array.from(new BigInt64Array(raw.buffer, 0, raw.length / 8), Number);
  }
  return Array.from(new Int32Array(raw.buffer, 0, raw.length / 4));
}

function attr(node: Node, name: string): OnnxProto.onnx.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}
const intsOf = (node: Node, name: string) => attr(node, name)?.ints?.map(Number);
const intOf = (node: Node, name: string, fallback: number) => {
  const a = attr(node, name);
  return a?.i === undefined || a.i === null ? fallback : Number(a.i);
};

const layerName = (weight: string) => weight.replace(/\.weight$/, '').replace(/^onnx::/, '');

function transpose(t: Tensor): Tensor {
  const [rows, cols] = t.dims;
  const out = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return { dims: [cols, rows], data: out };
}

/** The architecture and parameters of an ONNX model file's bytes. */
export function readOnnx(
  bytes: Uint8Array,
  file: string,
): { arch: Architecture; state: State; metadata: Record<string, string> } {
  let model: OnnxProto.onnx.ModelProto;
  try {
    model = onnxSchema().ModelProto.decode(bytes);
  } catch (err) {
    throw new DataError(
      `${file} is not an ONNX model, or is truncated (${(err as Error).message})`,
    );
  }
  const graph = model.graph;
  if (!graph?.node?.length) throw new DataError(`${file} is not an ONNX model (no graph)`);
  const inits = new Map<string, Tensor>();
  for (const t of graph.initializer ?? []) inits.set(t.name ?? '', tensorData(t, file));
  const constants = new Set<string>(inits.keys());
  const integers = new Map<string, number[]>();
  const input = (graph.input ?? []).find((i) => !inits.has(i.name ?? ''));
  const type = input?.type?.tensorType;
  if (!input || !type) throw new DataError(`${file}: the model has no input tensor`);
  if (type.elemType !== FLOAT) {
    throw new DataError(`${file}: input ${input.name} is not float32 (ONNX type ${type.elemType})`);
  }
  const dims = (type.shape?.dim ?? []).map((d) =>
    d.dimValue === undefined || d.dimValue === null ? 0 : Number(d.dimValue),
  );
  if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) {
    throw new DataError(
      `${file}: input ${input.name} has shape [${dims.join(', ')}]; ` +
        'prunelab takes [batch, channels, height, width] images',
    );
  }
  const layers: LayerSpec[] = [];
  const state: State = new Map();
  const keep = (name: string, t: Tensor) => state.set(name, { shape: t.dims, data: t.data });
  let current = input.name ?? '';
  let pending: { name: string; weight: Tensor } | null = null;
  const weightOf = (node: Node, k: number) => {
    const t = inits.get(node.input?.[k] ?? '');
    if (!t)
      throw new DataError(
        `${file}: node ${node.name} (${node.opType}) takes a weight that is not a constant`,
      );
    return t;
  };
  const dense = (name: string, weight: Tensor, bias: Tensor | undefined) => {
    const [outFeatures, inFeatures] = weight.dims;
    layers.push({ kind: 'dense', name, inFeatures, outFeatures });
    keep(`${name}.weight`, weight);
    keep(`${name}.bias`, bias ?? { dims: [outFeatures], data: new Float32Array(outFeatures) });
  };
  for (const node of graph.node) {
    const op = node.opType ?? '';
    const where = `node ${node.name || '(unnamed)'}`;
    if (SHAPE_OPS.has(op)) {
      for (const o of node.output ?? []) constants.add(o);
      const value = attr(node, 'value')?.t;
      if (op === 'Constant' && value) integers.set(node.output?.[0] ?? '', integerValues(value));
      continue;
    }
    const data = node.input?.[0];
    if (pending && op !== 'Add')
      throw new DataError(`${file}: ${where}: a MatMul not followed by its bias Add`);
    if (data !== current) {
      throw new DataError(
        `${file}: ${where} (${op}) does not continue the chain of layers; prunelab reads sequential networks`,
      );
    }
    const output = node.output?.[0] ?? '';
    if (PASS_OPS.has(op)) {
      current = output;
      continue;
    }
    if (op === 'Pad') {
      // PyTorch pads before some poolings, with zeros: nothing to do then
      const pads = intsOf(node, 'pads') ?? integers.get(node.input?.[1] ?? '');
      if (!pads || pads.some((p) => p !== 0)) {
        throw new DataError(`${file}: ${where}: Pad with padding is not supported yet`);
      }
      current = output;
      continue;
    }
    if (op === 'Conv') {
      const weight = weightOf(node, 1);
      const [outChannels, inChannels, kh, kw] = weight.dims;
      const pads = intsOf(node, 'pads') ?? [0, 0, 0, 0];
      const strides = intsOf(node, 'strides') ?? [1, 1];
      const dilations = intsOf(node, 'dilations') ?? [1, 1];
      const autoPad = attr(node, 'auto_pad')?.s;
      if (
        kh !== kw ||
        pads.some((p) => p !== pads[0]) ||
        strides[0] !== strides[1] ||
        dilations.some((d) => d !== 1) ||
        intOf(node, 'group', 1) !== 1 ||
        (autoPad?.length && new TextDecoder().decode(autoPad) !== 'NOTSET')
      ) {
        throw new DataError(
          `${file}: ${where}: Conv with unequal padding or strides, dilation, groups, auto_pad ` +
            'or a non-square kernel is not supported',
        );
      }
      const name = layerName(node.input![1]);
      const geometry = {
        ...(pads[0] ? { padding: pads[0] } : {}),
        ...(strides[0] !== 1 ? { stride: strides[0] } : {}),
      };
      layers.push({ kind: 'conv', name, inChannels, outChannels, kernel: kh, ...geometry });
      keep(`${name}.weight`, weight);
      keep(
        `${name}.bias`,
        node.input?.[2]
          ? weightOf(node, 2)
          : { dims: [outChannels], data: new Float32Array(outChannels) },
      );
    } else if (op === 'Tanh' || op === 'Relu' || op === 'Sigmoid') {
      layers.push({ kind: ACTIVATION_OF_OP[op] });
    } else if (op === 'AveragePool' || op === 'MaxPool') {
      const kernel = intsOf(node, 'kernel_shape') ?? [];
      const strides = intsOf(node, 'strides') ?? [];
      const pads = intsOf(node, 'pads') ?? [0, 0, 0, 0];
      const dilations = intsOf(node, 'dilations') ?? [1, 1];
      const plain =
        kernel.join() === '2,2' &&
        strides.join() === '2,2' &&
        pads.every((p) => p === 0) &&
        dilations.every((d) => d === 1) &&
        intOf(node, 'ceil_mode', 0) === 0 &&
        (node.output?.length ?? 1) === 1;
      if (!plain)
        throw new DataError(
          `${file}: ${where}: ${op} other than 2x2 with stride 2 is not supported`,
        );
      layers.push({ kind: POOL_OF_OP[op] });
    } else if (op === 'Flatten' || op === 'Reshape') {
      if (op === 'Flatten' && intOf(node, 'axis', 1) !== 1)
        throw new DataError(`${file}: ${where}: Flatten must keep the batch axis`);
      if (op === 'Reshape' && !constants.has(node.input?.[1] ?? ''))
        throw new DataError(`${file}: ${where}: a Reshape to a computed shape`);
      // a dense layer flattens [C, H, W] in the same order
    } else if (op === 'Gemm') {
      if (intOf(node, 'transA', 0) !== 0)
        throw new DataError(`${file}: ${where}: Gemm with transA`);
      const weight = weightOf(node, 1);
      const name = layerName(node.input![1]);
      dense(
        name,
        intOf(node, 'transB', 0) ? weight : transpose(weight),
        node.input?.[2] ? weightOf(node, 2) : undefined,
      );
    } else if (op === 'MatMul') {
      pending = { name: node.input![1], weight: transpose(weightOf(node, 1)) };
    } else if (op === 'Add' && pending) {
      // PyTorch names the transposed weight onnx::MatMul_N: the bias then names the layer
      const bias = node.input?.[1] ?? '';
      const named = pending.name.endsWith('.weight') ? pending.name : bias.replace(/\.bias$/, '');
      dense(layerName(named), pending.weight, weightOf(node, 1));
      pending = null;
    } else {
      throw new DataError(
        `${file}: ${where}: ONNX op ${op} is not supported by prunelab's engine (it runs ${SUPPORTED})`,
      );
    }
    current = output;
  }
  const outputs = (graph.output ?? []).map((o) => o.name);
  if (!outputs.includes(current))
    throw new DataError(`${file}: the graph's output is not the end of its chain of layers`);
  const arch: Architecture = { input: [dims[1], dims[2], dims[3]], layers, output: 'softmax' };
  try {
    layerShapes(arch);
  } catch (err) {
    throw new DataError(`${file}: ${(err as Error).message}`);
  }
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  metadata['prunelab.architecture'] = JSON.stringify(arch);
  return { arch, state, metadata };
}
