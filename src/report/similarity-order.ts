// An order of a layer's units in which similar units sit together, for the cosine heatmap: the
// leaf order of an average-linkage clustering (UPGMA) on the distance 1 - |cos| (a pair whose
// activation vectors are parallel or opposite is redundant either way), built by the
// nearest-neighbour chain algorithm in O(n^2) time. Ties go to the lower index, so the order is a
// pure function of the matrix. Written here because it is forty lines: no charting library
// orders a matrix, and a clustering package would bring far more than this one figure needs.

/** Units beyond which the heatmap keeps their own order (the distances would take n^2 floats). */
export const MAX_ORDERED_UNITS = 2048;

/**
 * A permutation of 0..n-1 (position -> unit) placing units of similar activation vectors next to
 * each other; the identity above MAX_ORDERED_UNITS.
 */
export function similarityOrder(cosine: ArrayLike<number>, n: number): number[] {
  if (n <= 2 || n > MAX_ORDERED_UNITS) return Array.from({ length: n }, (_, i) => i);
  const distance = new Float64Array(n * n);
  // a dead unit's cosine is undefined: it is as far from every unit as an orthogonal one
  for (let i = 0; i < n * n; i++) {
    const c = cosine[i];
    distance[i] = Number.isFinite(c) ? 1 - Math.abs(c) : 1;
  }
  const size = new Array<number>(n).fill(1);
  const active = new Array<boolean>(n).fill(true);
  // each cluster is named by one of its units; members[k] in merge order
  const members: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const chain: number[] = [];
  let remaining = n;
  while (remaining > 1) {
    if (!chain.length) chain.push(active.indexOf(true));
    const a = chain[chain.length - 1];
    const previous = chain.length > 1 ? chain[chain.length - 2] : -1;
    let b = previous;
    let best = previous >= 0 ? distance[a * n + previous] : Infinity;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      const d = distance[a * n + k];
      if (d < best || (d === best && k < b && b !== previous)) {
        best = d;
        b = k;
      }
    }
    if (b !== previous) {
      chain.push(b);
      continue;
    }
    chain.length -= 2;
    const keep = Math.min(a, b);
    const gone = Math.max(a, b);
    merge(distance, n, size, active, keep, gone);
    members[keep] = members[keep].concat(members[gone]);
    remaining--;
  }
  return members[active.indexOf(true)];
}

/** Cluster `gone` into `keep`: the average-linkage (Lance-Williams) distances to every other. */
function merge(
  distance: Float64Array,
  n: number,
  size: number[],
  active: boolean[],
  keep: number,
  gone: number,
): void {
  const total = size[keep] + size[gone];
  for (let k = 0; k < n; k++) {
    if (!active[k] || k === keep || k === gone) continue;
    const d = (size[keep] * distance[keep * n + k] + size[gone] * distance[gone * n + k]) / total;
    distance[keep * n + k] = d;
    distance[k * n + keep] = d;
  }
  size[keep] = total;
  active[gone] = false;
}
