// The decoded-dataset file (src/data/raw-file.ts) that the queue's workers and the in-browser study
// read instead of the source: every array, label and fact comes back exactly, whatever the arrays'
// lengths; a file of something else or cut short is refused with its name.
import { describe, expect, it } from 'vitest';
import { decodeRawDataset, encodeRawDataset } from '../../src/data/raw-file.js';
import type { RawDataset } from '../../src/data/types.js';

describe('the dataset file', () => {
  it('gives back every array and fact exactly', () => {
    const images = (n: number) => Uint8Array.from({ length: n * 6 }, (_, i) => (i * 37) % 256);
    const raw: RawDataset = {
      name: 'tiny',
      classes: ['a', 'b <c>'],
      source: 'a test',
      info: { images: 5, skipped: [{ file: 'x.png', reason: 'bad' }] },
      attrs: [{ split: 'train', label: '1' }],
      published: {
        train: { images: images(3), labels: Uint8Array.of(0, 1, 1), n: 3, height: 2, width: 3 },
        test: {
          images: images(1),
          labels: Uint8Array.of(1),
          n: 1,
          height: 2,
          width: 3,
          values: Float32Array.of(0.1, -2.5e-8, Math.PI, 1e30, -0, 7),
        },
      },
    };
    const back = decodeRawDataset(encodeRawDataset(raw), 'tiny.raw');
    expect(back).toEqual(raw);
    expect(back.published!.test.values).toBeInstanceOf(Float32Array);
    expect(back.published!.train.images).toBeInstanceOf(Uint8Array);
  });

  it('refuses another file, and a file cut short, naming it', () => {
    expect(() => decodeRawDataset(new TextEncoder().encode('{"n": 1}'), 'some.json')).toThrow(
      /some\.json is not a dataset file of this prunelab/,
    );
    const pool = {
      images: new Uint8Array(64),
      labels: new Uint8Array(1),
      n: 1,
      height: 8,
      width: 8,
    };
    const bytes = encodeRawDataset({ name: 'x', classes: ['a'], source: 's', pool });
    expect(() => decodeRawDataset(bytes.subarray(0, bytes.length - 8), 'cut.raw')).toThrow(
      /cut\.raw is cut short/,
    );
  });
});
