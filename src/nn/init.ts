// PyTorch's default initialisation of conv and linear layers, drawn from the run's seed: weight and
// bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), a bias taking its weight's fan-in.
import { Rng, STREAM } from '../engine/rng.js';
import type { FloatArray } from '../engine/kernels.js';
import { size, type ParamView } from './architecture.js';

/** Fills every parameter of `views` (through `param`, its values) as PyTorch initialises them. */
export function initializeLikePyTorch(
  views: Map<string, ParamView>,
  param: (name: string) => FloatArray,
  seed: number,
): void {
  const rng = new Rng(seed, STREAM.init);
  for (const [name, v] of views) {
    const weight = v.shape.length === 1 ? views.get(name.replace(/bias$/, 'weight'))! : v;
    const bound = 1 / Math.sqrt(size(weight.shape.slice(1)));
    const values = param(name);
    for (let i = 0; i < values.length; i++) values[i] = rng.uniform(-bound, bound);
  }
}
