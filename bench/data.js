// What the training benchmarks share: their input (n images of `size` values in [-1, 1) from a
// fixed linear congruential sequence, the same on every run and machine, labels 0..9 in turn) and
// their timing (each rate the best of several short passes after a warm-up: the machine's speed
// drifts over seconds, and the best short pass is the steadiest figure).

/**
 * @param {number} n
 * @param {number} size
 * @returns {{ x: Float32Array, y: Uint8Array, n: number }}
 */
export function randomImages(n, size) {
  const x = new Float32Array(n * size);
  const y = new Uint8Array(n);
  let s = 1;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 4294967296) * 2 - 1;
  }
  for (let i = 0; i < n; i++) y[i] = i % 10;
  return { x, y, n };
}

/**
 * The best rate (images/s) of `passes` timed passes over `slice` images from start offsets spread
 * over the data, after a warm-up pass.
 * @param {{ n: number }} data
 * @param {(start: number) => void} pass
 * @param {number} slice
 * @param {number} passes
 */
export function bestPass(data, pass, slice, passes) {
  pass(0);
  let best = 0;
  for (let k = 1; k <= passes; k++) {
    const start = (k * slice) % (data.n - slice + 1);
    const t = performance.now();
    pass(start);
    best = Math.max(best, slice / ((performance.now() - t) / 1000));
  }
  return best;
}
