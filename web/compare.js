// Compare: two or more runs (other datasets, seeds, learning rates) on one chart and in one
// table of knees. The address (?run=a&run=b, or ?runs=a,b) reproduces the selection.
import { compareSpec } from './charts.js';
import { draw, escapeHtml, getJson, onRunChange, pct } from './common.js';

const query = new URLSearchParams(location.search);
const names = [
  ...query.getAll('run'),
  ...query.getAll('runs').flatMap((list) => list.split(',')),
].filter((name) => name !== '');
const $ = (id) => document.getElementById(id);
$('link').href = location.href;
$('link').textContent = location.href;

async function load() {
  if (!names.length) {
    $('error').textContent =
      'No runs to compare: tick two or more on the runs page and press "compare selected", ' +
      'or give them in the address: /compare?run=NAME&run=NAME';
    return;
  }
  const runs = [];
  const errors = [];
  for (const name of names) {
    try {
      runs.push({ name, results: await getJson(`/api/runs/${encodeURIComponent(name)}/results`) });
    } catch (err) {
      errors.push(`${name}: ${err.message}`);
    }
  }
  $('error').textContent = errors.join('; ');
  await draw($('curves'), compareSpec(runs));
  const rows = runs.flatMap(({ name, results: r }) =>
    (r.summary?.criteria ?? []).map(
      (c) =>
        `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(r.data?.name)}</td>` +
        `<td>${escapeHtml(c.criterion)}</td><td class="num">${r.config?.seeds}</td>` +
        `<td class="num">${r.config?.lr}</td><td class="num">${pct(r.baseline?.testAccuracy)}</td>` +
        `<td class="num">${c.knee}</td><td class="num">${c.oneShot?.knee ?? '–'}</td>` +
        `<td class="num">${c.immediateDamage?.mean?.toFixed(2) ?? '–'}</td></tr>`,
    ),
  );
  $('table').innerHTML =
    '<tr><th>run</th><th>dataset</th><th>criterion</th><th>seeds</th><th>lr</th>' +
    '<th>baseline</th><th>knee</th><th>one-shot knee</th><th>damage per removal (points)</th></tr>' +
    rows.join('');
  document.body.dataset.shownRuns = String(runs.length);
}

onRunChange((run) => {
  if (names.includes(run)) void load();
});
void load();
