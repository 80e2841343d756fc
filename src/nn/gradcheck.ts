// Finite-difference gradient check: compares a backward pass with central differences of the
// loss, in float64. Used by the tests on every layer kind and on whole networks.
import { Network } from './network.js';

export interface GradCheckResult {
  maxRelError: number;
  checked: number;
  worst: string;
}

/**
 * Checks `samples` randomly chosen coordinates of every parameter of `net` (a float64 network)
 * for the loss on input/labels. `analytic` optionally replaces the network's own gradient (to test
 * that the checker rejects a wrong one).
 */
export function gradCheck(
  net: Network,
  input: ArrayLike<number>,
  labels: ArrayLike<number>,
  B: number,
  opts: { samples?: number; eps?: number; analytic?: (name: string, i: number) => number } = {},
): GradCheckResult {
  const { samples = 6, eps = 1e-6 } = opts;
  const lossAt = () => {
    net.input.set(input);
    net.forward(B);
    return net.loss(labels, 0, B, false).loss / B;
  };
  net.input.set(input);
  net.zeroGrad();
  net.forward(B);
  net.loss(labels, 0, B, true);
  net.backward(B);
  let maxRelError = 0,
    checked = 0,
    worst = '';
  for (const [name] of net.views) {
    const p = net.param(name),
      g = Float64Array.from(net.grad(name));
    for (let s = 0; s < samples; s++) {
      const i = Math.floor(((s * 2654435761) >>> 0) % p.length);
      const keep = p[i];
      p[i] = keep + eps;
      const lp = lossAt();
      p[i] = keep - eps;
      const lm = lossAt();
      p[i] = keep;
      const numeric = (lp - lm) / (2 * eps);
      const a = opts.analytic ? opts.analytic(name, i) : g[i];
      const rel = Math.abs(a - numeric) / Math.max(1e-7, Math.abs(a) + Math.abs(numeric));
      if (rel > maxRelError) {
        maxRelError = rel;
        worst = `${name}[${i}] analytic ${a} numeric ${numeric}`;
      }
      checked++;
    }
  }
  return { maxRelError, checked, worst };
}
