// The plain-words summary of a study, generated from results.json (never typed in).
import { highestRise, meanCurveTolerance, type CriterionSummary } from '../study/knee.js';
import type { StudyResults } from '../study/results.js';

/** What the curve of one criterion does against the tolerance band. */
function kneeClause(
  c: CriterionSummary,
  points: string,
  hidden: number,
  reference: string,
): string {
  const within = `within ${points} point${points === '1' ? '' : 's'} of ${reference}`;
  const below = c.steps.find((s) => s.pruned > c.knee && s.n === c.seeds);
  const criterion = `\`${c.criterion}\``;
  if (!below) {
    return (
      `with ${criterion} test accuracy stays ${within} through all ${c.knee} of ${hidden} ` +
      'neurons pruned so far'
    );
  }
  if (c.knee === 0) {
    return `with ${criterion} test accuracy falls below at the first step (${below.pruned} pruned)`;
  }
  return (
    `test accuracy stays ${within} until ${c.knee} of ${hidden} neurons are pruned with ` +
    `${criterion} (falls below at ${below.pruned})`
  );
}

function controlSentence(r: StudyResults): string | null {
  const last = r.summary.control.at(-1);
  if (!last) return null;
  const change = last.testAccuracy.mean - r.baseline.testAccuracy;
  const direction = change >= 0 ? 'up' : 'down';
  const meaning =
    change > r.summary.tolerance
      ? 'the baseline was not converged: retraining alone improves the network, so the knees ' +
        'are measured against the control, not the baseline.'
      : 'the baseline was close to converged, so the pruning curves measure the effect of pruning.';
  return (
    `The budget-matched control (the unpruned network trained for the same ${last.epochs} extra ` +
    `epochs) reaches ${last.testAccuracy.mean.toFixed(3)}, ${direction} ` +
    `${Math.abs(100 * change).toFixed(1)} points from the baseline: ${meaning}`
  );
}

/** With no control: a climb above the baseline beyond the tolerance, said plainly. */
function riseSentence(r: StudyResults): string | null {
  const rise = highestRise(r.summary.criteria, r.baseline.testAccuracy);
  if (!rise || rise.points <= r.summary.tolerance * 100) return null;
  return (
    `There is no control, and the retrained curves climb up to ${rise.points.toFixed(1)} points ` +
    `above the baseline (\`${rise.criterion}\` at ${rise.pruned} pruned): the baseline was not ` +
    'converged, so "within the tolerance of the baseline" flatters the pruning. Train the ' +
    'baseline longer, or run the study with its control (the default), which the knees are then ' +
    'measured against.'
  );
}

export function summarySentences(r: StudyResults): string[] {
  const out: string[] = [];
  // the knees are the mean curves': their band may be the seeds' spread of the baseline
  const tolerance = meanCurveTolerance(r.summary.criteria, r.summary.tolerance) * 100;
  const points = tolerance.toFixed(tolerance % 1 ? 1 : 0);
  const criteria = r.summary.criteria;
  if (criteria.length) {
    const spread =
      r.config.seeds > 1
        ? ` (± ${r.baseline.testAccuracySpread.toFixed(3)} over ${r.config.seeds} seeds)`
        : '';
    const opening = `Baseline test accuracy is ${r.baseline.testAccuracy.toFixed(3)}${spread}; `;
    // the knees are measured against the control where there is one
    const reference = r.summary.control.length ? "the control's" : 'the baseline';
    if (criteria.length === 1) {
      out.push(opening + kneeClause(criteria[0], points, r.baseline.hidden, reference) + '.');
    } else {
      const byKnee = [...criteria].sort((a, b) => a.knee - b.knee);
      const low = byKnee[0];
      const high = byKnee[byKnee.length - 1];
      out.push(
        opening +
          `test accuracy stays within ${points} point${points === '1' ? '' : 's'} of ` +
          `${reference} until ` +
          `between ${low.knee} (\`${low.criterion}\`) and ${high.knee} (\`${high.criterion}\`) of ` +
          `the ${r.baseline.hidden} neurons are pruned: the knees of the table below.`,
      );
    }
  }
  if (criteria.length > 1) {
    const byDamage = [...criteria].sort((a, b) => a.immediateDamage.mean - b.immediateDamage.mean);
    const costs = byDamage.map(
      (c) => `${c.immediateDamage.mean.toFixed(2)} points with \`${c.criterion}\``,
    );
    out.push(
      `Before retraining, a removal costs on average ${costs.join(', ')}; ` +
        `\`${byDamage[0].criterion}\` does the least immediate damage.`,
    );
  }
  const control = controlSentence(r) ?? riseSentence(r);
  if (control) out.push(control);
  if (r.status !== 'complete') {
    out.push(`This run is ${r.status}: the figures and tables show the steps finished so far.`);
  }
  return out;
}
