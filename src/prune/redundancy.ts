// Estimates of how many of a layer's units are redundant, from the trained network alone (its
// activation vectors over the pattern set), before paying for a study: Gedeon & Harris' angle
// thresholds, the effective rank of the centred activations (Roy & Vetterli 2007), the components
// that hold 99% (and 99.9%) of their variance, and the dead or constant units. Each estimate is
// also stated as the knee it predicts: the units that could go.
import { exp, log } from '../engine/libm.js';
import { angleDegrees } from './activations.js';
import { gram, symmetricEigenvalues } from './linalg.js';

export interface RedundancyEstimates {
  units: number;
  /** Pairs closer than 15 degrees (similar) or farther than 165 (complementary). */
  similarPairs: number;
  complementaryPairs: number;
  /**
   * Units Gedeon & Harris' rules would remove at once (one of each similar pair, both of each
   * complementary pair, each unit once).
   */
  gedeonRemovable: number;
  effectiveRank: number;
  components99: number;
  components999: number;
  /** Units whose activation does not vary over the patterns. */
  deadUnits: number;
  /** Each estimate as the number of units it says can go. */
  predictedKnee: {
    gedeon: number;
    effectiveRank: number;
    variance99: number;
    variance999: number;
    dead: number;
  };
}

/** Components needed for `share` of the total of `values` (largest first). */
function componentsFor(values: number[], share: number): number {
  const total = values.reduce((a, b) => a + b, 0);
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    sum += values[k];
    if (sum >= share * total) return k + 1;
  }
  return values.length;
}

/** Estimates from activations [patterns, units] and their cosine matrix (units x units). */
export function redundancyEstimates(
  acts: Float64Array,
  patterns: number,
  units: number,
  cosine: ArrayLike<number>,
): RedundancyEstimates {
  // centred activations and their covariance's eigenvalues
  const centred = Float64Array.from(acts);
  const variance = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let mean = 0;
    for (let p = 0; p < patterns; p++) mean += acts[p * units + u];
    mean /= patterns;
    for (let p = 0; p < patterns; p++) {
      centred[p * units + u] -= mean;
      variance[u] += centred[p * units + u] ** 2;
    }
  }
  const largest = Math.max(...variance);
  const deadUnits = variance.filter((v) => v <= 1e-12 * Math.max(largest, 1e-300)).length;
  const eigen = symmetricEigenvalues(gram(centred, patterns, units), units).map((v) =>
    Math.max(v, 0),
  );
  const singular = eigen.map(Math.sqrt);
  const total = singular.reduce((a, b) => a + b, 0);
  const entropy = singular.reduce((h, s) => (s > 0 ? h - (s / total) * log(s / total) : h), 0);
  const effectiveRank = total > 0 ? exp(entropy) : 0;
  // Gedeon & Harris: angles between activation vectors, pairs past the thresholds, greedily
  const pairs: { i: number; j: number; angle: number }[] = [];
  for (let i = 0; i < units; i++) {
    for (let j = i + 1; j < units; j++) {
      const angle = angleDegrees(cosine[i * units + j]);
      if (angle < 15 || angle > 165) pairs.push({ i, j, angle });
    }
  }
  const used = new Set<number>();
  let gedeonRemovable = 0;
  for (const { i, j, angle } of pairs.sort(
    (a, b) => Math.min(a.angle, 180 - a.angle) - Math.min(b.angle, 180 - b.angle),
  )) {
    if (used.has(i) || used.has(j) || units - gedeonRemovable <= 2) continue;
    used.add(i).add(j);
    gedeonRemovable += angle > 165 ? 2 : 1;
  }
  const components99 = componentsFor(eigen, 0.99);
  const components999 = componentsFor(eigen, 0.999);
  return {
    units,
    similarPairs: pairs.filter((p) => p.angle < 15).length,
    complementaryPairs: pairs.filter((p) => p.angle > 165).length,
    gedeonRemovable,
    effectiveRank,
    components99,
    components999,
    deadUnits,
    predictedKnee: {
      gedeon: gedeonRemovable,
      effectiveRank: Math.max(0, units - Math.round(effectiveRank)),
      variance99: units - components99,
      variance999: units - components999,
      dead: deadUnits,
    },
  };
}
