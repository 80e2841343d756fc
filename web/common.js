// What every page of the web view shares: fetching the API, escaping text for HTML, number formats,
// the knee table, live updates (server-sent events from the server's file watcher) and chart
// embedding.
export function escapeHtml(text) {
  return String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

export async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body;
}

export const pct = (x) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(4) : '–');

export function duration(seconds) {
  if (typeof seconds !== 'number') return '–';
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * Calls `onChange(run)` whenever a run's results change on disk (no polling: the server pushes).
 */
export function onRunChange(onChange) {
  const events = new EventSource('/api/events');
  events.addEventListener('change', (e) => onChange(JSON.parse(e.data).run));
  return events;
}

/** The knee table of a study's results: a row per criterion. */
export function kneeTable(r) {
  const rows = (r.summary?.criteria ?? []).map(
    (c) =>
      `<tr><td>${escapeHtml(c.criterion)}</td><td class="num">${c.knee}</td>` +
      `<td class="num">${c.kneeRange?.join('–') ?? '–'}</td>` +
      `<td class="num">${c.oneShot?.knee ?? '–'}</td>` +
      `<td class="num">${c.immediateDamage?.mean?.toFixed(2) ?? '–'}</td>` +
      `<td class="num">${pct(c.steps.at(-1)?.testAccuracy.mean)}</td>` +
      `<td class="num">${c.steps.at(-1)?.hidden ?? '–'}</td></tr>`,
  );
  return (
    '<tr><th>criterion</th><th>knee</th><th>knee range</th><th>one-shot knee</th>' +
    '<th>damage per removal (points)</th><th>last accuracy</th><th>units left</th></tr>' +
    rows.join('')
  );
}

const EMBED = {
  renderer: 'svg',
  // nothing that opens a page elsewhere (the online editor)
  actions: { export: true, source: false, compiled: false, editor: false },
};

/** Draws a Vega-Lite spec into `element`, replacing what was there. */
export async function draw(element, spec) {
  const previous = element.__view;
  const result = await window.vegaEmbed(element, spec, EMBED);
  previous?.finalize();
  element.__view = result.view;
  return result.view;
}
