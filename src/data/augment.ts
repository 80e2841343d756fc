// Training-time augmentation as in the paper, on the cached 32x32 colour images: colour jitter
// (brightness, contrast, saturation, as torchvision's ColorJitter) while the image is in colour,
// random horizontal flip, random rotation within +-N degrees (bilinear, zero fill), then grayscale
// and standardisation with the training set's statistics. Drawn afresh each epoch from
// Rng(seed, STREAM.augment, ...stream, epoch); validation and test images are never augmented.
import { Rng, STREAM } from '../engine/rng.js';

export interface AugmentOptions {
  flip: number;
  rotation: number;
  brightness: number;
  contrast: number;
  saturation: number;
}

const S = 32,
  P = S * S;

/** Augments image i of `rgb` into out[0..1024) as standardised gray. */
function augmentOne(
  rgb: Uint8Array,
  i: number,
  out: Float32Array,
  o: number,
  rng: Rng,
  a: AugmentOptions,
  mean: number,
  std: number,
  tmp: Float32Array,
): void {
  const b = a.brightness > 0 ? rng.uniform(1 - a.brightness, 1 + a.brightness) : 1;
  const c = a.contrast > 0 ? rng.uniform(1 - a.contrast, 1 + a.contrast) : 1;
  const s = a.saturation > 0 ? rng.uniform(1 - a.saturation, 1 + a.saturation) : 1;
  const flip = rng.float() < a.flip;
  const angle = a.rotation > 0 ? (rng.uniform(-a.rotation, a.rotation) * Math.PI) / 180 : 0;
  // colour jitter, then luma
  let grayMean = 0;
  const base = i * P * 3;
  const r = new Float32Array(3);
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < 3; k++) r[k] = Math.min(255, rgb[base + 3 * p + k] * b);
    tmp[p] = 0.299 * r[0] + 0.587 * r[1] + 0.114 * r[2];
    grayMean += tmp[p];
    // saturation: blend with the pixel's gray
    for (let k = 0; k < 3; k++) r[k] = Math.min(255, Math.max(0, tmp[p] + s * (r[k] - tmp[p])));
    tmp[p] = 0.299 * r[0] + 0.587 * r[1] + 0.114 * r[2];
  }
  grayMean /= P;
  for (let p = 0; p < P; p++)
    tmp[p] = Math.min(255, Math.max(0, grayMean + c * (tmp[p] - grayMean)));
  // flip and rotation about the centre (inverse mapping, bilinear)
  const cos = Math.cos(angle),
    sin = Math.sin(angle),
    cx = (S - 1) / 2;
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const dx = x - cx,
        dy = y - cx;
      let sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cx;
      if (flip) sx = S - 1 - sx;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy),
        fx = sx - x0,
        fy = sy - y0;
      const at = (xx: number, yy: number) =>
        xx < 0 || yy < 0 || xx >= S || yy >= S ? 0 : tmp[yy * S + xx];
      const v =
        (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
        fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
      out[o + y * S + x] = (v / 255 - mean) / std;
    }
}

export function augmentSplit(
  rgb: Uint8Array,
  n: number,
  a: AugmentOptions,
  mean: number,
  std: number,
  seed: number,
  stream: number[],
  epoch: number,
  out?: Float32Array,
): Float32Array {
  const x = out ?? new Float32Array(n * P),
    tmp = new Float32Array(P);
  const rng = new Rng(seed, STREAM.augment, ...stream, epoch);
  for (let i = 0; i < n; i++) augmentOne(rgb, i, x, i * P, rng, a, mean, std, tmp);
  return x;
}
