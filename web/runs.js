// The runs page: every run under the served folder, sortable and filterable; a run that changes
// on disk (or a new one) shows at once, pushed by the server. Tick two or more to compare them.
import { duration, escapeHtml, getJson, onRunChange, pct } from './common.js';

let runs = [];
let sortKey = 'modifiedAt';
let sortDown = true;
const picked = new Set();
const body = document.querySelector('#runs tbody');
const filter = document.getElementById('filter');
const compare = document.getElementById('compare');

function row(r) {
  const link = `/run?name=${encodeURIComponent(r.name)}`;
  const knees = Object.entries(r.knees ?? {})
    .map(([c, k]) => `${escapeHtml(c)} ${k}`)
    .join(', ');
  const status = r.unreadable ? `unreadable: ${escapeHtml(r.unreadable)}` : escapeHtml(r.status);
  const tick = `<input type="checkbox" data-name="${escapeHtml(r.name)}" ${picked.has(r.name) ? 'checked' : ''}>`;
  return (
    `<tr class="${r.unreadable ? 'unreadable' : ''}" data-run="${escapeHtml(r.name)}">` +
    `<td>${r.kind === 'study' && !r.unreadable ? tick : ''}</td>` +
    `<td><a href="${link}">${escapeHtml(r.name)}</a></td>` +
    `<td>${escapeHtml(r.kind)}</td>` +
    `<td><span class="status ${escapeHtml(r.status)}">${status}</span></td>` +
    `<td>${escapeHtml(r.dataset ?? '–')}</td>` +
    `<td>${escapeHtml((r.criteria ?? []).join(', '))}</td>` +
    `<td class="num">${r.seeds ?? '–'}</td>` +
    `<td class="num">${pct(r.baseline)}</td>` +
    `<td>${knees}</td>` +
    `<td class="num">${duration(r.seconds)}</td>` +
    `<td>${r.startedAt ? escapeHtml(new Date(r.startedAt).toLocaleString()) : '–'}</td>` +
    `<td>${escapeHtml(new Date(r.modifiedAt).toLocaleString())}</td></tr>`
  );
}

function render() {
  const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
  const text = (r) =>
    [r.name, r.kind, r.status, r.dataset, ...(r.criteria ?? [])].join(' ').toLowerCase();
  const shown = runs.filter((r) => words.every((w) => text(r).includes(w)));
  const value = (r) => r[sortKey] ?? '';
  shown.sort(
    (a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0) * (sortDown ? -1 : 1),
  );
  body.innerHTML = shown.map(row).join('');
  document.getElementById('count').textContent = `${shown.length} of ${runs.length} runs`;
  compare.disabled = picked.size < 2;
}

async function load() {
  runs = await getJson('/api/runs');
  render();
}

filter.addEventListener('input', render);
for (const th of document.querySelectorAll('th.sortable')) {
  th.addEventListener('click', () => {
    sortDown = sortKey === th.dataset.key ? !sortDown : true;
    sortKey = th.dataset.key;
    render();
  });
}
body.addEventListener('change', (e) => {
  const name = e.target.dataset?.name;
  if (!name) return;
  if (e.target.checked) picked.add(name);
  else picked.delete(name);
  compare.disabled = picked.size < 2;
});
compare.addEventListener('click', () => {
  location.href = `/compare?${[...picked].map((n) => `run=${encodeURIComponent(n)}`).join('&')}`;
});
onRunChange(() => void load());
void load();
