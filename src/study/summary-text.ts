// The text a study prints: its header before the work starts and its summary at the end (the knee
// table), as pure functions of the plan and the results.
import type { StudyConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import { highestRise, meanCurveTolerance } from './knee.js';
import type { StudyPlan } from './plan.js';
import type { StudyResults } from './results.js';

export function headerText(
  dir: string,
  cfg: StudyConfig,
  data: PreparedData,
  plan: StudyPlan,
  /** Where the tasks run: `2 thread(s)`, or the queue's workers. */
  where: string,
): string {
  const sizes = `${data.train.n} train / ${data.val.n} val / ${data.test.n} test images`;
  const criteria = cfg.criterion.join(', ') + (plan.withControl ? ' + control' : '');
  return [
    `study ${dir}`,
    `  data ${data.name}: ${sizes}`,
    `  layer ${plan.layer} (${plan.hidden} units): ${plan.steps.length} steps of ${cfg.perStep}, ` +
      `${cfg.retrainEpochs} retraining epoch(s) each`,
    `  criteria ${criteria}; ${plan.seeds.length} seed(s); ${where}`,
  ].join('\n');
}

export function summaryText(r: StudyResults, dir: string): string {
  if (!r.baseline.perSeed.length) return `no baseline finished; results in ${dir}`;
  const spread = r.config.seeds > 1 ? ` ± ${r.baseline.testAccuracySpread.toFixed(4)}` : '';
  const lines = [
    `baseline test accuracy ${r.baseline.testAccuracy.toFixed(4)}${spread}; ` +
      `${r.layer} has ${r.baseline.hidden} units`,
    `${'criterion'.padEnd(16)} ${'knee'.padStart(5)} ${'one-shot'.padStart(9)} ` +
      `${'damage/step'.padStart(12)}  final acc`,
  ];
  for (const c of r.summary.criteria) {
    const last = c.steps[c.steps.length - 1];
    const damage = `${c.immediateDamage.mean.toFixed(2)} pt`;
    const final = last ? `${last.testAccuracy.mean.toFixed(4)} at ${last.hidden} units` : '-';
    const oneShot = String(c.oneShot?.knee ?? '-').padStart(9);
    lines.push(
      `${c.criterion.padEnd(16)} ${String(c.knee).padStart(5)} ${oneShot} ${damage.padStart(12)}  ` +
        final,
    );
  }
  const estimates = r.summary.redundancy ?? [];
  if (estimates.length) {
    const said = estimates.map((e) => `${e.estimate} ${Math.round(e.predictedKnee)}`).join(', ');
    lines.push(`units the baseline alone says can go: ${said}`);
  }
  const control = r.summary.control.at(-1);
  if (control) {
    lines.push(
      `control (no pruning, same extra epochs): ${control.testAccuracy.mean.toFixed(4)} ` +
        `after ${control.epochs} epochs`,
    );
  }
  const points = (r.summary.tolerance * 100).toFixed(1);
  const wide = meanCurveTolerance(r.summary.criteria, r.summary.tolerance);
  const band =
    wide > r.summary.tolerance
      ? `${(wide * 100).toFixed(1)} points (the seeds' spread of the baseline; the test set's ` +
        `noise is ${points})`
      : `${points} points`;
  const rise = control ? null : highestRise(r.summary.criteria, r.baseline.testAccuracy);
  if (rise && rise.points > r.summary.tolerance * 100) {
    lines.push(
      `warning: accuracy climbs ${rise.points.toFixed(1)} points above the baseline while ` +
        `pruning (${rise.criterion} at ${rise.pruned} pruned): the baseline was not converged, ` +
        'so knees against it flatter the pruning; train it longer, or keep the control',
    );
  }
  lines.push(
    `knee = most neurons pruned with test accuracy within ${band} of ` +
      (control ? 'the control' : 'the baseline') +
      (r.summary.criteria.some((c) => c.oneShot)
        ? ' (one-shot: of the baseline, with no retraining at all)'
        : '') +
      `; results in ${dir}`,
  );
  return lines.join('\n');
}

/** The summary as data, for machine-readable logs (--log-json). */
export function summaryData(r: StudyResults, dir: string): Record<string, unknown> {
  const control = r.summary.control.at(-1);
  return {
    dir,
    layer: r.layer,
    units: r.baseline.hidden,
    baseline: { testAccuracy: r.baseline.testAccuracy, spread: r.baseline.testAccuracySpread },
    tolerance: r.summary.tolerance,
    criteria: r.summary.criteria.map((c) => ({
      criterion: c.criterion,
      knee: c.knee,
      oneShotKnee: c.oneShot?.knee ?? null,
      immediateDamage: c.immediateDamage.mean,
      finalTestAccuracy: c.steps.at(-1)?.testAccuracy.mean ?? null,
      finalUnits: c.steps.at(-1)?.hidden ?? null,
    })),
    control: control ? { testAccuracy: control.testAccuracy.mean, epochs: control.epochs } : null,
  };
}
