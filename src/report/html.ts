// The self-contained HTML report (no network, no scripts, no external fonts): summary, figures
// (inline SVG), knee and per-step tables, config, environment and timings. A pure function of the
// results and the rendered figures; every user-provided string is escaped.
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
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
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
      'immediate damage per step (points)',
      'final test accuracy',
    ],
    r.summary.criteria.map((c) => [
      c.criterion,
      c.seeds,
      c.knee,
      `${f(c.kneePerSeed.mean, 1)} ± ${f(c.kneePerSeed.std, 1)}`,
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
  const cfg = table(
    ['option', 'value'],
    Object.entries(r.config).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
  );
  const classes = r.data.classes.map((c, i) => `${i}: ${c}`).join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>prunelab report: ${escapeHtml(r.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.88em;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}figure{margin:1em 0}figure svg{max-width:100%;height:auto}.status{padding:.4em .8em;background:#fff3cd;border:1px solid #e0c36b}
code{background:#f3f3f3;padding:0 .2em}
</style></head><body>
<h1>Pruning study: ${escapeHtml(r.name)}</h1>
${r.status !== 'complete' ? `<p class="status">Status: ${escapeHtml(r.status)}${r.error ? ` (${escapeHtml(r.error)})` : ''}. The report shows the steps finished so far.</p>` : ''}
<p>LeNet-5 on <b>${escapeHtml(r.data.name)}</b> (${escapeHtml(r.data.source)}), ${r.data.sizes.train} training / ${r.data.sizes.val} validation / ${r.data.sizes.test} test images, ${r.data.classes.length} classes (${escapeHtml(classes)}).
Layer <code>${escapeHtml(r.layer)}</code> (${r.baseline.hidden} units) pruned ${r.config.perStep} neuron(s) per step, retrained ${r.config.retrainEpochs} epoch(s) after each removal.</p>
<h2>Summary</h2>
${summarySentences(r)
  .map((s) => `<p class="summary">${code(s)}</p>`)
  .join('\n')}
<h2>Knees</h2>
<p>The knee is the largest number of pruned neurons at which test accuracy (after retraining) is still within ${f(r.summary.tolerance * 100, 1)} points of the baseline${r.config.seeds > 1 ? " (or within the seeds' spread of the baseline, if larger; the mean curve over seeds is used)" : ''}: beyond it the curve does not come back. Immediate damage is the drop in test accuracy caused by a removal before any retraining.</p>
${knees}
${
  sweep
    ? `<h2>Learning-rate sweep</h2><p>The learning rate ${escapeHtml(sweep.best)} was chosen: the best validation accuracy of the sweep.</p>` +
      table(
        ['learning rate', 'best validation accuracy (%)'],
        sweep.table.map((s) => [
          s.lr,
          s.diverged ? 'diverged' : f(100 * (s.bestValAccuracy ?? NaN), 2),
        ]),
      )
    : ''
}
<h2>Figures</h2>
${figures.map((fig) => `<figure id="fig-${fig.name}" data-figure="${fig.name}">${fig.svg}<figcaption>${escapeHtml(fig.title)}</figcaption></figure>`).join('\n')}
<h2>Per-step results</h2>
${perStep}
<h2>Configuration</h2>
${cfg}
<h2>Environment</h2>
${env}
<p>Started ${escapeHtml(r.timings.startedAt)}; ${f(r.timings.seconds, 1)} s of work. Generated by prunelab from <code>results.json</code>.</p>
</body></html>
`;
}
