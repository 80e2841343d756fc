// Decoding image files (JPEG, PNG, WebP; any size, grayscale/RGB/RGBA, 8 or 16 bit) with sharp
// (libvips) into RGB of the network's input size (32x32 unless the network reads another), several
// at a time, through a content-keyed cache outside the source
// tree: each decoded image is stored under the SHA-256 of its file bytes, so a renamed or moved
// file is not decoded again and a changed one is. A corrupt or truncated file stops the run with
// its name, or is skipped and counted with --skip-bad-images.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { makeDir } from '../util/folders.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { DataError } from '../util/errors.js';
import { cacheDir } from './cache.js';

export const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp)$/i;
export const SIDE = 32;

/** Height and width images are decoded to (stretched to fill). */
export interface ImageSize {
  height: number;
  width: number;
}

/** The cache key's prefix: what a decoded image is (32x32 keeps the first version's name). */
function version({ height, width }: ImageSize): string {
  return height === SIDE && width === SIDE ? 'rgb32-fill-v1' : `rgb${width}x${height}-fill-v1`;
}

export interface ImageRecord {
  file: string;
  label: number;
  split?: 'train' | 'val' | 'test';
  attrs?: Record<string, string>;
}

export interface Decoded {
  rgb: Uint8Array;
  records: ImageRecord[];
  skipped: { file: string; reason: string }[];
}

async function decodeOne(bytes: Buffer, size: ImageSize): Promise<Uint8Array> {
  // sharp, a native library, loads on first use: the bundled sets never need it
  const { default: sharp } = await import('sharp');
  const { data } = await sharp(bytes, { failOn: 'truncated' })
    .flatten({ background: { r: 0, g: 0, b: 0 } })
    .toColourspace('srgb')
    .resize(size.width, size.height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = size.width * size.height * 3;
  if (data.length !== pixels)
    throw new Error(`decoded to ${data.length} bytes, expected ${pixels}`);
  return new Uint8Array(data);
}

export async function decodeImages(
  records: ImageRecord[],
  opts: {
    skipBad: boolean;
    concurrency?: number;
    onProgress?: (done: number) => void;
    /** Default 32x32. */
    size?: ImageSize;
  },
): Promise<Decoded> {
  const size = opts.size ?? { height: SIDE, width: SIDE };
  const PIXELS = size.height * size.width * 3;
  const VERSION = version(size);
  const dir = join(cacheDir(), 'images');
  const out = new Array<Uint8Array | null>(records.length).fill(null);
  const skipped: { file: string; reason: string }[] = [];
  let next = 0,
    done = 0;
  const worker = async () => {
    while (next < records.length) {
      const i = next++;
      const file = records[i].file;
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch {
        throw new DataError(`image ${file} cannot be read (missing or no permission)`);
      }
      const key = createHash('sha256').update(VERSION).update(bytes).digest('hex');
      const cached = join(dir, key.slice(0, 2), key);
      if (existsSync(cached)) {
        const c = readFileSync(cached);
        if (c.length === PIXELS) {
          out[i] = new Uint8Array(c);
          done++;
          opts.onProgress?.(done);
          continue;
        }
      }
      try {
        out[i] = await decodeOne(bytes, size);
      } catch (e) {
        const reason = (e as Error).message;
        if (!opts.skipBad)
          throw new DataError(
            `image ${file} is corrupt or not a supported image (${reason}); fix or remove ` +
              `it, or pass --skip-bad-images to skip such files`,
          );
        skipped.push({ file, reason });
        continue;
      }
      makeDir(join(dir, key.slice(0, 2)));
      writeFileAtomic(cached, out[i]);
      done++;
      opts.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  const kept = records.filter((_, i) => out[i] !== null);
  const rgb = new Uint8Array(kept.length * PIXELS);
  let k = 0;
  out.forEach((o) => {
    if (o) rgb.set(o, k++ * PIXELS);
  });
  return { rgb, records: kept, skipped };
}

/** ITU-R 601 luma, as PIL's convert('L') and torchvision's Grayscale. */
export function toGray(rgb: Uint8Array): Uint8Array {
  const g = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < g.length; i++)
    g[i] = Math.round(0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]);
  return g;
}
