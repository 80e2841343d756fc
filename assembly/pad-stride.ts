// A convolution's zero padding and its stride as copies around the stride-1 convolution kernels:
// row copies, negligible beside the convolutions they feed.

// out [planes, H + 2P, W + 2P] = inp [planes, H, W] with a border of P zeros.
export function pad2d(out: usize, inp: usize, planes: i32, H: i32, W: i32, P: i32): void {
  const PH = H + 2 * P,
    PW = W + 2 * P;
  memory.fill(out, 0, (<usize>(planes * PH * PW)) << 2);
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < H; y++) {
      const to = out + ((<usize>((p * PH + y + P) * PW + P)) << 2);
      memory.copy(to, inp + ((<usize>((p * H + y) * W)) << 2), (<usize>W) << 2);
    }
}

// The inverse of pad2d for gradients: dInp [planes, H, W] = the interior of dPadded.
export function crop2d(dInp: usize, dPadded: usize, planes: i32, H: i32, W: i32, P: i32): void {
  const PH = H + 2 * P,
    PW = W + 2 * P;
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < H; y++) {
      const from = dPadded + ((<usize>((p * PH + y + P) * PW + P)) << 2);
      memory.copy(dInp + ((<usize>((p * H + y) * W)) << 2), from, (<usize>W) << 2);
    }
}

// out [planes, OH, OW] = inp [planes, H, W] at rows and columns 0, S, 2S, ... (a stride-S
// convolution is the stride-1 one read this way).
export function subsample2d(out: usize, inp: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OH = (H - 1) / S + 1,
    OW = (W - 1) / S + 1;
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < OH; y++) {
      const from = inp + ((<usize>((p * H + y * S) * W)) << 2);
      const to = out + ((<usize>((p * OH + y) * OW)) << 2);
      for (let x = 0; x < OW; x++)
        store<f32>(to + ((<usize>x) << 2), load<f32>(from + ((<usize>(x * S)) << 2)));
    }
}

// The inverse of subsample2d for gradients: dInp [planes, H, W] is dOut at the sampled positions
// and 0 elsewhere.
export function upsample2d(dInp: usize, dOut: usize, planes: i32, H: i32, W: i32, S: i32): void {
  const OH = (H - 1) / S + 1,
    OW = (W - 1) / S + 1;
  memory.fill(dInp, 0, (<usize>(planes * H * W)) << 2);
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < OH; y++) {
      const to = dInp + ((<usize>((p * H + y * S) * W)) << 2);
      const from = dOut + ((<usize>((p * OH + y) * OW)) << 2);
      for (let x = 0; x < OW; x++)
        store<f32>(to + ((<usize>(x * S)) << 2), load<f32>(from + ((<usize>x) << 2)));
    }
}
