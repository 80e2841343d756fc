// Physical removal of neurons from a dense layer: the layer's weight rows and biases go, and the
// next dense layer's input columns go with them; optional merges fold a removed neuron into a kept
// one first. Returns a new, smaller Network (the old one untouched, or its memory reused on
// request).
// Shared by every criterion.
import { isActivation, Network, type Architecture, type State } from '../nn/network.js';

export interface Merge {
  /** The removed neuron. */
  from: number;
  /** The neuron that absorbs it. */
  into: number;
  /**
   * 'incoming': W[into] += W[from], b[into] += b[from] (the paper's rule). 'outgoing':
   * V[:,into] += V[:,from] (Gedeon & Harris). 'affine': V[:,into] += alpha·V[:,from], next
   * bias += beta·V[:,from] (least squares, see compensate.ts).
   */
  kind: 'incoming' | 'outgoing' | 'affine';
  alpha?: number;
  beta?: number;
}

export function nextDenseLayer(arch: Architecture, layer: string): string {
  const i = arch.layers.findIndex((l) => l.kind === 'dense' && l.name === layer);
  if (i < 0) {
    const names = arch.layers.flatMap((l) => (l.kind === 'dense' ? [l.name] : []));
    const conv = arch.layers.some((l) => l.kind === 'conv' && l.name === layer);
    const what = conv
      ? `"${layer}" is a convolution: prunelab prunes units of dense layers`
      : `no dense layer named "${layer}"`;
    throw new Error(`${what}; the dense layers are ${names.join(', ')}`);
  }
  const next = arch.layers.slice(i + 1).find((l) => !isActivation(l) && l.kind !== 'dropout');
  if (!next || next.kind !== 'dense')
    throw new Error(
      `layer "${layer}" is the output layer (or not followed by a dense layer) and cannot be pruned`,
    );
  return next.name;
}

export function denseUnits(arch: Architecture, layer: string): number {
  const l = arch.layers.find((x) => x.kind === 'dense' && x.name === layer);
  if (!l || l.kind !== 'dense') throw new Error(`no dense layer named "${layer}"`);
  return l.outFeatures;
}

/**
 * Removes `removed` units of `layer` after applying `merges`; returns the new network. With
 * `inPlace`, the new network is laid out in the old one's memory (no new memory per step, same
 * numbers) and the old network must not be used again; otherwise the old one is untouched.
 */
export function removeUnits(
  net: Network,
  layer: string,
  removed: number[],
  merges: Merge[] = [],
  inPlace = false,
): Network {
  const next = nextDenseLayer(net.arch, layer);
  const state = net.getState();
  const W = state.get(`${layer}.weight`)!,
    b = state.get(`${layer}.bias`)!,
    V = state.get(`${next}.weight`)!;
  const [units, inF] = W.shape,
    outF = V.shape[0];
  const gone = new Set(removed);
  if (gone.size !== removed.length || removed.some((r) => r < 0 || r >= units))
    throw new Error(`invalid units to remove: ${removed.join(', ')}`);
  if (units - gone.size < 1)
    throw new Error(`cannot remove ${gone.size} of ${units} units: at least one must remain`);
  for (const m of merges) {
    if (gone.has(m.into))
      throw new Error(`neuron ${m.from} cannot be merged into ${m.into}, which is removed too`);
    if (m.kind === 'incoming') {
      for (let k = 0; k < inF; k++) W.data[m.into * inF + k] += W.data[m.from * inF + k];
      b.data[m.into] += b.data[m.from];
    } else if (m.kind === 'outgoing') {
      for (let o = 0; o < outF; o++) V.data[o * units + m.into] += V.data[o * units + m.from];
    } else {
      const c = state.get(`${next}.bias`)!,
        alpha = m.alpha ?? 0,
        beta = m.beta ?? 0;
      for (let o = 0; o < outF; o++) {
        c.data[o] += beta * V.data[o * units + m.from];
        V.data[o * units + m.into] += alpha * V.data[o * units + m.from];
      }
    }
  }
  const keep = Array.from({ length: units }, (_, u) => u).filter((u) => !gone.has(u));
  const n = keep.length;
  const F = W.data instanceof Float64Array ? Float64Array : Float32Array;
  const W2 = new F(n * inF),
    b2 = new F(n),
    V2 = new F(outF * n);
  keep.forEach((u, r) => {
    W2.set(W.data.subarray(u * inF, (u + 1) * inF), r * inF);
    b2[r] = b.data[u];
  });
  for (let o = 0; o < outF; o++)
    keep.forEach((u, c) => {
      V2[o * n + c] = V.data[o * units + u];
    });
  const arch: Architecture = {
    ...net.arch,
    layers: net.arch.layers.map((l) => {
      if (l.kind === 'dense' && l.name === layer) return { ...l, outFeatures: n };
      if (l.kind === 'dense' && l.name === next) return { ...l, inFeatures: n };
      return l;
    }),
  };
  const out: State = new Map(state);
  out.set(`${layer}.weight`, { shape: [n, inF], data: W2 });
  out.set(`${layer}.bias`, { shape: [n], data: b2 });
  out.set(`${next}.weight`, { shape: [outF, n], data: V2 });
  const backend =
    net.kernels.name === 'wasm'
      ? 'wasm'
      : net.kernels.dtype === 'float64'
        ? 'reference64'
        : 'reference';
  if (inPlace) net.kernels.reset();
  const pruned = new Network(
    arch,
    net.batch,
    backend,
    inPlace ? { kernels: net.kernels } : undefined,
  );
  pruned.setState(out);
  return pruned;
}
