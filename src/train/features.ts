// A cache of one layer's inputs (the outputs of everything before it) per data split, valid for as
// long as the weights before that layer are unchanged. Pruning a dense layer changes only that
// layer and the next, so the evaluations right after a removal need only the layers from the
// pruned one on: the same arithmetic on the same values, so the same numbers. The last two
// generations of weights are kept, because retraining that does not improve the validation score
// returns to the weights before it, whose features are still here.
import type { Split } from '../data/types.js';
import type { FloatArray } from '../engine/kernels.js';
import type { Network } from '../nn/network.js';

const GENERATIONS = 2;

/** A byte view of a float array (no copy). */
function bytesOf(values: FloatArray): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

interface Generation {
  /** The parameters of every layer before the cached one, as they were. */
  key: FloatArray;
  features: Map<Split, Float32Array>;
}

export class FeatureCache {
  private generations: Generation[] = [];

  /** `layer`: the dense layer whose inputs are kept (default: the first dense layer). */
  constructor(private readonly layer?: string) {}

  /** Index into `net.acts` of the kept values: the input of the cached layer. */
  index(net: Network): number {
    if (!this.layer) return net.featureIndex();
    const i = net.arch.layers.findIndex((l) => l.kind === 'dense' && l.name === this.layer);
    if (i < 0) throw new Error(`no dense layer named ${this.layer}`);
    return i;
  }

  /** Values per image of the kept inputs. */
  width(net: Network): number {
    const [c, h, w] = net.shapes[this.index(net)];
    return c * h * w;
  }

  /** The parameters of the layers before the cached one. */
  private upstream(net: Network): FloatArray[] {
    const end = this.index(net);
    const out: FloatArray[] = [];
    net.arch.layers.forEach((l, i) => {
      if (i < end && (l.kind === 'conv' || l.kind === 'dense')) {
        out.push(net.param(`${l.name}.weight`), net.param(`${l.name}.bias`));
      }
    });
    return out;
  }

  /**
   * The generation whose weights are `net`'s, bit for bit (the same bits give the same features;
   * compared as bytes, memcmp in Node: a third of a float loop's time).
   */
  private generationOf(net: Network): Generation | undefined {
    const params = this.upstream(net);
    return this.generations.find((g) => {
      let o = 0;
      for (const p of params) {
        if (o + p.length > g.key.length) return false;
        if (!bytesOf(p).equals(bytesOf(g.key.subarray(o, o + p.length)))) return false;
        o += p.length;
      }
      return o === g.key.length;
    });
  }

  /** The kept values of `split` under `net`'s current weights, if any. */
  get(net: Network, split: Split): Float32Array | null {
    return this.generationOf(net)?.features.get(split) ?? null;
  }

  set(net: Network, split: Split, features: Float32Array): void {
    let generation = this.generationOf(net);
    if (!generation) {
      const params = this.upstream(net);
      const length = params.reduce((s, p) => s + p.length, 0);
      const key =
        params[0] instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
      let o = 0;
      for (const p of params) {
        key.set(p, o);
        o += p.length;
      }
      generation = { key, features: new Map() };
      this.generations = [generation, ...this.generations].slice(0, GENERATIONS);
    }
    generation.features.set(split, features);
  }
}
