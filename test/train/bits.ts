// The training tests' comparison of float arrays bit for bit, with a short failure message: the
// first index where they differ (a diff of two long arrays is slow and unreadable).

/** The first index where a and b differ in bits (-1: none). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
