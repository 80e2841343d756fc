// Least-squares compensation: a removed neuron i is folded into a kept neuron j by fitting
// a_i ≈ α·a_j + β over the pattern set; then V[:,j] += α·V[:,i] and the next layer's bias
// += β·V[:,i]. The network's output is unchanged when a_i is exactly affine in a_j (α > 0 for
// similar pairs, α < 0 for complementary ones). Related idea for ReLU networks: Kim et al., 2020,
// "Neuron Merging: Compensating for Pruned Neurons".
import type { Merge } from './surgery.js';

export function affineFit(
  acts: Float64Array,
  patterns: number,
  units: number,
  i: number,
  j: number,
): { alpha: number; beta: number } {
  let mi = 0,
    mj = 0;
  for (let p = 0; p < patterns; p++) {
    mi += acts[p * units + i];
    mj += acts[p * units + j];
  }
  mi /= patterns;
  mj /= patterns;
  let cov = 0,
    varj = 0;
  for (let p = 0; p < patterns; p++) {
    const dj = acts[p * units + j] - mj;
    cov += (acts[p * units + i] - mi) * dj;
    varj += dj * dj;
  }
  const alpha = varj > 1e-12 ? cov / varj : 0;
  return { alpha, beta: mi - alpha * mj };
}

/**
 * For each removed neuron, the kept neuron with the largest |cos| to it, and the affine merge into
 * it.
 */
export function leastSquaresMerges(
  acts: Float64Array,
  patterns: number,
  units: number,
  removed: number[],
  cosine: Float64Array,
  partner?: number,
): Merge[] {
  const gone = new Set(removed);
  return removed.map((i) => {
    let j = partner !== undefined && !gone.has(partner) ? partner : -1;
    if (j < 0) {
      let best = -1;
      for (let u = 0; u < units; u++)
        if (!gone.has(u) && Math.abs(cosine[i * units + u]) > best) {
          best = Math.abs(cosine[i * units + u]);
          j = u;
        }
    }
    const { alpha, beta } = affineFit(acts, patterns, units, i, j);
    return { from: i, into: j, kind: 'affine' as const, alpha, beta };
  });
}
