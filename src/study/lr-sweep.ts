// `prunelab lr-sweep` (and `study --lr auto`): trains the baseline once per learning rate, in
// parallel on the task runner, and tabulates the best validation accuracy per rate (the paper's
// Table 1) into results.json, lr-sweep.csv and lr-sweep.md.
import { join } from 'node:path';
import type { TrainConfig } from '../config.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { environment, resolveThreads } from '../util/env.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { LocalPool } from './pool.js';
import type { SweepRow } from './records.js';
import type { SweepTask } from './task.js';

export const SWEEP_SCHEMA = 'prunelab.lrsweep/1';

export interface SweepResults {
  schema: string;
  config: TrainConfig;
  /** One row per rate, largest rate first. */
  table: SweepRow[];
  /** The rate with the best validation accuracy (null when every rate diverged). */
  best: number | null;
  environment: Record<string, unknown>;
}

function rowLine(row: SweepRow): string {
  if (row.diverged || row.bestValAccuracy === null) return `  lr ${row.lr}: diverged`;
  const accuracy = row.bestValAccuracy.toFixed(4);
  return `  lr ${row.lr}: best validation accuracy ${accuracy} (epoch ${row.bestEpoch})`;
}

function markdownTable(rows: SweepRow[]): string {
  const cell = (r: SweepRow) =>
    r.diverged || r.bestValAccuracy === null ? 'diverged' : (100 * r.bestValAccuracy).toFixed(2);
  return [
    'learning rate | best validation accuracy (%)',
    '---|---',
    ...rows.map((r) => `${r.lr} | ${cell(r)}`),
  ].join('\n');
}

function csv(rows: SweepRow[]): string {
  const lines = rows.map((r) =>
    [r.lr, r.bestValAccuracy ?? '', r.bestEpoch ?? '', r.testAccuracy ?? '', r.diverged].join(','),
  );
  return ['lr,bestValAccuracy,bestEpoch,testAccuracy,diverged', ...lines].join('\n') + '\n';
}

function bestRate(rows: SweepRow[]): number | null {
  let best: SweepRow | null = null;
  for (const row of rows) {
    if (row.diverged || row.bestValAccuracy === null) continue;
    if (!best || row.bestValAccuracy > (best.bestValAccuracy ?? -1)) best = row;
  }
  return best ? best.lr : null;
}

export async function runLrSweep(
  cfg: TrainConfig,
  lrs: number[],
  progress: ProgressReporter = silentProgress,
  outDir: string,
): Promise<SweepResults> {
  const threads = resolveThreads(cfg.threads);
  const poolSize = Math.min(threads, lrs.length);
  const pool = new LocalPool(poolSize);
  progress.info(`lr-sweep: ${lrs.join(', ')} on ${poolSize} thread(s), ${cfg.epochs} epochs each`);
  const rows: SweepRow[] = [];
  try {
    await Promise.all(
      lrs.map(async (lr) => {
        const task: SweepTask = { kind: 'sweep', seed: cfg.seed, lr };
        const outcome = await pool.run({ task, cfg, dir: outDir, helpers: 0 }, (event) => {
          if (event.type === 'epoch') progress.event('epoch', { lr, ...event.record });
        });
        if (outcome.kind !== 'sweep') throw new Error(`a sweep task returned a ${outcome.kind}`);
        rows.push(outcome.row);
        progress.info(rowLine(outcome.row));
      }),
    );
  } finally {
    await pool.close();
  }
  rows.sort((a, b) => b.lr - a.lr);
  const best = bestRate(rows);
  const results: SweepResults = {
    schema: SWEEP_SCHEMA,
    config: cfg,
    table: rows,
    best,
    environment: environment(threads),
  };
  writeJsonAtomic(join(outDir, 'results.json'), results);
  writeFileAtomic(join(outDir, 'lr-sweep.csv'), csv(rows));
  const table = markdownTable(rows);
  writeFileAtomic(join(outDir, 'lr-sweep.md'), table + '\n');
  progress.summary(`${table}\nbest learning rate: ${best ?? 'none (all diverged)'}  -> ${outDir}`);
  return results;
}
