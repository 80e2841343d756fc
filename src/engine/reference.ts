// Plain-loop reference kernels: the oracle every fast kernel is tested against, the fallback when
// WebAssembly SIMD is unavailable, and (in float64) the engine the gradient checks run on.
// Written for clarity, not speed; contracts in kernels.ts.
import type { FloatArray, Kernels } from './kernels.js';

export function createReferenceKernels(dtype: 'float32' | 'float64' = 'float32'): Kernels {
  const Ctor = dtype === 'float64' ? Float64Array : Float32Array;
  return {
    name: 'reference',
    dtype,
    alloc: (n) => new Ctor(n),
    reset: () => {},
    conv2dForward(out, inp, w, b, B, C, H, W, OC, K, tanh = false) {
      const OH = H - K + 1,
        OW = W - K + 1;
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
              out[o] = s;
              if (tanh) out[o] = Math.tanh(out[o]); // exactly the unfused pair
            }
    },
    conv2dBackward(dInp, dW, dB, dOut, inp, w, B, C, H, W, OC, K) {
      const OH = H - K + 1,
        OW = W - K + 1;
      if (dInp) dInp.fill(0, 0, B * C * H * W);
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
    tanhForward(out, inp, n) {
      for (let i = 0; i < n; i++) out[i] = Math.tanh(inp[i]);
    },
    tanhBackward(dInp, dOut, y, n) {
      for (let i = 0; i < n; i++) dInp[i] = dOut[i] * (1 - y[i] * y[i]);
    },
    avgPool2Forward(out, inp, planes, H, W) {
      const OH = H >> 1,
        OW = W >> 1;
      for (let p = 0; p < planes; p++)
        for (let y = 0; y < OH; y++)
          for (let x = 0; x < OW; x++) {
            const a = p * H * W + 2 * y * W + 2 * x;
            out[(p * OH + y) * OW + x] = (inp[a] + inp[a + 1] + inp[a + W] + inp[a + W + 1]) * 0.25;
          }
    },
    avgPool2Backward(dInp, dOut, planes, H, W) {
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
    },
    accumulate(dst, src, n) {
      for (let i = 0; i < n; i++) dst[i] += src[i];
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
