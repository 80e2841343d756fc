// reconstruct: remove the unit whose loss the rest of the layer can best make up for. Every unit's
// activations over the pattern set are fitted as an affine function of all the other units' (least
// squares with a small ridge, in float64): with G the regularised Gram matrix of the activations
// and a constant column and P its inverse, unit i's residual sum of squares is 1/P[i,i] and its
// fit coefficients are -P[:,i]/P[i,i], so one inverse scores every unit. The score is the error
// the removal leaves in the next layer's pre-activations: the residual variance of i times the
// squared norm of its outgoing weights. The removed unit's fit is folded into the next layer,
// V[:,k] += c_k V[:,i] for every kept k and next bias += c_0 V[:,i] (the one-partner merge of Kim
// et al. 2020 and the least-squares redistribution of Mariet & Sra 2016, with all partners). A
// unit that is an affine combination of others goes with the network's output unchanged.
import { gram, invert } from '../linalg.js';
import { nextDenseLayer, type Merge } from '../surgery.js';
import type { Criterion } from './types.js';
import { argmin } from './types.js';

/** Ridge relative to the Gram matrix's mean diagonal: keeps a singular layer invertible. */
const RIDGE = 1e-9;

/** [patterns, units + 1]: the activations with a constant column. */
function withConstant(acts: Float64Array, patterns: number, units: number): Float64Array {
  const x = new Float64Array(patterns * (units + 1));
  for (let p = 0; p < patterns; p++) {
    x.set(acts.subarray(p * units, (p + 1) * units), p * (units + 1));
    x[p * (units + 1) + units] = 1;
  }
  return x;
}

export const reconstruct: Criterion = {
  name: 'reconstruct',
  scoreKind: 'reconstruction-error',
  needsCosine: false,
  needsGradients: false,
  choose({ net, layer, units, acts, patterns }) {
    const n = units + 1;
    const g = gram(withConstant(acts, patterns, units), patterns, n);
    let trace = 0;
    for (let i = 0; i < units; i++) trace += g[i * n + i];
    const ridge = (RIDGE * trace) / units || RIDGE;
    for (let i = 0; i < units; i++) g[i * n + i] += ridge;
    const p = invert(g, n);
    const V = net.param(`${nextDenseLayer(net.arch, layer)}.weight`);
    const outputs = V.length / units;
    const scores = new Float64Array(units);
    for (let i = 0; i < units; i++) {
      let outgoing = 0;
      for (let o = 0; o < outputs; o++) outgoing += V[o * units + i] ** 2;
      scores[i] = (Math.max(0, 1 / p[i * n + i]) / patterns) * outgoing;
    }
    const i = argmin(scores);
    const pii = p[i * n + i];
    const bias = -p[units * n + i] / pii;
    const merges: Merge[] = [];
    for (let k = 0; k < units; k++) {
      if (k === i) continue;
      const alpha = -p[k * n + i] / pii;
      merges.push({ from: i, into: k, kind: 'affine', alpha, beta: merges.length ? 0 : bias });
    }
    return { removed: [i], merges, score: scores[i], mergedInto: null };
  },
};
