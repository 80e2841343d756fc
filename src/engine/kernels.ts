// The one small interface every kernel implementation provides, and the buffer type it works on.
// Shapes: conv input [batch, channels, height, width], conv weight [out, in, k, k] (stride 1, no
// padding: a padded or strided convolution is pad2d, this, then subsample2d; see nn/network.ts),
// dense input [batch, in], dense weight [out, in]. Backward passes ADD into dW/dB (as in
// llm.c) and SET dInp; dInp may be null when the input gradient is not needed.

export type FloatArray = Float32Array | Float64Array;

/** The activation a convolution's pass may apply to its output (the layer after it). */
export type ConvActivation = 'tanh' | 'relu' | null;

/** A half-batch of a dense layer's backward pass: its output gradients, inputs and images. */
export interface DenseHalf {
  dOut: FloatArray;
  inp: FloatArray;
  B: number;
}

export interface Kernels {
  readonly name: 'reference' | 'wasm';
  readonly dtype: 'float32' | 'float64';
  /**
   * A zeroed buffer these kernels can operate on (for wasm: a view into its linear memory); with
   * `scratch`, one whose every value is written before it is read (activations), which after a
   * reset() may hold the old network's values instead of zeros.
   */
  alloc(n: number, scratch?: boolean): FloatArray;
  /**
   * Forgets every buffer alloc() has handed out, so that a new network (a pruned one) is laid out
   * in the same memory instead of a new one; the old buffers must not be used again.
   */
  reset(): void;
  /**
   * With `activation`, writes tanh or ReLU of the convolution (the fused pair of layers: the bits
   * of tanhForward or reluForward after it). With `pooled`, also writes its 2x2 average pooling
   * there, to the bit what avgPool2Forward gives from `out`; `out` may then be null (evaluating:
   * the unpooled output is not kept). With `transformed` (transformedFloats floats), kernels that
   * transform the weights (Winograd) keep them there for conv2dBackward and return true.
   */
  conv2dForward(
    out: FloatArray | null,
    inp: FloatArray,
    w: FloatArray,
    b: FloatArray,
    B: number,
    C: number,
    H: number,
    W: number,
    OC: number,
    K: number,
    activation?: ConvActivation,
    pooled?: FloatArray | null,
    transformed?: FloatArray | null,
  ): boolean;
  /**
   * Sets dW, dB and (when not null) dInp, as denseBackward does. `transformed`: what the forward
   * pass on these weights kept there (it returned true), taken instead of transforming them again.
   */
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
    transformed?: FloatArray | null,
  ): void;
  /**
   * A first convolution (5x5, stride 1, no padding, even output sides) followed by ReLU and 2x2
   * max-pooling, backward from the pooling's output gradient dPooled: sets dW and dB from it, the
   * ReLU's output y and the input. The numbers of maxPool2Backward (with relu) then
   * conv2dBackward without dInp, up to float32 rounding.
   */
  /** Floats conv2dForward's `transformed` needs for a layer (0: it keeps none). */
  transformedFloats(C: number, H: number, W: number, OC: number, K: number): number;
  convReluMaxPoolBackward(
    dW: FloatArray,
    dB: FloatArray,
    dPooled: FloatArray,
    y: FloatArray,
    inp: FloatArray,
    B: number,
    C: number,
    H: number,
    W: number,
    OC: number,
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
  /** Sets dW = dOut^T inp, dB = the sum of dOut over the batch and (when not null) dInp. */
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
  /**
   * Sets (with `add`, adds to) dInp the input gradient through O outputs of a dense layer: their
   * gradients start dOut's rows, which are OS floats apart (a range of a layer's outputs: OS is the
   * layer's width), and their weight rows start w. A chain over the O outputs in order, as
   * denseBackward's own input gradient (a range of the whole layer, nn/layer-passes.ts).
   */
  denseInputGrad(
    dInp: FloatArray,
    dOut: FloatArray,
    OS: number,
    w: FloatArray,
    B: number,
    I: number,
    O: number,
    add: boolean,
  ): void;
  tanhForward(out: FloatArray, inp: FloatArray, n: number): void;
  tanhBackward(dInp: FloatArray, dOut: FloatArray, y: FloatArray, n: number): void;
  avgPool2Forward(out: FloatArray, inp: FloatArray, planes: number, H: number, W: number): void;
  avgPool2Backward(dInp: FloatArray, dOut: FloatArray, planes: number, H: number, W: number): void;
  /**
   * The backward passes of average pooling and of the tanh before it (y its output) in one: the
   * bits of avgPool2Backward then tanhBackward.
   */
  avgPoolTanhBackward(
    dInp: FloatArray,
    dOut: FloatArray,
    y: FloatArray,
    planes: number,
    H: number,
    W: number,
  ): void;
  reluForward(out: FloatArray, inp: FloatArray, n: number): void;
  /** dInp = dOut where the forward output y > 0, else 0. */
  reluBackward(dInp: FloatArray, dOut: FloatArray, y: FloatArray, n: number): void;
  sigmoidForward(out: FloatArray, inp: FloatArray, n: number): void;
  sigmoidBackward(dInp: FloatArray, dOut: FloatArray, y: FloatArray, n: number): void;
  /**
   * 2x2 max pooling, stride 2 (H, W even). `relu`: inp is a ReLU's output (+0, positive or NaN),
   * which the fast kernels compare more cheaply; the same numbers.
   */
  maxPool2Forward(
    out: FloatArray,
    inp: FloatArray,
    planes: number,
    H: number,
    W: number,
    relu?: boolean,
  ): void;
  /**
   * The gradient goes to the first maximum of each window in row-major order, as in PyTorch. With
   * `relu` (inp is a ReLU's output), the ReLU's backward pass too: the bits of this then
   * reluBackward, in one pass.
   */
  maxPool2Backward(
    dInp: FloatArray,
    dOut: FloatArray,
    inp: FloatArray,
    planes: number,
    H: number,
    W: number,
    relu?: boolean,
  ): void;
  /** out [planes, H+2P, W+2P] = inp [planes, H, W] with a border of P zeros. */
  pad2d(out: FloatArray, inp: FloatArray, planes: number, H: number, W: number, P: number): void;
  /** dInp [planes, H, W] = the interior of dPadded [planes, H+2P, W+2P]. */
  crop2d(
    dInp: FloatArray,
    dPadded: FloatArray,
    planes: number,
    H: number,
    W: number,
    P: number,
  ): void;
  /** out = inp [planes, H, W] at rows and columns 0, S, 2S, ...: [planes, (H-1)/S+1, (W-1)/S+1]. */
  subsample2d(
    out: FloatArray,
    inp: FloatArray,
    planes: number,
    H: number,
    W: number,
    S: number,
  ): void;
  /** dInp [planes, H, W] = dOut at the positions subsample2d reads, 0 elsewhere. */
  upsample2d(
    dInp: FloatArray,
    dOut: FloatArray,
    planes: number,
    H: number,
    W: number,
    S: number,
  ): void;
  /** out = inp * mask, elementwise (dropout's forward pass; mask holds 0 or 1/(1-p)). */
  dropoutForward(out: FloatArray, inp: FloatArray, mask: FloatArray, n: number): void;
  /** dInp = dOut * mask. */
  dropoutBackward(dInp: FloatArray, dOut: FloatArray, mask: FloatArray, n: number): void;
  /** buf[i] = 0 for every i (a gradient before its backward pass). */
  zero(buf: FloatArray): void;
  /** dst[i] += src[i] for i < n (the reduction of two half-batch gradients). */
  accumulate(dst: FloatArray, src: FloatArray, n: number): void;
  /**
   * A dense layer's weight gradient from two half-batches and the SGD step on it in one pass: for
   * each of O units (rows of I floats of p, g and v), each half's gradient as denseBackward's dW
   * (its output gradients in rows OS floats apart), added into g and stepped as sgdStepSum. Returns
   * false, having changed nothing, where it does not pay (the fast kernels' sparse sums would not
   * run) or I is not a multiple of 4; the caller then makes the two passes.
   */
  denseWeightGradStep(
    rows: { p: FloatArray; g: FloatArray; v: FloatArray | null },
    halves: [DenseHalf, DenseHalf],
    OS: number,
    I: number,
    O: number,
    opt: { lr: number; mu: number; wd: number },
  ): boolean;
  /** g += g2, then sgdStep on the sum: the same numbers as accumulate then sgdStep. */
  sgdStepSum(
    p: FloatArray,
    g: FloatArray,
    g2: FloatArray,
    v: FloatArray | null,
    n: number,
    lr: number,
    mu: number,
    wd: number,
  ): void;
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
