// The backward pass of a first convolution (5x5, stride 1, no padding, even output sides) followed
// by ReLU and 2x2 max-pooling (the Caffe LeNet-5's conv1, LeNet-5-ReLU's), straight from the
// pooling's output gradient. Each window's gradient goes to one position (its first maximum, when
// positive), so the convolution's output gradient is three quarters zeros or more; instead of
// writing it out (maxPool2Backward) and multiplying it whole into the weight gradient
// (convWeightGradDirect), each image and channel lists its windows' gradients and positions, and
// the weight gradient sums the listed windows' input patches alone: a quarter of the multiply-adds,
// and no pass over the zeros. Its sums run in another order than the two kernels' (image by image,
// window by window), so it agrees with them to float32 rounding. (A patch row's fifth value is read
// as the first lane of a vector: reads run up to 3 floats past the input, inside the network's
// memory, as the direct convolutions' do.)
import { hsum, madd } from './simd';
import { firstMaxAt } from './pooling';

// dW [OC, C, 5, 5] and dB [OC] set from dP [B, OC, OH / 2, OW / 2] (the pooling's output gradient),
// y [B, OC, OH, OW] (the ReLU's output, the pooling's input) and x [B, C, H, W]. The list (one
// image and channel's windows: byte offset of the patch in an input plane, gradient) is in scratch.
export function convReluMaxPoolGrad(
  dW: usize,
  dB: usize,
  dP: usize,
  y: usize,
  x: usize,
  B: i32,
  C: i32,
  H: i32,
  W: i32,
  OC: i32,
  list: usize,
): void {
  const OH = H - 4,
    OW = W - 4,
    PH = OH >> 1,
    PW = OW >> 1;
  const rowY = (<usize>OW) << 2,
    rowX = (<usize>W) << 2,
    planeX = (<usize>(H * W)) << 2;
  memory.fill(dW, 0, (<usize>(OC * C * 25)) << 2);
  memory.fill(dB, 0, (<usize>OC) << 2);
  for (let n = 0; n < B; n++)
    for (let o = 0; o < OC; o++) {
      const yp = y + ((<usize>((n * OC + o) * OH * OW)) << 2),
        gp = dP + ((<usize>((n * OC + o) * PH * PW)) << 2);
      // every window has its entry, those without a gradient with 0 (a term that adds nothing:
      // listing only the others cost more than their terms, as nearly every window has one)
      let bias4 = f32x4.splat(0),
        bias: f32 = 0,
        lp = list;
      for (let py = 0; py < PH; py++) {
        const row = yp + <usize>(2 * py) * rowY,
          g = gp + ((<usize>(py * PW)) << 2),
          at = <u32>(2 * py) * <u32>rowX;
        let px = 0;
        for (; px + 4 <= PW; px += 4) {
          const g4 = windows4(row + ((<usize>px) << 3), rowY, g + ((<usize>px) << 2), rowX);
          // the patches' offsets: the windows' own plus their maximum's
          const lanes = i32x4(0, 8, 16, 24),
            o4 = i32x4.add(maxima4, i32x4.add(i32x4.splat(at + 8 * px), lanes));
          v128.store(lp, v128.shuffle<i32>(o4, g4, 0, 4, 1, 5));
          v128.store(lp, v128.shuffle<i32>(o4, g4, 2, 6, 3, 7), 16);
          bias4 = f32x4.add(bias4, g4);
          lp += 32;
        }
        for (; px < PW; px++) {
          const g1 = window1(row + ((<usize>px) << 3), rowY, g + ((<usize>px) << 2), rowX);
          store<u32>(lp, at + <u32>(8 * px) + maxima1);
          store<f32>(lp, g1, 4);
          bias += g1;
          lp += 8;
        }
      }
      bias += hsum(bias4);
      const db = dB + ((<usize>o) << 2);
      store<f32>(db, load<f32>(db) + bias);
      for (let c = 0; c < C; c++) {
        const xc = x + <usize>(n * C + c) * planeX,
          d = dW + ((<usize>((o * C + c) * 25)) << 2);
        patchRows012(d, xc, list, lp, rowX);
        patchRows34(d, xc, list, lp, rowX);
      }
    }
}

// The last windows4's maxima's byte offsets in the input (0, 4, rowX or rowX + 4), and the last
// window1's (module globals: the kernels allocate nothing).
let maxima4: v128 = i32x4.splat(0);
let maxima1: u32 = 0;

