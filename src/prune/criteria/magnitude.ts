// Magnitude: remove the neuron whose incoming weight vector has the smallest L2 norm.
import type { Criterion } from './types.js';
import { argmin } from './types.js';

export const magnitude: Criterion = {
  name: 'magnitude',
  scoreKind: 'l2-norm',
  needsCosine: false,
  needsGradients: false,
  choose({ net, layer, units }) {
    const W = net.param(`${layer}.weight`),
      inF = W.length / units,
      norms = new Float64Array(units);
    for (let u = 0; u < units; u++) {
      let s = 0;
      for (let k = 0; k < inF; k++) s += W[u * inF + k] ** 2;
      norms[u] = Math.sqrt(s);
    }
    const u = argmin(norms);
    return { removed: [u], merges: [], score: norms[u], mergedInto: null };
  },
};
