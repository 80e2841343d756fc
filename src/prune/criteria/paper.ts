// The paper's rule: the pair i<j of neurons whose activation vectors have the largest |cosine|;
// neuron j absorbs i's incoming weights and bias (W[j] += W[i], b[j] += b[i]); i is removed with
// its outgoing weights.
import { mostSimilarPair } from '../activations.js';
import type { Criterion } from './types.js';

export const paper: Criterion = {
  name: 'paper',
  scoreKind: 'cosine',
  needsCosine: true,
  needsGradients: false,
  choose({ cosine, units }) {
    const { i, j, cos } = mostSimilarPair(cosine!, units);
    return {
      removed: [i],
      merges: [{ from: i, into: j, kind: 'incoming' }],
      score: cos,
      mergedInto: j,
    };
  },
};
