// The helper thread a task parks for the next task of its thread (src/train/helper-reuse.ts): the
// next network it serves, in a memory of its own, gets exactly the single-thread numbers; a network
// its buffers do not fit gets a new helper.
import { afterAll, describe, expect, it } from 'vitest';
import { resolveArchitecture } from '../../src/nn/arch-spec.js';
import { lenet5, Network, type Architecture } from '../../src/nn/network.js';
import { Rng } from '../../src/engine/rng.js';
import type { BackendName } from '../../src/engine/backend.js';
import { parkHelper, takeHelper } from '../../src/train/helper-reuse.js';
import type { DataParallel } from '../../src/train/parallel.js';
import { serialStep } from '../../src/train/serial-step.js';

function network(arch: Architecture, backend: BackendName, seed: number): Network {
  const net = new Network(arch, 128, backend);
  net.initialize(seed);
  return net;
}

/** Trains `net` on the helper and a twin on one thread, three steps; the parameters must agree. */
function expectSerialNumbers(helper: DataParallel, arch: Architecture, backend: BackendName) {
  const net = network(arch, backend, 9);
  const twin = network(arch, backend, 9);
  const rng = new Rng(4);
  for (let step = 0; step < 3; step++) {
    const B = 16;
    const x = Float32Array.from({ length: B * net.inputSize }, () => rng.normal());
    const y = Uint8Array.from({ length: B }, () => rng.int(10));
    const mine = helper.step(net, x, y, B);
    const serial = serialStep(twin, x, y, B);
    expect(mine.correct).toBe(serial.correct);
    expect(Array.from(net.grads)).toEqual(Array.from(twin.grads));
    net.sgdStep(0.05);
    twin.sgdStep(0.05);
  }
  expect(Array.from(net.params)).toEqual(Array.from(twin.params));
}

afterAll(async () => {
  // the last helper parked by these tests is stopped
  const last = await takeHelper(network(lenet5(), 'reference', 1), 16);
  await last.close();
});

describe('a parked helper thread', () => {
  for (const backend of ['wasm', 'reference'] as const) {
    it(`serves the next network of the thread with the single-thread numbers (${backend})`, async () => {
      const first = await takeHelper(network(lenet5(), backend, 1), 16);
      expectSerialNumbers(first, lenet5(), backend);
      await parkHelper(first);
      const second = await takeHelper(network(lenet5(), backend, 2), 16);
      expect(second).toBe(first);
      expectSerialNumbers(second, lenet5(), backend);
      await parkHelper(second);
    });
  }

  it('is replaced by a new helper for a network its buffers do not fit', async () => {
    const small = await takeHelper(network(lenet5(), 'wasm', 1), 16);
    await parkHelper(small);
    const padded = resolveArchitecture('lenet5-pad', { classes: 10 });
    const other = await takeHelper(network(padded, 'wasm', 3), 16);
    expect(other).not.toBe(small);
    expectSerialNumbers(other, padded, 'wasm');
    await parkHelper(other);
  });
});
