// The split: stratified subsets drawn from the random seed, and a split that cannot hold every
// class named with what to change.
import { describe, expect, it } from 'vitest';
import { splitDataset } from '../../src/data/split.js';
import type { RawDataset, RawImages } from '../../src/data/types.js';

/** n images of 2x2 pixels, `perClass` of each of `classes` classes in turn. */
function images(classes: number, perClass: number): RawImages {
  const n = classes * perClass;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classes);
  return { images: new Uint8Array(n * 4), labels, n, height: 2, width: 2 };
}

const pool = (classes: number, perClass: number): RawDataset => ({
  name: 'tiny',
  classes: Array.from({ length: classes }, (_, c) => `c${c}`),
  pool: images(classes, perClass),
  source: 'test',
});

describe('splitDataset', () => {
  it('draws stratified subsets of the sizes asked, the same for the same seed', () => {
    const raw = pool(4, 25);
    const a = splitDataset(raw, { trainSize: 40, valSize: 20, testSize: 20 }, 7);
    const b = splitDataset(raw, { trainSize: 40, valSize: 20, testSize: 20 }, 7);
    expect([a.train.n, a.val.n, a.test.n]).toEqual([40, 20, 20]);
    expect(a.train.labels).toEqual(b.train.labels);
    for (let c = 0; c < 4; c++) {
      expect(a.train.labels.filter((y) => y === c)).toHaveLength(10);
      expect(a.test.labels.filter((y) => y === c)).toHaveLength(5);
    }
  });

  it('names the classes a training split too small for them leaves out, and what to change', () => {
    const raw = pool(10, 10);
    expect(() => splitDataset(raw, { trainSize: 5, valSize: 10, testSize: 10 }, 1)).toThrow(
      'tiny: no training image of classes "c5", "c6", "c7", "c8", "c9": take a larger ' +
        '--train-size (at least one image per class) or give those classes more images',
    );
    expect(() => splitDataset(raw, { trainSize: 9, valSize: 10, testSize: 10 }, 1)).toThrow(
      /no training image of class "c9": .* or give it more images$/,
    );
  });
});
