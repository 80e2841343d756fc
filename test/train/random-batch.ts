// The training tests' input: a batch of B images of normal noise and labels 0..9, from a seed.
import { Rng } from '../../src/engine/rng.js';

export function randomBatch(B: number, seed: number, inputSize = 1024) {
  const r = new Rng(seed),
    x = new Float32Array(B * inputSize),
    y = new Uint8Array(B);
  for (let i = 0; i < x.length; i++) x[i] = r.normal();
  for (let i = 0; i < B; i++) y[i] = r.int(10);
  return { x, y };
}
