// `npm run findings`: the criterion comparison on the bundled datasets (Fashion-MNIST and MNIST),
// every criterion, 3 seeds, with the budget-matched control; writes docs/findings.md and its
// figures from the generated results only (rerunning reproduces every number). Set FINDINGS_REUSE=1
// to rewrite the text from existing runs/findings-* without rerunning.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStudyConfig } from '../dist/config.js';
import { Progress, outputMode } from '../dist/cli/progress.js';
import { writeReport } from '../dist/report/report.js';
import { meanCurveTolerance } from '../dist/study/knee.js';
import { upgradeStudyResults } from '../dist/study/legacy.js';
import { runStudy } from '../dist/study/study.js';

const DATASETS = ['fashion-mnist', 'mnist'];
const base = {
  trainSize: 2000,
  valSize: 500,
  testSize: 1000,
  epochs: 40,
  patience: 5,
  retrainEpochs: 1,
  patterns: 1000,
  seeds: 3,
};
mkdirSync('docs/findings', { recursive: true });

/** @type {Record<string, import('../dist/study/results.js').StudyResults>} */
const results = {};
for (const dataset of DATASETS) {
  const dir = join('runs', `findings-${dataset}`);
  if (process.env.FINDINGS_REUSE && existsSync(join(dir, 'results.json'))) {
    const text = readFileSync(join(dir, 'results.json'), 'utf8');
    results[dataset] = /** @type {import('../dist/study/results.js').StudyResults} */ (
      upgradeStudyResults(JSON.parse(text))
    );
  } else {
    rmSync(dir, { recursive: true, force: true });
    const run = await runStudy(
      parseStudyConfig({ ...base, dataset, out: dir }),
      new Progress(outputMode({})),
    );
    await writeReport(run.dir);
    results[dataset] = run.results;
  }
  for (const fig of ['accuracy', 'damage', 'oneShot'])
    copyFileSync(
      join(dir, 'figures', `${fig}.png`),
      join('docs', 'findings', `${dataset}-${fig}.png`),
    );
}

/**
 * The band the mean curves' knees were measured with: the test set's noise, or the seeds' spread
 * of the baseline where that is wider (results.json's kneeTolerance).
 * @param {import('../dist/study/results.js').StudyResults} r
 */
function kneeBand(r) {
  const band = meanCurveTolerance(r.summary.criteria, r.summary.tolerance);
  const noise = `${pct(r.summary.tolerance)} points`;
  return band > r.summary.tolerance
    ? `the knees of the mean curves are measured within ${pct(band)} points of the control (the ` +
        `seeds' spread of the baseline, wider than the test set's noise, ${noise}).`
    : `knees within ${noise} (the test set's noise) of the control.`;
}

/**
 * Each seed's estimates against that seed's knee (the mean over criteria of its runs): the
 * table, and the one estimate whose largest error over the seeds is smallest, with that error.
 * @param {import('../dist/study/results.js').StudyResults} r
 */
