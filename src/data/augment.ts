// Training-time augmentation as in the paper, on the decoded colour images (at the network's input
// size): colour jitter (brightness, contrast, saturation, as torchvision's ColorJitter) while the
// image is in colour, random horizontal flip, random rotation within +-N degrees (bilinear, zero
// fill), then grayscale (or the three colour planes for a colour network) and standardisation per
// channel with the data's statistics. Drawn afresh each epoch from
// Rng(seed, STREAM.augment, ...stream, epoch); validation and test images are never augmented.
import { Rng, STREAM } from '../engine/rng.js';

export interface AugmentOptions {
  flip: number;
  rotation: number;
  brightness: number;
  contrast: number;
  saturation: number;
}

/** The images' height and width (as decoded) and the network's channels: 1 (gray) or 3 (RGB). */
export interface AugmentShape {
  channels: number;
  height: number;
  width: number;
}

/** Augments image i of `rgb` into out[o..) as standardised gray or colour planes. */
function augmentOne(
  rgb: Uint8Array,
  i: number,
  out: Float32Array,
  o: number,
  rng: Rng,
  a: AugmentOptions,
  shape: AugmentShape,
  mean: number[],
  std: number[],
  tmp: Float32Array,
): void {
  const { channels: C, height: H, width: W } = shape;
  const P = H * W;
  const b = a.brightness > 0 ? rng.uniform(1 - a.brightness, 1 + a.brightness) : 1;
  const c = a.contrast > 0 ? rng.uniform(1 - a.contrast, 1 + a.contrast) : 1;
  const s = a.saturation > 0 ? rng.uniform(1 - a.saturation, 1 + a.saturation) : 1;
  const flip = rng.float() < a.flip;
  const angle = a.rotation > 0 ? (rng.uniform(-a.rotation, a.rotation) * Math.PI) / 180 : 0;
  // colour jitter: brightness, saturation (a blend with the pixel's gray), contrast (a blend with
  // the image's mean gray), on each colour channel, or on the luma of a gray network's input
  let grayMean = 0;
  const base = i * P * 3;
  const r = new Float32Array(3);
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < 3; k++) r[k] = Math.min(255, rgb[base + 3 * p + k] * b);
    // rounded to float32, as the first version kept it (the same numbers as then)
    const gray = Math.fround(0.299 * r[0] + 0.587 * r[1] + 0.114 * r[2]);
    grayMean += gray;
    for (let k = 0; k < 3; k++) r[k] = Math.min(255, Math.max(0, gray + s * (r[k] - gray)));
    if (C === 1) tmp[p] = 0.299 * r[0] + 0.587 * r[1] + 0.114 * r[2];
    else for (let k = 0; k < 3; k++) tmp[k * P + p] = r[k];
  }
  grayMean /= P;
  for (let p = 0; p < C * P; p++)
    tmp[p] = Math.min(255, Math.max(0, grayMean + c * (tmp[p] - grayMean)));
  // flip and rotation about the centre (inverse mapping, bilinear)
  const cos = Math.cos(angle),
    sin = Math.sin(angle),
    cx = (W - 1) / 2,
    cy = (H - 1) / 2;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const dx = x - cx,
        dy = y - cy;
      let sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      if (flip) sx = W - 1 - sx;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy),
        fx = sx - x0,
        fy = sy - y0;
      // the four neighbours' offsets, -1 outside the image (zero fill)
      const inX0 = x0 >= 0 && x0 < W,
        inX1 = x0 + 1 >= 0 && x0 + 1 < W,
        inY0 = y0 >= 0 && y0 < H,
        inY1 = y0 + 1 >= 0 && y0 + 1 < H;
      const a = inX0 && inY0 ? y0 * W + x0 : -1,
        b = inX1 && inY0 ? y0 * W + x0 + 1 : -1,
        c = inX0 && inY1 ? (y0 + 1) * W + x0 : -1,
        d = inX1 && inY1 ? (y0 + 1) * W + x0 + 1 : -1;
      for (let k = 0; k < C; k++) {
        const plane = k * P;
        const va = a < 0 ? 0 : tmp[plane + a],
          vb = b < 0 ? 0 : tmp[plane + b],
          vc = c < 0 ? 0 : tmp[plane + c],
          vd = d < 0 ? 0 : tmp[plane + d];
        const v = (1 - fy) * ((1 - fx) * va + fx * vb) + fy * ((1 - fx) * vc + fx * vd);
        out[o + plane + y * W + x] = (v / 255 - mean[k]) / std[k];
      }
    }
}

export function augmentSplit(
  rgb: Uint8Array,
  n: number,
  a: AugmentOptions,
  shape: AugmentShape,
  mean: number[],
  std: number[],
  seed: number,
  stream: number[],
  epoch: number,
  out?: Float32Array,
): Float32Array {
  const size = shape.channels * shape.height * shape.width;
  const x = out ?? new Float32Array(n * size),
    tmp = new Float32Array(size);
  const rng = new Rng(seed, STREAM.augment, ...stream, epoch);
  for (let i = 0; i < n; i++) augmentOne(rgb, i, x, i * size, rng, a, shape, mean, std, tmp);
  return x;
}
