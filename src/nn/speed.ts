// A network's inference speed, measured on this machine with its own kernels: the latency of one
// image (the median of repeated runs) and the throughput at batch 128 (the best of a few runs).
// Measured on the images given (the first of a test split), in the network's own memory: no
// allocation. The numbers are timings, not results: they vary from run to run and machine to
// machine, and results.json keeps them beside the numbers that do not.
import type { Network } from './network.js';

export interface Speed {
  /** One image's forward pass, median over runs (milliseconds). */
  latencyMs: number;
  /** Images per second at batch min(128, the network's batch), best of runs. */
  imagesPerSecond: number;
}

// forward passes as evaluation runs them (the pooled convolutions keep only their pooled output)
const EVALUATING = { evaluating: true };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function measureSpeed(
  net: Network,
  images: Float32Array,
  latencyRuns = 15,
  batchRuns = 2,
): Speed {
  const size = net.inputSize;
  const batch = Math.max(1, Math.min(128, net.batch, Math.floor(images.length / size)));
  net.input.set(images.subarray(0, batch * size));
  net.forward(1, EVALUATING); // warm
  const single: number[] = [];
  for (let k = 0; k < latencyRuns; k++) {
    const t = performance.now();
    net.forward(1, EVALUATING);
    single.push(performance.now() - t);
  }
  let fastest = Infinity;
  for (let k = 0; k < batchRuns; k++) {
    const t = performance.now();
    net.forward(batch, EVALUATING);
    fastest = Math.min(fastest, performance.now() - t);
  }
  const round = (x: number, digits: number) => Number(x.toPrecision(digits));
  return {
    latencyMs: round(median(single), 3),
    imagesPerSecond: round((batch * 1000) / Math.max(fastest, 1e-3), 4),
  };
}