function perSeedEstimates(r) {
  /** @type {[string, 'gedeon' | 'effectiveRank' | 'variance99' | 'variance999' | 'dead'][]} */
  const names = [
    ["Gedeon & Harris' thresholds", 'gedeon'],
    ['effective rank', 'effectiveRank'],
    ['99% of the variance', 'variance99'],
    ['99.9% of the variance', 'variance999'],
    ['dead or constant units', 'dead'],
  ];
  // the one-shot knee of reconstruct, where the study ran it: an estimate made from the baseline
  // too (removals with no training at all), listed last as in the summary
  const oneShot = (/** @type {number} */ seed) =>
    r.runs.find((run) => run.seed === seed && run.criterion === 'reconstruct')?.oneShotKnee ?? null;
  const withOneShot = r.runs.some((run) => run.criterion === 'reconstruct');
  const columns = names.map(([n]) => n);
  if (withOneShot) columns.push('one-shot knee of reconstruct');
  const rows = [];
  /** @type {number[][]} each seed's errors, one per column */
  const errorsBySeed = [];
  /** @type {number[][]} the same against the median of each random seed's criteria's knees */
  const errorsByMedian = [];
  for (const b of r.baseline.perSeed) {
    const estimate = b.redundancy;
    if (!estimate) continue;
    const knees = r.runs.filter((run) => run.seed === b.seed).map((run) => run.knee);
    if (!knees.length) continue;
    const knee = knees.reduce((a, k) => a + k, 0) / knees.length;
    const predicted = names.map(([, key]) => estimate.predictedKnee[key]);
    if (withOneShot) predicted.push(oneShot(b.seed) ?? NaN);
    const errors = predicted.map((p) => p - knee);
    errorsBySeed.push(errors);
    const median = quantile(knees, 0.5);
    errorsByMedian.push(predicted.map((p) => p - median));
    rows.push(
      `| ${b.seed} | ${knee.toFixed(1)} | ${errors.map((e) => e.toFixed(1)).join(' | ')} |`,
    );
  }
  if (!rows.length) return [];
  // one estimate for every seed, not the luckiest per seed: the one whose worst error is smallest
  /** @param {number[][]} bySeed */
  const bestOf = (bySeed) => {
    const worst = columns.map((_, k) => Math.max(...bySeed.map((e) => Math.abs(e[k]))));
    const best = worst.reduce((i, w, k) => (w < worst[i] ? k : i), 0);
    return { name: columns[best], error: worst[best], within: worst[best] <= 5 };
  };
  const byMean = bestOf(errorsBySeed);
  const byMedian = bestOf(errorsByMedian);
  const verdict =
    `The best estimate over the seeds is ${byMean.name}: at most ${byMean.error.toFixed(1)} ` +
    `units from a seed's knee, so ${byMean.within ? '' : 'not '}within 5 units on every seed ` +
    `here. Against the median of each seed's criteria's knees instead (one criterion far from ` +
    `the others moves a mean, not a median), the best is ${byMedian.name}, at most ` +
    `${byMedian.error.toFixed(1)} units from it (${byMedian.within ? '' : 'not '}within 5).`;
  return [
    "Per seed, each estimate's error against that seed's knee (the mean of its criteria's knees):",
    '',
    `| seed | knee | ${columns.join(' | ')} |`,
    `| --- | --- | ${columns.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
    verdict,
  ];
}

/**
 * The value at fraction `f` of `xs` sorted (the lower one between two).
 * @param {number[]} xs @param {number} f
 */
function quantile(xs, f) {
  return [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))];
}

/**
 * A criterion's damage per removal (points, before retraining) split at each seed's knee: median
 * and quartiles before it and after it.
 * @param {import('../dist/study/results.js').StudyResults} r @param {string} criterion
 */
function damageSplit(r, criterion) {
  /** @type {number[]} */
  const before = [];
  /** @type {number[]} */
  const after = [];
  for (const run of r.runs.filter((x) => x.criterion === criterion)) {
    let prev = r.baseline.perSeed.find((b) => b.seed === run.seed)?.testAccuracy ?? NaN;
    for (const s of run.steps) {
      (s.pruned <= run.knee ? before : after).push(100 * (prev - s.testAccuracyBeforeRetrain));
      prev = s.testAccuracy;
    }
  }
  /** @param {number[]} xs */
  const describe = (xs) => {
    if (!xs.length) return '–';
    const q = (/** @type {number} */ f) => quantile(xs, f);
    return `${q(0.5).toFixed(2)} (${q(0.25).toFixed(2)} to ${q(0.75).toFixed(2)})`;
  };
  return { before: describe(before), after: describe(after) };
}

/**
 * Per seed, reconstruct's one-shot knee against the best other criterion's (the issue's goal:
 * at least twice every other's), as one sentence; empty when reconstruct did not run.
 * @param {import('../dist/study/results.js').StudyResults} r
 */
function oneShotLead(r) {
  const seeds = [...new Set(r.runs.map((run) => run.seed))];
  const parts = [];
  /** @type {number[]} */
  const ratios = [];
  /** @type {number[]} */
  const bests = [];
  for (const seed of seeds) {
    const runs = r.runs.filter((run) => run.seed === seed && run.oneShotKnee !== undefined);
    const ours = runs.find((run) => run.criterion === 'reconstruct');
    const others = runs.filter((run) => run.criterion !== 'reconstruct');
    if (!ours || !others.length) continue;
    const best = others.reduce((a, b) => ((b.oneShotKnee ?? 0) > (a.oneShotKnee ?? 0) ? b : a));
    const ratio = (ours.oneShotKnee ?? 0) / Math.max(best.oneShotKnee ?? 0, 1);
    ratios.push(ratio);
    bests.push(best.oneShotKnee ?? 0);
    parts.push(
      `seed ${seed} ${ours.oneShotKnee} against ${best.oneShotKnee} (\`${best.criterion}\`, ` +
        `${ratio.toFixed(2)}x)`,
    );
  }
  if (!parts.length) return '';
  const twice = ratios.every((x) => x >= 2);
  // a run removes at most all units but one: twice a knee above half of that cannot be reached
  const most = r.baseline.hidden - 1;
  const unreachable = bests.filter((k) => 2 * k > most);
  const why = unreachable.length
    ? ` (twice ${Math.min(...unreachable)} or more is beyond the ${most} units a run can remove)`
    : '';
  return (
    `- **\`reconstruct\`'s one-shot knee against the best other criterion's**, per seed: ` +
    `${parts.join('; ')}: ${twice ? '' : 'not '}twice every other criterion's on every ` +
    `seed${why}.`
  );
}

