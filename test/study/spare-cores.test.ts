// The cores of idle pool workers lent to running tasks (src/study/spare-cores.ts): a core is lent
// only while a worker is idle, a loan is called back when the pool gives that worker a task, and
// the local pool keeps the count of its idle workers as jobs come and go.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStudyConfig } from '../../src/config.js';
import { LocalPool } from '../../src/study/pool.js';
import { SpareCores } from '../../src/study/spare-cores.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-spare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('spare cores', () => {
  it('lends no more cores than workers are idle, and calls loans back when fewer are', () => {
    const cores = new SpareCores();
    expect(cores.borrow()).toBe(false);
    cores.setIdle(2);
    expect(cores.borrow()).toBe(true);
    expect(cores.borrow()).toBe(true);
    expect(cores.borrow()).toBe(false);
    expect(cores.lent).toBe(2);
    // nothing is wanted back while the idle workers stay idle
    expect(cores.returnIfWanted()).toBe(false);
    cores.setIdle(1);
    // one loan, not both, goes back
    expect(cores.returnIfWanted()).toBe(true);
    expect(cores.returnIfWanted()).toBe(false);
    cores.giveBack();
    expect(cores.lent).toBe(0);
    expect(cores.loans).toBe(2);
  });

  it('shares its counts through its buffer, as the pool and its worker threads do', () => {
    const pool = new SpareCores();
    const worker = new SpareCores(pool.buffer);
    pool.setIdle(1);
    expect(worker.borrow()).toBe(true);
    expect(pool.lent).toBe(1);
    pool.setIdle(0);
    expect(worker.returnIfWanted()).toBe(true);
    expect(pool.lent).toBe(0);
  });

  it("counts the local pool's idle workers as its jobs start and end", async () => {
    const cfg = parseStudyConfig({
      trainSize: 64,
      valSize: 32,
      testSize: 32,
      epochs: 2,
      out: join(tmp, 'run'),
    });
    const pool = new LocalPool(2);
    try {
      const baseline = { task: { kind: 'baseline' as const, seed: 1 }, cfg, dir: tmp, helpers: 0 };
      // nothing has started: both workers idle
      expect(pool.spare.borrow()).toBe(true);
      expect(pool.spare.borrow()).toBe(true);
      pool.spare.giveBack();
      pool.spare.giveBack();
      let lendable = 0;
      const running = pool.run(baseline, () => {
        // while the one job runs, one worker is idle: one core can be lent
        if (lendable === 0 && pool.spare.borrow()) {
          lendable = pool.spare.borrow() ? 2 : 1;
          while (pool.spare.lent > 0) pool.spare.giveBack();
        }
      });
      await running;
      expect(lendable).toBe(1);
      const two = [1, 2].map((seed) =>
        pool.run({ ...baseline, task: { ...baseline.task, seed } }, () => {}),
      );
      // both workers busy: nothing to lend
      expect(pool.spare.borrow()).toBe(false);
      await Promise.all(two);
      expect(pool.spare.borrow()).toBe(true);
      pool.spare.giveBack();
    } finally {
      await pool.close();
    }
    expect(pool.spare.borrow()).toBe(false);
  });
});
