// Reads and writes the safetensors format (8-byte little-endian header length, a JSON header of
// {name: {dtype, shape, data_offsets}} plus __metadata__, then raw little-endian tensor bytes).
// Tensors are stored as F32 under PyTorch names and layouts (conv1.weight [6,1,5,5], fc2.weight
// [84,120], ...), so `safetensors.torch.load_file` gives a state_dict for an equivalent nn.Module.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { DataError } from '../util/errors.js';
import { notFoundMessage } from '../util/missing-file.js';
import type { State } from './network.js';

export function encodeSafetensors(state: State, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  for (const [name, t] of state) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + bytes] };
    off += bytes;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const hb = Buffer.from(json);
  const out = Buffer.alloc(8 + hb.length + off);
  out.writeBigUInt64LE(BigInt(hb.length), 0);
  hb.copy(out, 8);
  let p = 8 + hb.length;
  for (const [, t] of state) {
    const f = Float32Array.from(t.data);
    Buffer.from(f.buffer, f.byteOffset, f.byteLength).copy(out, p);
    p += f.byteLength;
  }
  return out;
}

/** One tensor's entry in a safetensors header. */
interface TensorEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** A safetensors header: tensors by name, and the optional string metadata. */
type SafetensorsHeader = Record<string, TensorEntry | Record<string, string>>;

/**
 * A torch.save file: a zip archive (PyTorch 1.6 and later) or a bare pickle (protocol 2 or more
 * starts with 0x80).
 */
function isTorchSave(b: Buffer): boolean {
  const zip = b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
  return zip || (b[0] === 0x80 && b[1] >= 2 && b[1] <= 5);
}

export function decodeSafetensors(
  buf: Uint8Array,
  what = 'safetensors data',
): { state: State; metadata: Record<string, string> } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8) throw new DataError(`${what} is too short to be a safetensors file`);
  const hl = Number(b.readBigUInt64LE(0));
  let header: SafetensorsHeader | null = null;
  if (hl <= b.length - 8) {
    try {
      header = JSON.parse(b.subarray(8, 8 + hl).toString()) as SafetensorsHeader;
    } catch {
      header = null;
    }
  }
  if (!header) {
    // not safetensors: say what it is when it is PyTorch's own format
    if (isTorchSave(b)) {
      throw new DataError(
        `${what} is a PyTorch checkpoint (torch.save), which prunelab does not unpickle; save ` +
          'the state dict as safetensors (from safetensors.torch import save_file; save_file(' +
          "model.state_dict(), 'model.safetensors')) or export ONNX (torch.onnx.export)",
      );
    }
    throw new DataError(
      hl > b.length - 8
        ? `${what} is not a safetensors file (bad header length)`
        : `${what} has a corrupt safetensors header`,
    );
  }
  const base = 8 + hl,
    state: State = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const t = entry as TensorEntry;
    const [s, e] = t.data_offsets;
    if (base + e > b.length)
      throw new DataError(`${what}: tensor ${name} runs past the end of the file (truncated?)`);
    const n = t.shape.reduce((a, c) => a * c, 1);
    let data: Float32Array;
    if (t.dtype === 'F32')
      data = new Float32Array(b.buffer.slice(b.byteOffset + base + s, b.byteOffset + base + e));
    else if (t.dtype === 'F64')
      data = Float32Array.from(
        new Float64Array(b.buffer.slice(b.byteOffset + base + s, b.byteOffset + base + e)),
      );
    else if (t.dtype === 'F16' || t.dtype === 'BF16') {
      // half precision, as PyTorch users often save: widened to float32 exactly
      const halves = new Uint16Array(
        b.buffer.slice(b.byteOffset + base + s, b.byteOffset + base + e),
      );
      data = Float32Array.from(halves, t.dtype === 'F16' ? halfToFloat : bfloatToFloat);
    } else
      throw new DataError(
        `${what}: tensor ${name} has dtype ${t.dtype}; prunelab reads F32, F64, F16 and BF16`,
      );
    if (data.length !== n)
      throw new DataError(
        `${what}: tensor ${name} has ${data.length} values for shape [${t.shape.join(', ')}]`,
      );
    state.set(name, { shape: t.shape, data });
  }
  return { state, metadata: (header.__metadata__ as Record<string, string> | undefined) ?? {} };
}

/** An IEEE 754 half-precision number's value. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A bfloat16's value: the upper half of a float32. */
function bfloatToFloat(h: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, h << 16);
  return view.getFloat32(0);
}

export function saveSafetensors(
  file: string,
  state: State,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(file, encodeSafetensors(state, metadata));
}

export function loadSafetensors(file: string): { state: State; metadata: Record<string, string> } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    throw new DataError(notFoundMessage('model file', file));
  }
  return decodeSafetensors(buf, file);
}
