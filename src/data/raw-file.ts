// A decoded dataset in one file, so that a place without the source images can use it: the
// queue's coordinator publishes the dataset it loaded and its workers read it back here (data
// config `rawFile`), and `prunelab serve` sends the bundled sets to the in-browser study the same
// way. The layout is portable (Node and a browser read it alike) and exact: a magic line, the
// header's length (uint32, little-endian), the dataset as JSON with each typed array replaced by
// its place in the payload, then the payload (every array starting on a 4-byte boundary).
import { readFileSync } from 'node:fs';
import { DataError } from '../util/errors.js';
import type { RawDataset } from './types.js';

const MAGIC = 'prunelab.raw/2\n';
const encoder = new TextEncoder();

/** Where a typed array is in the payload. */
interface Placed {
  $array: 'uint8' | 'float32';
  offset: number;
  length: number;
}

function isPlaced(value: unknown): value is Placed {
  return typeof value === 'object' && value !== null && '$array' in value;
}

/** The dataset as bytes (what the queue stores and the web view sends) and back. */
export function encodeRawDataset(raw: RawDataset): Uint8Array {
  const arrays: Uint8Array[] = [];
  let size = 0;
  const header = JSON.stringify(raw, (_key, value: unknown) => {
    if (!(value instanceof Uint8Array || value instanceof Float32Array)) return value;
    const offset = size;
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    arrays.push(bytes);
    size += Math.ceil(bytes.byteLength / 4) * 4;
    const kind = value instanceof Uint8Array ? 'uint8' : 'float32';
    return { $array: kind, offset, length: value.length } satisfies Placed;
  });
  const magic = encoder.encode(MAGIC);
  const json = encoder.encode(header);
  const start = Math.ceil((magic.length + 4 + json.length) / 4) * 4;
  const out = new Uint8Array(start + size);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(magic.length, json.length, true);
  out.set(json, magic.length + 4);
  let at = start;
  for (const bytes of arrays) {
    out.set(bytes, at);
    at += Math.ceil(bytes.byteLength / 4) * 4;
  }
  return out;
}

export function decodeRawDataset(bytes: Uint8Array, source: string): RawDataset {
  const magic = encoder.encode(MAGIC);
  const head = new TextDecoder().decode(bytes.subarray(0, magic.length));
  if (head !== MAGIC) {
    throw new DataError(`${source} is not a dataset file of this prunelab (${MAGIC.trim()})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(magic.length, true);
  const json = bytes.subarray(magic.length + 4, magic.length + 4 + length);
  const start = Math.ceil((magic.length + 4 + length) / 4) * 4;
  const array = (placed: Placed): Uint8Array | Float32Array => {
    const begin = start + placed.offset;
    const width = placed.$array === 'uint8' ? 1 : 4;
    const end = begin + placed.length * width;
    if (end > bytes.length) throw new DataError(`${source} is cut short; fetch or copy it again`);
    const copy = bytes.slice(begin, end);
    return width === 1 ? copy : new Float32Array(copy.buffer);
  };
  try {
    const revive = (_key: string, value: unknown) => (isPlaced(value) ? array(value) : value);
    return JSON.parse(new TextDecoder().decode(json), revive) as RawDataset;
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${source} is not a dataset file (${(err as Error).message})`);
  }
}

export function readRawDataset(file: string): RawDataset {
  return decodeRawDataset(readFileSync(file), file);
}
