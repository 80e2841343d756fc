// Plain-loop reference kernels: the oracle every fast kernel is tested against, the fallback when
// WebAssembly SIMD is unavailable, and (in float64) the engine the gradient checks run on.
// Written for clarity, not speed; contracts in kernels.ts.
import type { FloatArray, Kernels } from './kernels.js';

export function createReferenceKernels(dtype: 'float32' | 'float64' = 'float32'): Kernels {
  const Ctor = dtype === 'float64' ? Float64Array : Float32Array;
  // denseWeightGradStep's second half's gradient, kept from call to call (no allocation a step)
  let second = new Ctor(0);
  return {
    name: 'reference',
    dtype,
    alloc: (n) => new Ctor(n),
    reset: () => {},
    conv2dForward(out, inp, w, b, B, C, H, W, OC, K, activation = null, pooled = null) {
      const OH = H - K + 1,
        OW = W - K + 1;
      const whole = out ?? new Ctor(B * OC * OH * OW);
      for (let n = 0; n < B; n++)
        for (let oc = 0; oc < OC; oc++)
          for (let oy = 0; oy < OH; oy++)
            for (let ox = 0; ox < OW; ox++) {
              let s = b[oc];
              for (let c = 0; c < C; c++)
                for (let ky = 0; ky < K; ky++)
                  for (let kx = 0; kx < K; kx++) {
                    s +=
                      w[((oc * C + c) * K + ky) * K + kx] *
                      inp[((n * C + c) * H + oy + ky) * W + ox + kx];
                  }
              const o = ((n * OC + oc) * OH + oy) * OW + ox;
              whole[o] = s;
              // exactly the unfused pair
              if (activation === 'tanh') whole[o] = Math.tanh(whole[o]);
              if (activation === 'relu') whole[o] = whole[o] > 0 ? whole[o] : 0;
            }
      if (pooled) avgPool2Forward(pooled, whole, B * OC, OH, OW);
      return false;
    },
    transformedFloats: () => 0,
    conv2dBackward(dInp, dW, dB, dOut, inp, w, B, C, H, W, OC, K) {
      const OH = H - K + 1,
        OW = W - K + 1;
      if (dInp) dInp.fill(0, 0, B * C * H * W);
      dW.fill(0, 0, OC * C * K * K);
      dB.fill(0, 0, OC);
      for (let n = 0; n < B; n++)
        for (let oc = 0; oc < OC; oc++)
          for (let oy = 0; oy < OH; oy++)
            for (let ox = 0; ox < OW; ox++) {
              const g = dOut[((n * OC + oc) * OH + oy) * OW + ox];
              dB[oc] += g;
              for (let c = 0; c < C; c++)
                for (let ky = 0; ky < K; ky++)
                  for (let kx = 0; kx < K; kx++) {
                    const wi = ((oc * C + c) * K + ky) * K + kx,
                      ii = ((n * C + c) * H + oy + ky) * W + ox + kx;
                    dW[wi] += g * inp[ii];
                    if (dInp) dInp[ii] += g * w[wi];
                  }
            }
    },
    denseForward(out, inp, w, b, B, I, O) {
      for (let n = 0; n < B; n++)
        for (let o = 0; o < O; o++) {
          let s = b[o];
          for (let i = 0; i < I; i++) s += w[o * I + i] * inp[n * I + i];
          out[n * O + o] = s;
        }
    },
    denseBackward(dInp, dW, dB, dOut, inp, w, B, I, O) {
      if (dInp) dInp.fill(0, 0, B * I);
      dW.fill(0, 0, O * I);
      dB.fill(0, 0, O);
      for (let n = 0; n < B; n++)
        for (let o = 0; o < O; o++) {
          const g = dOut[n * O + o];
          dB[o] += g;
          for (let i = 0; i < I; i++) {
            dW[o * I + i] += g * inp[n * I + i];
            if (dInp) dInp[n * I + i] += g * w[o * I + i];
          }
        }
    },
    denseInputGrad(dInp, dOut, OS, w, B, I, O, add) {
      for (let n = 0; n < B; n++)
        for (let i = 0; i < I; i++) {
          let s = 0;
          for (let o = 0; o < O; o++) s += dOut[n * OS + o] * w[o * I + i];
          dInp[n * I + i] = add ? dInp[n * I + i] + s : s;
        }
    },
    tanhForward(out, inp, n) {
      for (let i = 0; i < n; i++) out[i] = Math.tanh(inp[i]);
    },
    tanhBackward,
    avgPool2Forward,
    avgPool2Backward,
    // by definition the two passes, one after the other
    avgPoolTanhBackward(dInp, dOut, y, planes, H, W) {
      avgPool2Backward(dInp, dOut, planes, H, W);
      tanhBackward(dInp, dInp, y, planes * H * W);
    },
    reluForward(out, inp, n) {
      for (let i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0;
    },
    reluBackward(dInp, dOut, y, n) {
      for (let i = 0; i < n; i++) dInp[i] = y[i] > 0 ? dOut[i] : 0;
    },
    sigmoidForward(out, inp, n) {
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-inp[i]));
    },
    sigmoidBackward(dInp, dOut, y, n) {
      for (let i = 0; i < n; i++) dInp[i] = dOut[i] * y[i] * (1 - y[i]);
    },
    // (`relu` changes nothing here: it only lets the fast kernels compare more cheaply)
    maxPool2Forward(out, inp, planes, H, W) {
      const OH = H >> 1,
        OW = W >> 1;
      for (let p = 0; p < planes; p++)
        for (let y = 0; y < OH; y++)
          for (let x = 0; x < OW; x++) {
            const a = p * H * W + 2 * y * W + 2 * x;
            const top = Math.max(inp[a], inp[a + 1]);
            out[(p * OH + y) * OW + x] = Math.max(top, inp[a + W], inp[a + W + 1]);
          }
    },
    convReluMaxPoolBackward(dW, dB, dPooled, y, inp, B, C, H, W, OC) {
      const dY = new Ctor(B * OC * (H - 4) * (W - 4));
      this.maxPool2Backward(dY, dPooled, y, B * OC, H - 4, W - 4, true);
      // without dInp the weights are not read
      this.conv2dBackward(null, dW, dB, dY, inp, dW, B, C, H, W, OC, 5);
    },
    maxPool2Backward(dInp, dOut, inp, planes, H, W, relu = false) {
      const OH = H >> 1,
        OW = W >> 1;
      for (let p = 0; p < planes; p++)
        for (let y = 0; y < OH; y++)
          for (let x = 0; x < OW; x++) {
            const a = p * H * W + 2 * y * W + 2 * x;
            const window = [a, a + 1, a + W, a + W + 1];
            let at = a;
            for (const i of window) {
              dInp[i] = 0;
              if (inp[i] > inp[at]) at = i;
            }
            // with `relu`, the ReLU's backward pass too (its output is this input)
            dInp[at] = relu && !(inp[at] > 0) ? 0 : dOut[(p * OH + y) * OW + x];
          }
    },
    pad2d(out, inp, planes, H, W, P) {
      const PH = H + 2 * P,
        PW = W + 2 * P;
      out.fill(0, 0, planes * PH * PW);
      for (let p = 0; p < planes; p++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) out[(p * PH + y + P) * PW + x + P] = inp[(p * H + y) * W + x];
    },
    crop2d(dInp, dPadded, planes, H, W, P) {
      const PH = H + 2 * P,
        PW = W + 2 * P;
      for (let p = 0; p < planes; p++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++)
            dInp[(p * H + y) * W + x] = dPadded[(p * PH + y + P) * PW + x + P];
    },
    subsample2d(out, inp, planes, H, W, S) {
      const OH = Math.floor((H - 1) / S) + 1,
        OW = Math.floor((W - 1) / S) + 1;
      for (let p = 0; p < planes; p++)
        for (let y = 0; y < OH; y++)
          for (let x = 0; x < OW; x++)
            out[(p * OH + y) * OW + x] = inp[(p * H + y * S) * W + x * S];
    },
    upsample2d(dInp, dOut, planes, H, W, S) {
      const OH = Math.floor((H - 1) / S) + 1,
        OW = Math.floor((W - 1) / S) + 1;
      dInp.fill(0, 0, planes * H * W);
      for (let p = 0; p < planes; p++)
        for (let y = 0; y < OH; y++)
          for (let x = 0; x < OW; x++)
            dInp[(p * H + y * S) * W + x * S] = dOut[(p * OH + y) * OW + x];
    },
    dropoutForward(out, inp, mask, n) {
      for (let i = 0; i < n; i++) out[i] = inp[i] * mask[i];
    },
    dropoutBackward(dInp, dOut, mask, n) {
      for (let i = 0; i < n; i++) dInp[i] = dOut[i] * mask[i];
    },
    zero(buf) {
      buf.fill(0);
    },
    accumulate(dst, src, n) {
      for (let i = 0; i < n; i++) dst[i] += src[i];
    },
    denseWeightGradStep({ p, g, v }, halves, OS, I, O, { lr, mu, wd }) {
      // each half's dW as denseBackward's, the second into a buffer of its own, then sgdStepSum
      if (second.length < O * I) second = new Ctor(O * I);
      const dWs = [g, second];
      halves.forEach(({ dOut, inp, B }, h) => {
        const dW = dWs[h];
        dW.fill(0, 0, O * I);
        for (let n = 0; n < B; n++)
          for (let o = 0; o < O; o++)
            for (let i = 0; i < I; i++) dW[o * I + i] += dOut[n * OS + o] * inp[n * I + i];
      });
      this.sgdStepSum(p, g, dWs[1], v, O * I, lr, mu, wd);
      return true;
    },
    sgdStepSum(p, g, g2, v, n, lr, mu, wd) {
      this.accumulate(g, g2, n);
      this.sgdStep(p, g, v, n, lr, mu, wd);
    },
    sgdStep(p, g, v, n, lr, mu, wd) {
      for (let i = 0; i < n; i++) {
        let gi = g[i] + wd * p[i];
        if (mu > 0 && v) {
          gi = mu * v[i] + gi;
          v[i] = gi;
        }
        p[i] -= lr * gi;
      }
    },
  };
}

