// The local pool of worker threads (src/study/pool.ts): its workers take the data the study hands
// them after they have started instead of loading it again, and a task's error comes back as the
// same kind of error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStudyConfig } from '../../src/config.js';
import type { PreparedData, Split } from '../../src/data/types.js';
import { Rng } from '../../src/engine/rng.js';
import { LocalPool } from '../../src/study/pool.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function split(n: number, rng: Rng): Split {
  const x = Float32Array.from({ length: n * 1024 }, () => rng.uniform(-1, 1));
  return { x, y: Uint8Array.from({ length: n }, (_, i) => i % 2), n };
}

// a folder that does not exist: a worker that loaded the data itself would fail
const cfg = parseStudyConfig({
  dataset: 'folder',
  data: join(tmp, 'no-such-folder'),
  epochs: 1,
  patterns: 16,
  out: join(tmp, 'run'),
});
const rng = new Rng(3);
const prepared: PreparedData = {
  name: 'handed over',
  classes: ['a', 'b'],
  inputShape: [1, 32, 32],
  train: split(48, rng),
  val: split(16, rng),
  test: split(16, rng),
  mean: [0],
  std: [1],
  source: 'the test',
  preprocessing: 'none',
};

describe('the local pool', () => {
  it("runs a task on the study's data, handed to its workers, without loading it", async () => {
    const pool = new LocalPool(1);
    pool.share({ cfg, prepared });
    try {
      const request = { task: { kind: 'baseline' as const, seed: 1 }, cfg, dir: tmp, helpers: 0 };
      const outcome = await pool.run(request, () => undefined);
      if (outcome.kind !== 'baseline') throw new Error(`a ${outcome.kind} outcome`);
      expect(outcome.baseline.history).toHaveLength(1);
      expect(outcome.baseline.testAccuracy).toBeGreaterThanOrEqual(0);
    } finally {
      await pool.close();
    }
  });

  it('hands the data to every worker: two tasks at once on two workers', async () => {
    const pool = new LocalPool(2);
    try {
      pool.share({ cfg, prepared });
      const request = (seed: number) => ({
        task: { kind: 'baseline' as const, seed },
        cfg,
        dir: join(tmp, 'later'),
        helpers: 0,
      });
      const outcomes = await Promise.all([3, 4].map((seed) => pool.run(request(seed), () => {})));
      expect(outcomes.map((o) => o.kind)).toEqual(['baseline', 'baseline']);
    } finally {
      await pool.close();
    }
  });

  it('without the data, the worker loads it, and its error comes back as a DataError', async () => {
    const pool = new LocalPool(1);
    try {
      const request = { task: { kind: 'baseline' as const, seed: 2 }, cfg, dir: tmp, helpers: 0 };
      await expect(pool.run(request, () => undefined)).rejects.toMatchObject({
        name: 'DataError',
        message: expect.stringMatching(/no-such-folder/) as unknown,
      });
    } finally {
      await pool.close();
    }
  });
});
