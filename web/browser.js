// The in-browser study page: a form for the study's settings, then the study itself, run in this
// page by the browser bundle (dist/web/study-page.js, served under /app/) on prunelab's WebAssembly
// kernels in Web Workers. The curve and the knee table grow with each step (the damage and one-shot
// charts come at the end); the log shows what the CLI would print, and the results can be
// downloaded as the CLI writes them.
import { accuracySpec, damageSpec, oneShotSpec } from './charts.js';
import { draw, kneeTable } from './common.js';

const $ = (id) => document.getElementById(id);
// the study's own code, bundled for the browser (also the list of criteria); a server run from
// sources without the bundle says so
const { CRITERIA, runBrowserStudy } = await import('/app/study-page.js').catch((err) => {
  $('error').textContent =
    `The in-browser study is not built here (${err.message}); run npm run build, then reload.`;
  $('run').disabled = true;
  return { CRITERIA: [], runBrowserStudy: null };
});
const CHOSEN = new Set(['paper', 'magnitude', 'random']);
// the CLI's defaults (the quick preset), left out of the command shown
const DEFAULTS = {
  dataset: 'fashion-mnist',
  seed: 1,
  seeds: 1,
  trainSize: 2000,
  epochs: 30,
  maxPruned: 0,
};
const FLAGS = {
  dataset: '--dataset',
  seed: '--seed',
  seeds: '--seeds',
  trainSize: '--train-size',
  epochs: '--epochs',
  maxPruned: '--max-pruned',
};

$('criteria').insertAdjacentHTML(
  'beforeend',
  CRITERIA.map(
    (c) =>
      `<label><input type="checkbox" name="criterion" value="${c}"` +
      `${CHOSEN.has(c) ? ' checked' : ''} /> ${c}</label>`,
  ).join(' '),
);
$('settings').workers.placeholder = String(Math.min(4, navigator.hardwareConcurrency || 2));

/** The settings in the form, as a study configuration. */
function settings() {
  const form = $('settings');
  const config = {
    criterion: [...form.querySelectorAll('[name=criterion]:checked')].map((c) => c.value),
  };
  for (const key of Object.keys(DEFAULTS)) {
    config[key] = key === 'dataset' ? form[key].value : Number(form[key].value);
  }
  return config;
}

/** The CLI command that computes the same numbers. */
function command(config) {
  const flags = [`--criterion ${config.criterion.join(',')}`];
  for (const [key, flag] of Object.entries(FLAGS)) {
    if (config[key] !== DEFAULTS[key]) flags.push(`${flag} ${config[key]}`);
  }
  return `npx prunelab study ${flags.join(' ')}`;
}

const showCommand = () => ($('command').textContent = command(settings()));
$('settings').addEventListener('input', showCommand);
showCommand();

let latest = null;
let drawing = Promise.resolve();

/** Shows a rewrite of results.json: the knees and the curve (one redraw at a time). */
function show(results) {
  latest = results;
  const steps = (results.runs ?? []).reduce((n, run) => n + run.steps.length, 0);
  $('knees').innerHTML = kneeTable(results);
  drawing = drawing.then(async () => {
    if (latest !== results) return;
    await draw($('accuracy'), accuracySpec(results));
    document.body.dataset.shownSteps = String(steps);
  });
}

function log(line) {
  $('log').textContent += `${line}\n`;
}

async function run(event) {
  event.preventDefault();
  const config = settings();
  const workers = Number($('settings').workers.value) || undefined;
  $('run').disabled = true;
  $('error').textContent = '';
  $('log').textContent = '';
  $('status').innerHTML = '<span class="status running">running</span>';
  document.body.dataset.state = 'running';
  try {
    const done = await runBrowserStudy({
      config,
      // ?kernels=simd: the plain SIMD build, as PRUNELAB_FMA=0 gives the CLI
      kernels: new URLSearchParams(location.search).get('kernels') === 'simd' ? 'simd' : 'auto',
      workers,
      onResults: show,
      onLine: log,
      onProgress: (finished, total, status) => {
        $('progress').textContent = `${finished} of ${total} · ${status}`;
      },
    });
    show(done.results);
    await drawing;
    // at the end, the damage of each removal and the curves with no retraining, as the run page
    await Promise.all([
      draw($('damage'), damageSpec(done.results)),
      draw($('oneShot'), oneShotSpec(done.results)),
    ]);
    const file = new Blob([JSON.stringify(done.results, null, 2)], { type: 'application/json' });
    $('download').href = URL.createObjectURL(file);
    $('download').hidden = false;
    $('progress').textContent =
      `done in ${done.results.timings?.seconds?.toFixed(0) ?? '?'} s on the ${done.kernels} kernels`;
    $('status').innerHTML = `<span class="status complete">complete</span>`;
    window.browserStudy = { results: done.results, kernels: done.kernels };
    document.body.dataset.state = 'complete';
  } catch (err) {
    $('error').textContent = `The study stopped: ${err.message}`;
    $('status').innerHTML = '<span class="status failed">failed</span>';
    document.body.dataset.state = 'failed';
  } finally {
    $('run').disabled = false;
  }
}

$('settings').addEventListener('submit', (event) => void run(event));
