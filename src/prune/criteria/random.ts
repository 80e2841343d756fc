// Random: remove a neuron chosen uniformly from the run's seeded stream (the baseline every
// criterion must beat).
import type { Criterion } from './types.js';

export const random: Criterion = {
  name: 'random',
  scoreKind: 'random',
  needsCosine: false,
  needsGradients: false,
  choose: ({ units, rng }) => ({
    removed: [rng.int(units)],
    merges: [],
    score: null,
    mergedInto: null,
  }),
};
