// The self-contained HTML report (no network, no scripts, no external fonts): summary, figures
// (inline SVG), knee and per-step tables, config, environment and timings. A pure function of the
// results and the rendered figures; every user-provided string is escaped.
import { meanCurveTolerance } from '../study/knee.js';
import type { SweepResults } from '../study/lr-sweep.js';
import type { StudyResults } from '../study/results.js';
import { summarySentences } from './summary.js';

export function escapeHtml(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const f = (x: number | null | undefined, d = 4) =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d);
const code = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');

function table(head: string[], rows: (string | number)[][]): string {
  const headRow = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const bodyRows = rows.map(
    (r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`,
  );
  return `<table><thead><tr>${headRow}</tr></thead><tbody>${bodyRows.join('')}</tbody></table>`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:980px;margin:2em auto;
  padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.88em;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}figure{margin:1em 0}
figure svg{max-width:100%;height:auto}
.status{padding:.4em .8em;background:#fff3cd;border:1px solid #e0c36b}
code{background:#f3f3f3;padding:0 .2em}`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const AUGMENTATION = ['augment', 'flip', 'rotation', 'brightness', 'contrast', 'saturation'];

/** What a 0 stands for in the options where it means "decide for me": what was decided. */
const ZERO_MEANS: Record<string, (r: StudyResults) => string> = {
  tolerance: (r) => `the test set's noise, ${f(100 * r.summary.tolerance, 1)} points`,
  threads: (r) => `one per core (${String(r.environment.threads ?? r.environment.cores)})`,
  maxPruned: (r) => `all but one (${r.baseline.hidden - 1})`,
  patterns: () => 'every training image',
  trainSize: (r) => `all that remain (${r.data.sizes.train})`,
};

/** The configuration as it was applied: augmentation shows as such only for image datasets. */
function configRows(r: StudyResults): string[][] {
  const augmented = ['folder', 'vehicle-x'].includes(String(r.config.dataset)) && r.config.augment;
  return Object.entries(r.config).map(([k, v]) => {
    if (!augmented && AUGMENTATION.includes(k)) {
      return [k, k === 'augment' ? 'not applied (only image datasets are augmented)' : '–'];
    }
    if (Array.isArray(v)) return [k, v.length ? v.join(', ') : 'none'];
    return [k, v === 0 && k in ZERO_MEANS ? `0: ${ZERO_MEANS[k](r)}` : String(v)];
  });
}

/** The redundancy estimates beside the measured knees. */
function redundancySection(r: StudyResults): string {
  const rows = r.summary.redundancy ?? [];
  if (!rows.length) return '';
  const names = r.summary.criteria.map((c) => c.criterion);
  const body = rows.map((row) => [
    row.estimate,
    f(row.predictedKnee, 1),
    ...names.map((n) => (row.error[n] === undefined ? '–' : f(row.error[n], 1))),
  ]);
  return (
    '<h2>Redundancy estimates</h2>' +
    '<p>How many units the trained network alone says can go (computed from the baseline in ' +
    "under a second), and each estimate's error against the knee each criterion measured " +
    '(estimate − knee, in units).</p>' +
    table(['estimate', 'units that can go', ...names.map((n) => `error vs ${n}`)], body)
  );
}

function statusNote(r: StudyResults): string {
  if (r.status === 'complete') return '';
  if (r.failures?.length) {
    const items = r.failures.map((f) => `<li>${escapeHtml(f.task)}: ${escapeHtml(f.error)}</li>`);
    return (
      `<div class="status">Status: failed. ${r.failures.length} task(s) failed; the report ` +
      `shows the others:<ul>${items.join('')}</ul></div>`
    );
  }
  const error = r.error ? ` (${escapeHtml(r.error)})` : '';
  return (
    `<p class="status">Status: ${escapeHtml(r.status)}${error}. ` +
    'The report shows the steps finished so far.</p>'
  );
}

function introduction(r: StudyResults): string {
  const { sizes, classes } = r.data;
  const classList = classes.map((c, i) => `${i}: ${c}`).join(', ');
  return (
    `<p>LeNet-5 on <b>${escapeHtml(r.data.name)}</b> (${escapeHtml(r.data.source)}), ` +
    `${sizes.train} training / ${sizes.val} validation / ${sizes.test} test images, ` +
    `${classes.length} classes (${escapeHtml(classList)}).\n` +
    `Layer <code>${escapeHtml(r.layer)}</code> (${r.baseline.hidden} units) pruned ` +
    `${r.config.perStep} neuron(s) per step, retrained ${r.config.retrainEpochs} epoch(s) after ` +
    'each removal.</p>'
  );
}

function kneeExplanation(r: StudyResults): string {
  const wide = meanCurveTolerance(r.summary.criteria, r.summary.tolerance);
  const seeds =
    r.config.seeds > 1
      ? wide > r.summary.tolerance
        ? ` for one seed's curve, and ${f(wide * 100, 1)} points (the seeds' spread of the ` +
          'baseline, which is larger) for the mean curve over seeds in the table'
        : " (the mean curve over seeds in the table; the seeds' spread of the baseline is smaller)"
      : '';
  const against = r.summary.control.length
    ? "the control's accuracy at the same point (the unpruned network after the same extra " +
      'training; the baseline where there is no control)'
    : 'the baseline';
  const noise =
    r.summary.testNoise != null
      ? ` The test set's noise (the standard error of the baseline's accuracy on ` +
        `${r.data.sizes.test} images) is ${f(r.summary.testNoise * 100, 1)} points; the range ` +
        'beside each knee is the knee with the band moved by that much either way.'
      : '';
  return (
    '<p>The knee is the largest number of pruned neurons at which test accuracy (after ' +
    `retraining) is still within ${f(r.summary.tolerance * 100, 1)} points of ${against}` +
    `${seeds}: beyond it the curve does not come back.${noise} The one-shot knee is the same ` +
    'for the curve with no retraining at all, against the baseline. Immediate damage is the ' +
    'drop in test accuracy caused by a removal before any retraining.</p>'
  );
}

function sweepSection(sweep: Pick<SweepResults, 'table' | 'best'> | null): string {
  if (!sweep) return '';
  const rows = sweep.table.map((s) => [
    s.lr,
    s.diverged ? 'diverged' : f(100 * (s.bestValAccuracy ?? NaN), 2),
  ]);
  return (
    '<h2>Learning-rate sweep</h2>' +
    `<p>The learning rate ${escapeHtml(sweep.best)} was chosen: the best validation accuracy ` +
    'of the sweep.</p>' +
    table(['learning rate', 'best validation accuracy (%)'], rows)
  );
}

function figureSection(figures: { name: string; title: string; svg: string }[]): string {
  return figures
    .map(
      (fig) =>
        `<figure id="fig-${fig.name}" data-figure="${fig.name}">${fig.svg}` +
        `<figcaption>${escapeHtml(fig.title)}</figcaption></figure>`,
    )
    .join('\n');
}

export function renderHtml(
  r: StudyResults,
  figures: { name: string; title: string; svg: string }[],
  sweep: Pick<SweepResults, 'table' | 'best'> | null = null,
): string {
  const knees = table(
    [
      'criterion',
      'seeds',
      'knee (mean curve)',
      'knee per seed (mean ± sd)',
      'one-shot knee (no retraining)',
      'immediate damage per step (points)',
      'final test accuracy',
    ],
    r.summary.criteria.map((c) => [
      c.criterion,
      c.seeds,
      c.kneeRange ? `${c.knee} (${c.kneeRange[0]}-${c.kneeRange[1]})` : c.knee,
      // a spread over one seed is no spread: say so instead of "± 0.0"
      c.seeds > 1 ? `${f(c.kneePerSeed.mean, 1)} ± ${f(c.kneePerSeed.std, 1)}` : 'one seed',
      c.oneShot ? c.oneShot.knee : '–',
      `${f(c.immediateDamage.mean, 2)} ± ${f(c.immediateDamage.std, 2)}`,
      f(c.steps[c.steps.length - 1]?.testAccuracy.mean),
    ]),
  );
  const perStep = r.summary.criteria
    .map(
      (c) =>
        `<details><summary>${escapeHtml(c.criterion)}: ${c.steps.length} steps</summary>` +
        table(
          [
            'pruned',
            'units left',
            'test acc. before retraining',
            'test acc. after',
            'sd over seeds',
            'parameters',
            'FLOPs/image',
          ],
          c.steps.map((s) => [
            s.pruned,
            s.hidden,
            f(s.testAccuracyBeforeRetrain.mean),
            f(s.testAccuracy.mean),
            f(s.testAccuracy.std),
            s.parameters,
            s.flops,
          ]),
        ) +
        '</details>',
    )
    .join('\n');
  const env = table(
    ['key', 'value'],
    Object.entries(r.environment).map(([k, v]) => [k, String(v)]),
  );
  const cfg = table(['option', 'value'], configRows(r));
  const summary = summarySentences(r).map((s) => `<p class="summary">${code(s)}</p>`);
  const timing = `Started ${escapeHtml(r.timings.startedAt)}; ${f(r.timings.seconds, 1)} s of work.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>prunelab report: ${escapeHtml(r.name)}</title>
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<style>${STYLE}
</style></head><body>
<h1>Pruning study: ${escapeHtml(r.name)}</h1>
${statusNote(r)}
${introduction(r)}
<h2>Summary</h2>
${summary.join('\n')}
<h2>Knees</h2>
${kneeExplanation(r)}
${knees}
${redundancySection(r)}
${sweepSection(sweep)}
<h2>Figures</h2>
${figureSection(figures)}
<h2>Per-step results</h2>
${perStep}
<h2>Configuration</h2>
${cfg}
<h2>Environment</h2>
${env}
<p>${timing} Generated by prunelab from <code>results.json</code>.</p>
</body></html>
`;
}
