// `prunelab lr-sweep`: trains the baseline once per learning rate, in parallel on worker threads
// (each run from the same seed, so only the learning rate differs), and tabulates the best
// validation accuracy per learning rate (the seed's Table 1). A rate that diverges is recorded as
// such, not as a failure of the sweep.
import { join } from 'node:path';
import type { TrainConfig } from '../config.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { environment, resolveThreads } from '../util/env.js';
import type { Progress } from '../cli/progress.js';
import { TaskPool } from '../prune/pool.js';

export interface SweepRow {
  lr: number;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  testAccuracy: number | null;
  diverged: boolean;
  seconds: number;
}

export async function runLrSweep(
  cfg: TrainConfig,
  lrs: number[],
  progress: Progress,
  outDir: string,
) {
  const threads = resolveThreads(cfg.threads);
  const pool = new TaskPool(Math.min(threads, lrs.length), cfg as never, outDir);
  progress.info(
    `lr-sweep: ${lrs.join(', ')} on ${Math.min(threads, lrs.length)} thread(s), ${cfg.epochs} epochs each`,
  );
  const rows: SweepRow[] = [];
  try {
    await Promise.all(
      lrs.map(async (lr) => {
        const r = (await pool.run({ kind: 'sweep', seed: cfg.seed, lr } as never, (e) => {
          if (e.type === 'epoch') progress.event('epoch', { lr, ...e.record });
        })) as SweepRow;
        rows.push(r);
        progress.info(
          `  lr ${lr}: ${r.diverged ? 'diverged' : `best validation accuracy ${r.bestValAccuracy!.toFixed(4)} (epoch ${r.bestEpoch})`}`,
        );
      }),
    );
  } finally {
    await pool.close();
  }
  rows.sort((a, b) => b.lr - a.lr);
  const ok = rows.filter((r) => !r.diverged);
  const best = ok.length
    ? ok.reduce((a, b) => (b.bestValAccuracy! > a.bestValAccuracy! ? b : a)).lr
    : null;
  const results = {
    schema: 'prunelab.lrsweep/1',
    config: cfg,
    table: rows,
    best,
    environment: environment(threads),
  };
  writeJsonAtomic(join(outDir, 'results.json'), results);
  writeFileAtomic(
    join(outDir, 'lr-sweep.csv'),
    'lr,bestValAccuracy,bestEpoch,testAccuracy,diverged\n' +
      rows
        .map((r) =>
          [r.lr, r.bestValAccuracy ?? '', r.bestEpoch ?? '', r.testAccuracy ?? '', r.diverged].join(
            ',',
          ),
        )
        .join('\n') +
      '\n',
  );
  const table = [
    'learning rate | best validation accuracy (%)',
    '---|---',
    ...rows.map(
      (r) => `${r.lr} | ${r.diverged ? 'diverged' : (100 * r.bestValAccuracy!).toFixed(2)}`,
    ),
  ].join('\n');
  writeFileAtomic(join(outDir, 'lr-sweep.md'), table + '\n');
  progress.summary(`${table}\nbest learning rate: ${best ?? 'none (all diverged)'}  -> ${outDir}`);
  return results;
}
