// A run's page: its knee table, its interactive charts, its configuration, environment and files.
// While the run goes on, every step written to its results.json appears here within a second or
// two, pushed by the server (no reload, no polling).
import { accuracySpec, damageSpec, oneShotSpec, trainingSpec } from './charts.js';
import { draw, duration, escapeHtml, getJson, kneeTable, onRunChange, pct } from './common.js';

const name = new URLSearchParams(location.search).get('name') ?? '';
const $ = (id) => document.getElementById(id);
document.title = `prunelab · ${name}`;
$('name').textContent = name;

function stepCount(r) {
  const steps = (r.runs ?? []).reduce((n, run) => n + run.steps.length, 0);
  const points = (r.control ?? []).reduce((n, c) => n + c.steps.length, 0);
  return steps + points;
}

async function showFiles() {
  const files = await getJson(`/api/runs/${encodeURIComponent(name)}/files`);
  const href = (f) =>
    `/files/${encodeURIComponent(name)}/${f.split('/').map(encodeURIComponent).join('/')}`;
  $('files').innerHTML = files
    .map((f) => `<li><a href="${href(f)}">${escapeHtml(f)}</a></li>`)
    .join('');
}

async function load() {
  let r;
  try {
    r = await getJson(`/api/runs/${encodeURIComponent(name)}/results`);
    $('error').textContent = '';
  } catch (err) {
    $('error').textContent = `This run cannot be shown: ${err.message}`;
    return;
  }
  $('status').innerHTML =
    `<span class="status ${escapeHtml(r.status)}">${escapeHtml(r.status)}</span>`;
  const steps = stepCount(r);
  $('facts').innerHTML =
    `${escapeHtml(r.data?.name ?? r.config?.dataset ?? '')} · layer ${escapeHtml(r.layer ?? '–')} · ` +
    `criteria ${escapeHtml((r.config?.criterion ?? []).join(', '))} · ${r.config?.seeds ?? 1} seed(s) · ` +
    `baseline ${pct(r.baseline?.testAccuracy ?? r.testAccuracy)} · <span id="steps" data-steps="${steps}">${steps} steps</span> · ` +
    `${duration(r.timings?.seconds)}` +
    (r.failures?.length ? ` · <span class="error">${r.failures.length} task(s) failed</span>` : '');
  $('knees').innerHTML = kneeTable(r);
  $('config').textContent = JSON.stringify(r.config, null, 2);
  $('environment').textContent = JSON.stringify(r.environment, null, 2);
  if (r.schema?.startsWith('prunelab.train/') && r.history) {
    // a training run: its epochs, drawn as a study's baseline
    const trained = { baseline: { perSeed: [{ seed: r.config?.seed ?? 1, history: r.history }] } };
    await draw($('training'), trainingSpec(trained));
  }
  if (r.schema?.startsWith('prunelab.study/')) {
    await Promise.all([
      draw($('accuracy'), accuracySpec(r)),
      draw($('damage'), damageSpec(r)),
      draw($('oneShot'), oneShotSpec(r)),
      draw($('training'), trainingSpec(r)),
    ]);
  }
  document.body.dataset.shownSteps = String(steps);
  await showFiles();
}

onRunChange((run) => {
  if (run === name) void load();
});
void load();
