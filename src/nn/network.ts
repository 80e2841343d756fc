// A feed-forward network (described in architecture.ts) over flat buffers: every parameter in one
// allocation with named views (PyTorch names and layouts, e.g. `fc2.weight` is [out, in]), every
// gradient in a second one, activations sized for a batch capacity; forward, backward, loss and
// the SGD step on the kernels. Pruning rebuilds a network with a smaller dense layer and copies
// the surviving weights over (see src/prune/surgery.ts).
import { createKernels, type BackendName } from '../engine/backend.js';
import type { FloatArray, Kernels } from '../engine/kernels.js';
import {
  activationIndexOf,
  layerShapes,
  paramShapes,
  size,
  type Architecture,
  type ParamView,
  type Shape3,
  type State,
} from './architecture.js';
import {
  allocConvBuffers,
  convBackward,
  convForward,
  denseBackward,
  denseForward,
  dropoutBackward,
  dropoutForward,
  layerBufferFloats,
  plainBackward,
  plainForward,
  type ConvBuffers,
  type DropoutState,
  type LayerIo,
} from './layer-passes.js';
import { initializeLikePyTorch } from './init.js';
import { outputLoss } from './loss.js';
import { pooledBackward } from './pooled-backward.js';
import { hiddenSplitLayer } from './unit-split.js';

// the network's description, from where most callers expect it
export * from './architecture.js';

/** `evaluating`: no backward pass follows (see Network.forwardFrom). */
export interface ForwardOptions {
  evaluating?: boolean;
}

export class Network {
  readonly kernels: Kernels;
  readonly params: FloatArray;
  readonly grads: FloatArray;
  /**
   * A second gradient buffer: the half-batch gradient that is reduced into `grads` (see
   * train/parallel.ts).
   */
  readonly gradsAux: FloatArray;
  readonly views = new Map<string, ParamView>();
  readonly shapes: Shape3[];
  readonly acts: FloatArray[];
  readonly dActs: FloatArray[];
  /** The padded inputs and stride-1 outputs of padded or strided convolutions (layer-passes.ts). */
  private readonly convBuffers: (ConvBuffers | null)[];
  /** Each dropout layer's mask of the current pass. */
  private readonly masks: (FloatArray | null)[];
  /**
   * While a training step runs: its dropout key (train/trainer.ts; null: dropout is the identity)
   * and the place in its whole batch of this pass's first image (a second half-batch's offset).
   */
  readonly dropout: DropoutState = { key: null, first: 0 };
  private velocity: FloatArray | null = null;
  /** The index of the hidden dense layer two threads split (unit-split.ts), or -1. */
  readonly splitLayer: number;

  /**
   * `on.kernels`: run on these kernels (and in their memory) instead of new ones; `on.params`: with
   * these parameters instead of allocating them (a helper thread's replica, whose parameters are
   * the main network's in shared memory: train/parallel.ts).
   */
  constructor(
    readonly arch: Architecture,
    readonly batch: number,
    backend: BackendName = 'auto',
    on?: { kernels: Kernels; params?: FloatArray },
  ) {
    this.shapes = layerShapes(arch);
    this.splitLayer = hiddenSplitLayer(arch);
    const pshapes = paramShapes(arch);
    let total = 0;
    for (const p of pshapes) {
      const n = size(p.shape);
      this.views.set(p.name, { ...p, offset: total, size: n });
      total += n;
    }
    this.kernels = on?.kernels ?? createKernels(backend, Network.floats(arch, batch));
    if (on?.params && on.params.length !== total)
      throw new Error(`replica parameters: ${on.params.length} values for ${total}`);
    this.params = on?.params ?? this.kernels.alloc(total);
    this.grads = this.kernels.alloc(total);
    this.gradsAux = this.kernels.alloc(total);
    // every pass writes its activations and their gradients before reading them
    this.acts = this.shapes.map((sh) => this.kernels.alloc(batch * size(sh), true));
    this.dActs = this.shapes.map((sh) => this.kernels.alloc(batch * size(sh), true));
    this.masks = arch.layers.map((l, i) =>
      l.kind === 'dropout' ? this.kernels.alloc(batch * size(this.shapes[i])) : null,
    );
    this.convBuffers = arch.layers.map((l, i) =>
      allocConvBuffers(this.kernels, l, this.shapes[i], batch),
    );
    const named = (all: FloatArray) =>
      new Map([...this.views].map(([k, v]) => [k, all.subarray(v.offset, v.offset + v.size)]));
    this.pv = named(this.params);
    this.gv = named(this.grads);
    this.gvAux = named(this.gradsAux);
  }

