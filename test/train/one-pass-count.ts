// The training tests' count of a network's one-pass weight-gradient-and-step kernel calls
// (Kernels.denseWeightGradStep): how many ran and how many declined, the steps then making two.
import type { Network } from '../../src/nn/network.js';

/** Counts of the kernel's calls on `net`'s kernels from now on (they are wrapped). */
export function countOnePasses(net: Network): { ran: number; declined: number } {
  const counts = { ran: 0, declined: 0 };
  const k = net.kernels;
  const onePass = k.denseWeightGradStep.bind(k);
  k.denseWeightGradStep = (...args) => {
    const ran = onePass(...args);
    counts[ran ? 'ran' : 'declined']++;
    return ran;
  };
  return counts;
}
