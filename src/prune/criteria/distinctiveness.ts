// Gedeon & Harris distinctiveness: the angle between activation vectors rescaled to [0,1] and
// centred at 0.5. For tanh units that is a/2, so the angles are those of the raw outputs; sigmoid
// outputs are already in [0,1] (centred: s - 0.5); ReLU outputs are unbounded, so each unit is
// rescaled by its own minimum and maximum over the pattern set (min-max), then centred. The most
// similar pair (largest |cos|) is taken: if similar, the kept neuron absorbs the removed one's
// outgoing weights (V[:,j] += V[:,i]), preserving the function when the two are identical; if
// complementary (cos < 0), both are removed. Similarity is reported as the angle in degrees.
import { angleDegrees, cosineSimilarityMatrix, mostSimilarPair } from '../activations.js';
import type { Criterion, CriterionContext } from './types.js';

/** Activations rescaled to [0, 1] (per unit by min-max unless sigmoid or tanh), minus 0.5. */
function centred(
  acts: Float64Array,
  rows: number,
  units: number,
  activation: CriterionContext['activation'],
): Float64Array {
  const low = new Float64Array(units).fill(Infinity),
    high = new Float64Array(units).fill(-Infinity);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      low[u] = Math.min(low[u], acts[r * units + u]);
      high[u] = Math.max(high[u], acts[r * units + u]);
    }
  const out = new Float64Array(acts.length);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      const a = acts[r * units + u];
      const range = high[u] - low[u];
      const unit = activation === 'sigmoid' ? a : range > 0 ? (a - low[u]) / range : 0.5;
      out[r * units + u] = unit - 0.5;
    }
  return out;
}

export const distinctiveness: Criterion = {
  name: 'distinctiveness',
  scoreKind: 'angle-degrees',
  needsCosine: true,
  needsGradients: false,
  choose({ cosine, units, acts, patterns, activation }) {
    const similarity =
      activation === 'tanh'
        ? cosine!
        : cosineSimilarityMatrix(centred(acts, patterns, units, activation), patterns, units);
    const { i, j, cos } = mostSimilarPair(similarity, units);
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