  /**
   * Floats of buffers a network of this architecture and batch capacity allocates (plus alignment).
   */
  static floats(arch: Architecture, batch: number): number {
    const total = paramShapes(arch).reduce((s, p) => s + size(p.shape), 0);
    const shapes = layerShapes(arch);
    const actFloats = shapes.reduce((s, sh) => s + batch * size(sh), 0);
    const own = arch.layers.reduce((s, l, i) => s + layerBufferFloats(l, shapes[i], batch), 0);
    return 4 * total + 2 * actFloats + own + 64 * (4 * arch.layers.length + 9);
  }

  private readonly pv: Map<string, FloatArray>;
  private readonly gv: Map<string, FloatArray>;
  private readonly gvAux: Map<string, FloatArray>;

  param(name: string): FloatArray {
    const v = this.pv.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }
  grad(name: string): FloatArray {
    const v = this.gv.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }
  get classes(): number {
    return this.shapes[this.shapes.length - 1][0];
  }
  get inputSize(): number {
    return size(this.shapes[0]);
  }
  get input(): FloatArray {
    return this.acts[0];
  }
  get logits(): FloatArray {
    return this.acts[this.acts.length - 1];
  }

  /** PyTorch's default initialisation (init.ts), drawn from `seed`. */
  initialize(seed: number): void {
    initializeLikePyTorch(this.views, (name) => this.param(name), seed);
  }

  /** Index into acts of the activation vectors of the dense layer `name` (architecture.ts). */
  activationIndex(name: string): number {
    return activationIndexOf(this.arch, name);
  }

  /** Index into acts of the first dense layer's input: the convolutional features. */
  featureIndex(): number {
    return this.arch.layers.findIndex((l) => l.kind === 'dense');
  }

  /**
   * Runs layers start..end on acts[start] (already set); forward(B) is forwardFrom(0, B). With
   * `evaluating` (no backward pass follows through the convolutions), a convolution pooled in its
   * own pass keeps only its pooled output; the logits are the same to the bit either way.
   */
  forwardFrom(start: number, B: number, options: ForwardOptions = {}, end = Infinity): FloatArray {
    if (B > this.batch) throw new Error(`batch ${B} exceeds capacity ${this.batch}`);
    const layers = this.arch.layers;
    // a convolution followed by tanh or ReLU runs as one kernel that writes the activation's output
    // (its backward pass needs only that), and a stride-1 one followed (after it) by 2x2 average
    // pooling pools in the same pass
    let doneUpTo = -1;
    layers.forEach((l, i) => {
      if (i < start || i <= doneUpTo || i >= end) return;
      const io = this.io(i, B);
      if (l.kind === 'conv') {
        const next = layers[i + 1]?.kind;
        const activation = next === 'tanh' || next === 'relu' ? next : null;
        const poolAt = activation ? i + 2 : i + 1;
        const buffers = this.convBuffers[i]!;
        const pool = layers[poolAt]?.kind === 'avgpool' && !buffers.full;
        doneUpTo = pool ? poolAt : activation ? i + 1 : i;
        const then = {
          activation,
          pooled: pool ? this.acts[poolAt + 1] : null,
          keep: !options.evaluating,
        };
        io.out = this.acts[poolAt];
        convForward(this.kernels, l, io, buffers, then);
      } else if (l.kind === 'dense') denseForward(this.kernels, l, io);
      else if (l.kind === 'dropout')
        dropoutForward(this.kernels, l, i, io, this.masks[i]!, this.dropout);
      else plainForward(this.kernels, l, io, layers[i - 1]);
    });
    return this.logits;
  }

