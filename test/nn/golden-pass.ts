// What the layer tests' PyTorch fixtures share (layers.test.ts, pooled-backward.test.ts): a
// network given the fixture's parameters and input, its logits and loss, and after its backward
// pass every gradient, compared with PyTorch's.
import { expect } from 'vitest';
import { maxRel } from './numbers.js';
import type { Network } from '../../src/nn/network.js';
import type { LenetGolden } from '../fixtures/golden.js';

export function expectGoldenPass(
  net: Network,
  g: Omit<LenetGolden, 'hidden84' | 'sgd'>,
  tol: number,
) {
  const B = g.labels.length;
  for (const [layer, t] of Object.entries(g.params)) {
    net.param(`${layer}.weight`).set(t.weight.data);
    net.param(`${layer}.bias`).set(t.bias.data);
  }
  net.input.set(g.input.data);
  net.forward(B);
  expect(maxRel(net.logits.subarray(0, g.logits.length), g.logits)).toBeLessThan(tol);
  const { loss } = net.loss(g.labels, 0, B, true);
  expect(Math.abs(loss / B - g.loss) / g.loss).toBeLessThan(tol);
  net.backward(B);
  for (const [layer, grads] of Object.entries(g.grads))
    for (const kind of ['weight', 'bias'] as const)
      expect(maxRel(net.grad(`${layer}.${kind}`), grads[kind]), layer).toBeLessThan(tol * 10);
}
