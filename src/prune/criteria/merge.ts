// merge: the pair chosen as by distinctiveness (largest |cos| of activation vectors), one neuron
// removed per step, compensated by least squares (see ../compensate.ts) instead of a fixed rule.
import { angleDegrees, mostSimilarPair } from '../activations.js';
import { leastSquaresMerges } from '../compensate.js';
import type { Criterion } from './types.js';

export const merge: Criterion = {
  name: 'merge',
  scoreKind: 'angle-degrees',
  needsCosine: true,
  needsGradients: false,
  choose({ cosine, units, acts, patterns }) {
    const { i, j, cos } = mostSimilarPair(cosine!, units);
    const angle = angleDegrees(cos);
    return {
      removed: [i],
      merges: leastSquaresMerges(acts, patterns, units, [i], cosine!, j),
      score: angle,
      mergedInto: j,
    };
  },
};
