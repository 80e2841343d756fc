// A cache of convolutional features (the input of the first dense layer) per data split, valid for
// as long as the convolutional weights are unchanged. Pruning a dense layer leaves them unchanged,
// so the evaluations right after a removal (and the validation pass that follows retraining) need
// only the dense layers: the same arithmetic on the same values, so the same numbers.
import type { Split } from '../data/types.js';
import type { Network } from '../nn/network.js';

export class FeatureCache {
  private key: Float32Array | null = null;
  private readonly entries = new Map<Split, Float32Array>();

  /** The convolutional parameters of `net` (everything before the first dense layer). */
  private static convParams(net: Network): Float32Array[] {
    const f = net.featureIndex(),
      out: Float32Array[] = [];
    net.arch.layers.forEach((l, i) => {
      if (i < f && l.kind === 'conv')
        out.push(
          net.param(`${l.name}.weight`) as Float32Array,
          net.param(`${l.name}.bias`) as Float32Array,
        );
    });
    return out;
  }

  private matches(net: Network): boolean {
    if (!this.key) return false;
    let o = 0;
    for (const p of FeatureCache.convParams(net)) {
      if (o + p.length > this.key.length) return false;
      for (let i = 0; i < p.length; i++) if (p[i] !== this.key[o + i]) return false;
      o += p.length;
    }
    return o === this.key.length;
  }

  /** Features of `split` under `net`'s current convolutional weights, if cached. */
  get(net: Network, split: Split): Float32Array | null {
    const f = this.entries.get(split);
    return f && this.matches(net) ? f : null;
  }

  set(net: Network, split: Split, features: Float32Array): void {
    if (!this.matches(net)) {
      this.entries.clear();
      const ps = FeatureCache.convParams(net),
        key = new Float32Array(ps.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of ps) {
        key.set(p, o);
        o += p.length;
      }
      this.key = key;
    }
    this.entries.set(split, features);
  }
}