  /** Layer i's input and output buffers and shape, for layer-passes.ts. */
  private io(i: number, B: number): LayerIo {
    const param = (name: string) => this.param(name);
    return { inp: this.acts[i], out: this.acts[i + 1], shape: this.shapes[i], B, param };
  }

  forward(B: number, options: ForwardOptions = {}): FloatArray {
    return this.forwardFrom(0, B, options);
  }

  /**
   * Backpropagates dActs[last] (set by the loss) into `grads` (or `gradsAux`), overwriting them
   * (no zeroGrad() needed). With `downTo`, only layers downTo.. run (dActs[downTo] and their
   * gradients set, nothing below); with `from`, layers from.. down from dActs[from + 1]. Poolings
   * run with the layers before them where one kernel takes them (pooled-backward.ts).
   */
  backward(B: number, into: 'grads' | 'aux' = 'grads', downTo = 0, from = Infinity): void {
    const gv = into === 'grads' ? this.gv : this.gvAux;
    const grad = (n: string) => gv.get(n)!;
    const layers = this.arch.layers;
    const ios = (j: number) => this.io(j, B);
    for (let i = Math.min(layers.length - 1, from); i >= downTo; i--) {
      const l = layers[i];
      const dInp = i === 0 ? null : this.dActs[i],
        dOut = this.dActs[i + 1];
      const fused = pooledBackward(this.kernels, layers, i, downTo, ios, this.dActs, grad);
      if (fused > 0) i -= fused - 1;
      else if (l.kind === 'conv')
        convBackward(this.kernels, l, ios(i), this.convBuffers[i]!, dInp, dOut, grad);
      else if (l.kind === 'dense')
        denseBackward(this.kernels, l, ios(i), dInp, dOut, grad, i === this.splitLayer);
      else if (dInp && l.kind === 'dropout')
        dropoutBackward(this.kernels, ios(i), this.masks[i]!, this.dropout, dInp, dOut);
      else if (dInp) plainBackward(this.kernels, l, ios(i), dInp, dOut);
    }
  }

  /**
   * Loss of the current logits against labels[offset..offset+B); writes dLoss/dLogits into
   * dActs[last] when `withGrad`, for a loss that is the mean over `meanOver` images (a half-batch
   * passes the whole batch's size). Returns the summed loss and the number correct.
   */
  loss(
    labels: ArrayLike<number>,
    offset: number,
    B: number,
    withGrad: boolean,
    meanOver = B,
  ): { loss: number; correct: number } {
    const logits = this.logits.subarray(0, B * this.classes);
    const dLogits = withGrad ? this.dActs[this.dActs.length - 1] : null;
    return outputLoss(this.arch.output, logits, dLogits, labels, offset, this.classes, meanOver);
  }

  zeroGrad(): void {
    this.kernels.zero(this.grads);
  }

  sgdStep(lr: number, momentum = 0, weightDecay = 0): void {
    const v = this.velocityFor(momentum);
    this.kernels.sgdStep(this.params, this.grads, v, this.params.length, lr, momentum, weightDecay);
  }

  /** SGD's velocity, allocated on first use with momentum (null without momentum). */
  velocityFor(momentum: number): FloatArray | null {
    if (momentum > 0 && !this.velocity) this.velocity = this.kernels.alloc(this.params.length);
    return momentum > 0 ? this.velocity : null;
  }

  resetOptimizer(): void {
    this.velocity?.fill(0);
  }

  getState(): State {
    const s: State = new Map();
    for (const [name, v] of this.views)
      s.set(name, { shape: [...v.shape], data: this.param(name).slice() });
    return s;
  }

  setState(state: State): void {
    for (const [name, v] of this.views) {
      const t = state.get(name);
      if (!t) throw new Error(`state has no tensor ${name}`);
      if (t.data.length !== v.size)
        throw new Error(`${name}: state has ${t.data.length} values, the network ${v.size}`);
      this.param(name).set(t.data);
    }
  }

  /** A copy of all parameters (for best-weights tracking); restore with setParams. */
  snapshot(): Float32Array {
    return Float32Array.from(this.params);
  }
  setParams(p: ArrayLike<number>): void {
    this.params.set(p);
  }
}
