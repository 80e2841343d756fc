// Gedeon & Harris distinctiveness: the angle between activation vectors rescaled to [0,1] and
// centred at 0.5 (for tanh units that is a/2, so the angles are those of the raw outputs). The most
// similar pair (largest |cos|) is taken: if similar, the kept neuron absorbs the removed one's
// outgoing weights (V[:,j] += V[:,i]), preserving the function when the two are identical; if
// complementary (cos < 0), both are removed. Similarity is reported as the angle in degrees.
import { angleDegrees, mostSimilarPair } from '../activations.js';
import type { Criterion } from './types.js';

export const distinctiveness: Criterion = {
  name: 'distinctiveness',
  scoreKind: 'angle-degrees',
  needsCosine: true,
  needsGradients: false,
  choose({ cosine, units }) {
    const { i, j, cos } = mostSimilarPair(cosine!, units);
    const angle = angleDegrees(cos);
    if (cos < 0 && units > 2)
      return { removed: [i, j], merges: [], score: angle, mergedInto: null };
    return {
      removed: [i],
      merges: [{ from: i, into: j, kind: 'outgoing' }],
      score: angle,
      mergedInto: j,
    };
  },
};