// The windows whose top-left elements are at a, a + 8, a + 16 and a + 24 (rows rowY bytes apart)
// and whose output gradients are at g: as maxPool2Backward's vector path, each window's gradient
// goes to its first maximum in row-major order, and only where that maximum is positive. Returns
// the four gradients, and leaves where they go in maxima4.
@inline function windows4(a: usize, rowY: usize, g: usize, rowX: usize): v128 {
  const r0 = v128.load(a),
    r0b = v128.load(a, 16),
    r1 = v128.load(a + rowY),
    r1b = v128.load(a + rowY, 16);
  const tl = v128.shuffle<f32>(r0, r0b, 0, 2, 4, 6),
    tr = v128.shuffle<f32>(r0, r0b, 1, 3, 5, 7);
  const bl = v128.shuffle<f32>(r1, r1b, 0, 2, 4, 6),
    br = v128.shuffle<f32>(r1, r1b, 1, 3, 5, 7);
  // the first maximum in row-major order, as maxPool2Backward finds it (pooling.ts)
  const b1 = f32x4.pmax(tl, tr),
    b2 = f32x4.pmax(b1, bl);
  const isBr = f32x4.gt(br, b2),
    isBl = v128.andnot(f32x4.gt(bl, b1), isBr),
    isTr = v128.andnot(f32x4.gt(tr, tl), v128.or(isBl, isBr));
  const gated = v128.and(v128.load(g), f32x4.gt(f32x4.pmax(b2, br), f32x4.splat(0)));
  const down = i32x4.splat(<i32>rowX);
  maxima4 = v128.or(
    v128.and(isTr, i32x4.splat(4)),
    v128.or(v128.and(isBl, down), v128.and(isBr, i32x4.add(down, i32x4.splat(4)))),
  );
  return gated;
}

// One window, as maxPool2Backward's scalar path: its gradient, and where it goes in maxima1 (its
// first maximum's offset, the bottom row's rowX bytes from the top's in the input).
function window1(a: usize, rowY: usize, g: usize, rowX: usize): f32 {
  const at = firstMaxAt(a, rowY),
    best = load<f32>(a + at);
  maxima1 = <u32>(at < rowY ? at : at - rowY + rowX);
  return best > 0 ? load<f32>(g) : 0;
}

// dW's rows 0-2 of one channel pair at d += the sum over the list of g * the 5x5 patch's rows at
// xc + offset: each row as a vector of its first four values and one whose first lane is its fifth
// (six sums in registers; all ten do not fit the registers with their loads).
function patchRows012(d: usize, xc: usize, from: usize, to: usize, rowX: usize): void {
  let a0 = f32x4.splat(0),
    b0 = a0,
    a1 = a0,
    b1 = a0,
    a2 = a0,
    b2 = a0;
  for (let lp = from; lp < to; lp += 8) {
    const s = v128.load32_splat(lp, 4),
      p = xc + load<u32>(lp);
    a0 = madd(s, v128.load(p), a0);
    b0 = madd(s, v128.load(p, 16), b0);
    a1 = madd(s, v128.load(p + rowX), a1);
    b1 = madd(s, v128.load(p + rowX, 16), b1);
    a2 = madd(s, v128.load(p + 2 * rowX), a2);
    b2 = madd(s, v128.load(p + 2 * rowX, 16), b2);
  }
  addRow5(d, a0, b0);
  addRow5(d + 20, a1, b1);
  addRow5(d + 40, a2, b2);
}

// The same for rows 3 and 4.
function patchRows34(d: usize, xc: usize, from: usize, to: usize, rowX: usize): void {
  let a3 = f32x4.splat(0),
    b3 = a3,
    a4 = a3,
    b4 = a3;
  const base = xc + 3 * rowX;
  for (let lp = from; lp < to; lp += 8) {
    const s = v128.load32_splat(lp, 4),
      p = base + load<u32>(lp);
    a3 = madd(s, v128.load(p), a3);
    b3 = madd(s, v128.load(p, 16), b3);
    a4 = madd(s, v128.load(p + rowX), a4);
    b4 = madd(s, v128.load(p + rowX, 16), b4);
  }
  addRow5(d + 60, a3, b3);
  addRow5(d + 80, a4, b4);
}

// The five floats at r += a's four lanes and b's first.
@inline function addRow5(r: usize, a: v128, b: v128): void {
  v128.store(r, f32x4.add(v128.load(r), a));
  store<f32>(r, load<f32>(r, 16) + f32x4.extract_lane(b, 0), 16);
}