/** @param {number} x */
const pct = (x) => (100 * x).toFixed(1);
const lines = [
  '# Findings: which neurons can go, and which criterion chooses them best',
  '',
  `Generated by \`npm run findings\` from the results it produces (${Object.values(results)[0].environment.prunelab ? `prunelab ${Object.values(results)[0].environment.prunelab}` : 'prunelab'}); every number below is read from those results.`,
  `Protocol: LeNet-5, ${base.trainSize} training / ${base.valSize} validation / ${base.testSize} test images, baseline trained with early stopping (patience ${base.patience}, at most ${base.epochs} epochs), the 84-unit layer \`fc2\` pruned one neuron per step (two for a complementary pair under \`distinctiveness\`) down to 1, ${base.retrainEpochs} retraining epoch per step, ${base.seeds} seeds, with the control; every criterion also once with no retraining at all (one-shot).`,
  '',
];
for (const [dataset, r] of Object.entries(results)) {
  const crit = [...r.summary.criteria];
  const byDamage = [...crit].sort((a, b) => a.immediateDamage.mean - b.immediateDamage.mean);
  const ctl = r.summary.control.at(-1);
  const estimates = r.summary.redundancy ?? [];
  const meanKnee = crit.reduce((sum, c) => sum + c.knee, 0) / crit.length;
  lines.push(
    `## ${dataset}`,
    '',
    `Baseline test accuracy ${r.baseline.testAccuracy.toFixed(3)} ± ${r.baseline.testAccuracySpread.toFixed(3)} (${r.config.seeds} seeds); ${kneeBand(r)}`,
    '',
    '| criterion | knee (mean curve; range from the test noise) | knee per seed, mean ± sd | one-shot knee (no retraining) | damage per removal before the knee: median (quartiles) | after the knee: median (quartiles) | mean damage (points) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...crit.map((c) => {
      const split = damageSplit(r, c.criterion);
      return `| \`${c.criterion}\` | ${c.knee} (${c.kneeRange ? c.kneeRange.join('-') : '–'}) | ${c.kneePerSeed.mean.toFixed(1)} ± ${c.kneePerSeed.std.toFixed(1)} | ${c.oneShot?.knee ?? '–'} | ${split.before} | ${split.after} | ${c.immediateDamage.mean.toFixed(2)} |`;
    }),
    '',
    `- **Least immediate damage**: \`${byDamage[0].criterion}\` (${byDamage[0].immediateDamage.mean.toFixed(2)} points per removal before retraining), then ${byDamage
      .slice(1)
      .map((c) => `\`${c.criterion}\` (${c.immediateDamage.mean.toFixed(2)})`)
      .join(', ')}.`,
    `- **Knees**: from ${Math.min(...crit.map((c) => c.knee))} to ${Math.max(...crit.map((c) => c.knee))} of 84 neurons; the paper found about 50 of 84 on its VehicleX subset. ${Math.max(...crit.map((c) => c.knee)) > 50 ? 'Here more of the layer is redundant once the network retrains after each removal: accuracy holds until only a handful of units, about the number of classes, remain.' : 'Here fewer neurons can go before accuracy falls.'}`,
    `- **One-shot knees** (no retraining at all): ${[...crit]
      .sort((a, b) => (b.oneShot?.knee ?? 0) - (a.oneShot?.knee ?? 0))
      .map((c) => `\`${c.criterion}\` ${c.oneShot?.knee ?? '–'}`)
      .join(', ')}.`,
    oneShotLead(r),
    ctl
      ? `- **Control**: the unpruned network trained for the same ${ctl.epochs} extra epochs ends at ${ctl.testAccuracy.mean.toFixed(3)} (${ctl.testAccuracy.mean >= r.baseline.testAccuracy ? '+' : ''}${pct(ctl.testAccuracy.mean - r.baseline.testAccuracy)} points). ${ctl.testAccuracy.mean - r.baseline.testAccuracy > r.summary.tolerance ? 'The baseline was not converged: extra training alone improves it, which is why the knees are measured against the control.' : 'The baseline had converged, so the pruning curves are not inflated by extra training.'}`
      : '',
    '',
    '**Redundancy estimates** from the baseline alone (mean over seeds) against the measured knees:',
    '',
    '| estimate | units that can go | error against the mean knee of the criteria |',
    '| --- | --- | --- |',
    ...estimates.map(
      (e) =>
        `| ${e.estimate} | ${e.predictedKnee.toFixed(1)} | ${(e.predictedKnee - meanKnee).toFixed(1)} |`,
    ),
    '',
    ...perSeedEstimates(r),
    '',
    `![${dataset}: test accuracy against neurons pruned](findings/${dataset}-accuracy.png)`,
    '',
    `![${dataset}: immediate damage](findings/${dataset}-damage.png)`,
    '',
    `![${dataset}: one-shot curves](findings/${dataset}-oneShot.png)`,
    '',
  );
}
writeFileSync('docs/findings.md', lines.join('\n'));
console.log('wrote docs/findings.md');
