// The plain-words summary of a study, generated from results.json (never typed in).
import type { StudyResults } from '../study/results.js';

export function summarySentences(r: StudyResults): string[] {
  const out: string[] = [];
  const pts = (r.summary.tolerance * 100).toFixed((r.summary.tolerance * 100) % 1 ? 1 : 0);
  const base = r.baseline.testAccuracy.toFixed(3);
  const n = r.baseline.hidden;
  const parts = r.summary.criteria.map((c) => {
    const below = c.steps.find((s) => s.pruned > c.knee && s.n === c.seeds);
    if (!below)
      return `with \`${c.criterion}\` it stays within ${pts} point${pts === '1' ? '' : 's'} through all ${c.knee} of ${n} neurons pruned so far`;
    return c.knee > 0
      ? `it stays within ${pts} point${pts === '1' ? '' : 's'} until ${c.knee} of ${n} neurons are pruned with \`${c.criterion}\` (falls below at ${below.pruned})`
      : `with \`${c.criterion}\` it falls below at the first step (${below.pruned} pruned)`;
  });
  if (parts.length)
    out.push(
      `Baseline test accuracy is ${base}${r.config.seeds > 1 ? ` (± ${r.baseline.testAccuracySpread.toFixed(3)} over ${r.config.seeds} seeds)` : ''}; ${parts.join('; ')}.`,
    );
  if (r.summary.criteria.length > 1) {
    const byDamage = [...r.summary.criteria].sort(
      (a, b) => a.immediateDamage.mean - b.immediateDamage.mean,
    );
    out.push(
      `Before retraining, a removal costs on average ${byDamage.map((c) => `${c.immediateDamage.mean.toFixed(2)} points with \`${c.criterion}\``).join(', ')}; \`${byDamage[0].criterion}\` does the least immediate damage.`,
    );
  }
  const ctl = r.summary.control;
  if (ctl.length) {
    const last = ctl[ctl.length - 1];
    const d = last.testAccuracy.mean - r.baseline.testAccuracy;
    out.push(
      `The budget-matched control (the unpruned network trained for the same ${last.epochs} extra epochs) reaches ${last.testAccuracy.mean.toFixed(3)}, ${d >= 0 ? 'up' : 'down'} ${Math.abs(100 * d).toFixed(1)} points from the baseline: ` +
        (d > r.summary.tolerance
          ? 'retraining alone improves the network, so accuracy gains during pruning are not evidence of redundancy; compare each curve with the control.'
          : 'the baseline was close to converged, so the pruning curves measure the effect of pruning.'),
    );
  }
  if (r.status !== 'complete')
    out.push(`This run is ${r.status}: the figures and tables show the steps finished so far.`);
  return out;
}
