// First-order Taylor estimate of the loss change from removing a neuron (Molchanov et al., 2017):
// score_u = | mean over patterns of a_u * dL/da_u |; the neuron with the smallest score goes.
import type { Criterion } from './types.js';
import { argmin } from './types.js';

export const taylor: Criterion = {
  name: 'taylor',
  scoreKind: 'taylor',
  needsCosine: false,
  needsGradients: true,
  choose({ acts, grads, units, patterns }) {
    const s = new Float64Array(units);
    for (let p = 0; p < patterns; p++)
      for (let u = 0; u < units; u++) s[u] += acts[p * units + u] * grads![p * units + u];
    for (let u = 0; u < units; u++) s[u] = Math.abs(s[u] / patterns);
    const u = argmin(s);
    return { removed: [u], merges: [], score: s[u], mergedInto: null };
  },
};
