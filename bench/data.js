// The benchmarks' input: n images of `size` values in [-1, 1) from a fixed linear congruential
// sequence (the same on every run and machine), labels 0..9 in turn.

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