export type { FloatArray };

// 2x2 average pooling, stride 2 (the pooling layer's pass, and the pooled convolution's), its
// backward pass, and tanh's (both also run together: avgPoolTanhBackward).
function avgPool2Forward(
  out: FloatArray,
  inp: FloatArray,
  planes: number,
  H: number,
  W: number,
): void {
  const OH = H >> 1,
    OW = W >> 1;
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < OH; y++)
      for (let x = 0; x < OW; x++) {
        const a = p * H * W + 2 * y * W + 2 * x;
        out[(p * OH + y) * OW + x] = (inp[a] + inp[a + 1] + inp[a + W] + inp[a + W + 1]) * 0.25;
      }
}

function avgPool2Backward(
  dInp: FloatArray,
  dOut: FloatArray,
  planes: number,
  H: number,
  W: number,
): void {
  const OH = H >> 1,
    OW = W >> 1;
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < OH; y++)
      for (let x = 0; x < OW; x++) {
        const g = dOut[(p * OH + y) * OW + x] * 0.25,
          a = p * H * W + 2 * y * W + 2 * x;
        dInp[a] = g;
        dInp[a + 1] = g;
        dInp[a + W] = g;
        dInp[a + W + 1] = g;
      }
}

function tanhBackward(dInp: FloatArray, dOut: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dInp[i] = dOut[i] * (1 - y[i] * y[i]);
}
