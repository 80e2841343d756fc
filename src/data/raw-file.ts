// A decoded dataset in one file, so that a machine without the source images can use it: the
// queue's coordinator publishes the dataset it loaded, and its workers read it back here (data
// config `rawFile`). The typed arrays and the facts round-trip through Node's structured
// serializer (v8.serialize), which keeps them exact; the file is written atomically.
import { readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '../util/atomic.js';
import { DataError } from '../util/errors.js';
import type { RawDataset } from './types.js';

const MAGIC = 'prunelab.raw/1';

/** The dataset as bytes (what the queue stores) and back. */
export function encodeRawDataset(raw: RawDataset): Buffer {
  return serialize({ magic: MAGIC, raw });
}

export function decodeRawDataset(bytes: Buffer, source: string): RawDataset {
  let value: { magic?: string; raw?: RawDataset };
  try {
    value = deserialize(bytes) as typeof value;
  } catch (err) {
    throw new DataError(`${source} is not a dataset file (${(err as Error).message})`);
  }
  if (value?.magic !== MAGIC || !value.raw) {
    throw new DataError(`${source} is not a dataset file of this prunelab (${MAGIC})`);
  }
  return value.raw;
}

export function writeRawDataset(file: string, raw: RawDataset): void {
  writeFileAtomic(file, encodeRawDataset(raw));
}

export function readRawDataset(file: string): RawDataset {
  return decodeRawDataset(readFileSync(file), file);
}
