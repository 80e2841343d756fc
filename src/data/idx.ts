// The canonical IDX files (gzipped or not), e.g. Debian's dataset-fashion-mnist under
// /usr/share/datasets/fashion-mnist: train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
// t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]. Keeps the published train/test split.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../util/errors.js';
import { FASHION_CLASSES } from './fashion-mnist.js';
import type { RawDataset, RawImages } from './types.js';

function readIdx(dir: string, base: string): Buffer {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) {
      const raw = readFileSync(p);
      try {
        return name.endsWith('.gz') ? gunzipSync(raw) : raw;
      } catch {
        throw new DataError(`${p} is not a valid gzip file; re-download or reinstall it`);
      }
    }
  }
  throw new DataError(
    `IDX file ${base}[.gz] not found in ${dir}; expected the four MNIST-format files (on ` +
      `Debian: apt-get install dataset-fashion-mnist, then --data ` +
      `/usr/share/datasets/fashion-mnist)`,
  );
}

function parse(dir: string, prefix: string): RawImages {
  const img = readIdx(dir, `${prefix}-images-idx3-ubyte`),
    lab = readIdx(dir, `${prefix}-labels-idx1-ubyte`);
  if (img.readUInt32BE(0) !== 0x803 || lab.readUInt32BE(0) !== 0x801)
    throw new DataError(
      `${dir}: ${prefix} files do not start with the IDX magic numbers (2051 / 2049)`,
    );
  const n = img.readUInt32BE(4),
    height = img.readUInt32BE(8),
    width = img.readUInt32BE(12);
  if (lab.readUInt32BE(4) !== n)
    throw new DataError(`${dir}: ${prefix} has ${n} images but ${lab.readUInt32BE(4)} labels`);
  if (img.length < 16 + n * height * width || lab.length < 8 + n)
    throw new DataError(`${dir}: ${prefix} files are truncated`);
  const labels = new Uint8Array(lab.subarray(8, 8 + n));
  for (const l of labels) if (l > 9) throw new DataError(`${dir}: label ${l} out of range 0..9`);
  return {
    images: new Uint8Array(img.subarray(16, 16 + n * height * width)),
    labels,
    n,
    height,
    width,
  };
}

export function loadIdx(dir: string | undefined): RawDataset {
  if (!dir)
    throw new DataError(
      '--dataset idx needs --data DIR, the folder holding the IDX files (e.g. ' +
        '/usr/share/datasets/fashion-mnist)',
    );
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new DataError(
      `data folder ${dir} does not exist; pass the folder holding the IDX files with --data`,
    );
  const train = parse(dir, 'train'),
    test = parse(dir, 't10k');
  const classes = /fashion/i.test(dir)
    ? FASHION_CLASSES
    : Array.from({ length: 10 }, (_, i) => String(i));
  return { name: 'idx', classes, published: { train, test }, source: `IDX files in ${dir}` };
}
