// The one small interface every kernel implementation provides, and the buffer type it works on.
// Shapes: conv input [batch, channels, height, width], conv weight [out, in, k, k] (stride 1, no
// padding), dense input [batch, in], dense weight [out, in]. Backward passes ADD into dW/dB (as in
// llm.c) and SET dInp; dInp may be null when the input gradient is not needed.

export type FloatArray = Float32Array | Float64Array;

export interface Kernels {
  readonly name: 'reference' | 'wasm';
  readonly dtype: 'float32' | 'float64';
  /** A zeroed buffer these kernels can operate on (for wasm: a view into its linear memory). */
  alloc(n: number): FloatArray;
  /**
   * Forgets every buffer alloc() has handed out, so that a new network (a pruned one) is laid out
   * in the same memory instead of a new one; the old buffers must not be used again.
   */
  reset(): void;
  /** With `tanh`, writes tanh of the convolution (the fused conv + tanh layer pair). */
  conv2dForward(
    out: FloatArray,
    inp: FloatArray,
    w: FloatArray,
    b: FloatArray,
    B: number,
    C: number,
    H: number,
    W: number,
    OC: number,
    K: number,
    tanh?: boolean,
  ): void;
  conv2dBackward(
    dInp: FloatArray | null,
    dW: FloatArray,
    dB: FloatArray,
    dOut: FloatArray,
    inp: FloatArray,
    w: FloatArray,
    B: number,
    C: number,
    H: number,
    W: number,
    OC: number,
    K: number,
  ): void;
  denseForward(
    out: FloatArray,
    inp: FloatArray,
    w: FloatArray,
    b: FloatArray,
    B: number,
    I: number,
    O: number,
  ): void;
  denseBackward(
    dInp: FloatArray | null,
    dW: FloatArray,
    dB: FloatArray,
    dOut: FloatArray,
    inp: FloatArray,
    w: FloatArray,
    B: number,
    I: number,
    O: number,
  ): void;
  tanhForward(out: FloatArray, inp: FloatArray, n: number): void;
  tanhBackward(dInp: FloatArray, dOut: FloatArray, y: FloatArray, n: number): void;
  avgPool2Forward(out: FloatArray, inp: FloatArray, planes: number, H: number, W: number): void;
  avgPool2Backward(dInp: FloatArray, dOut: FloatArray, planes: number, H: number, W: number): void;
  /** dst[i] += src[i] for i < n (the reduction of two half-batch gradients). */
  accumulate(dst: FloatArray, src: FloatArray, n: number): void;
  /** g' = g + wd*p; v = mu*v + g' when mu > 0; p -= lr * (v or g'). */
  sgdStep(
    p: FloatArray,
    g: FloatArray,
    v: FloatArray | null,
    n: number,
    lr: number,
    mu: number,
    wd: number,
  ): void;
}
