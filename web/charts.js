// The web view's interactive charts, as Vega-Lite specifications built from a study's
// results.json: test accuracy against neurons pruned (every run, the control, the seeds' band;
// hover a point for its step, the neuron removed, its partner, the score and the accuracy before
// and after retraining; click the legend to show one criterion; drag to pan, wheel to zoom), the
// accuracy right after each removal, the one-shot curves, and the baseline's training.
import { colorRange, SPLIT_COLORS } from '/app/figure-style.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 'container';

/** The tooltip's texts of a point that removed nothing (a baseline, the control). */
const NONE = { removed: '–', partner: '–', score: '–', beforeText: '–' };
const fixed = (x) => (typeof x === 'number' ? x.toFixed(4) : '–');

/** A row per step of every run, with the texts its tooltip shows ('–' where a field has none). */
function stepRows(r, series = (run) => run.criterion) {
  const rows = [];
  for (const run of r.runs ?? []) {
    const name = series(run);
    const start =
      r.baseline?.perSeed?.find((b) => b.seed === run.seed)?.testAccuracy ??
      r.baseline?.testAccuracy;
    rows.push({
      ...NONE,
      series: name,
      seed: run.seed,
      step: 0,
      pruned: 0,
      testAccuracy: start,
      afterText: fixed(start),
    });
    for (const s of run.steps) {
      rows.push({
        series: name,
        seed: run.seed,
        step: s.step,
        pruned: s.pruned,
        hidden: s.hidden,
        removed: (s.removedIds ?? s.removed ?? []).join(', '),
        partner: String(s.mergedIntoId ?? s.mergedInto ?? '–'),
        score: typeof s.score === 'number' ? `${s.score.toFixed(4)} (${s.scoreKind ?? ''})` : '–',
        before: s.testAccuracyBeforeRetrain,
        beforeText: fixed(s.testAccuracyBeforeRetrain),
        testAccuracy: s.testAccuracy,
        afterText: fixed(s.testAccuracy),
      });
    }
  }
  return rows;
}

const legendPick = { name: 'pick', select: { type: 'point', fields: ['series'] }, bind: 'legend' };
const zoom = { name: 'zoom', select: 'interval', bind: 'scales' };
const x = { field: 'pruned', type: 'quantitative', title: 'neurons pruned' };
const color = { field: 'series', type: 'nominal', title: null };

/**
 * The criteria's colours as in the report (the control black): a criterion keeps its colour on
 * every chart of the page, whichever series a chart shows; the control in the legend of the chart
 * that draws it.
 */
function criterionColor(r, withControl = false) {
  const names = [
    ...new Set([
      ...(r.summary?.criteria ?? []).map((c) => c.criterion),
      ...(r.runs ?? []).map((run) => run.criterion),
    ]),
  ];
  if (withControl && (r.control ?? []).length) names.push('control');
  return { ...color, scale: { domain: names, range: colorRange(names) } };
}

/** The report's colours of the training curves. */
const splitColor = { ...color, scale: SPLIT_COLORS };
const faded = { condition: { param: 'pick', value: 1 }, value: 0.1 };

const showBand = {
  name: 'showBand',
  value: true,
  bind: { input: 'checkbox', name: "seeds' band (mean ± sd) " },
};

/** The seeds' spread around each criterion's mean curve, shown or hidden by a checkbox. */
function bandLayer(band, bandColor) {
  return {
    data: { values: band },
    mark: { type: 'area' },
    encoding: {
      x,
      y: { field: 'lo', type: 'quantitative' },
      y2: { field: 'hi' },
      color: bandColor,
      opacity: { condition: { test: 'showBand', value: 0.15 }, value: 0 },
    },
  };
}

export function accuracySpec(r) {
  const rows = stepRows(r);
  for (const c of r.control ?? []) {
    rows.push({
      ...NONE,
      series: 'control',
      seed: c.seed,
      step: 0,
      pruned: 0,
      testAccuracy: r.baseline?.testAccuracy,
      afterText: fixed(r.baseline?.testAccuracy),
    });
    for (const p of c.steps)
      rows.push({
        ...NONE,
        series: 'control',
        seed: c.seed,
        step: p.step,
        pruned: p.pruned,
        testAccuracy: p.testAccuracy,
        afterText: fixed(p.testAccuracy),
      });
  }
  const band = [];
  for (const c of r.summary?.criteria ?? []) {
    if (c.seeds < 2) continue;
    for (const s of c.steps) {
      band.push({
        series: c.criterion,
        pruned: s.pruned,
        lo: s.testAccuracy.mean - s.testAccuracy.std,
        hi: s.testAccuracy.mean + s.testAccuracy.std,
      });
    }
  }
  return {
    $schema: SCHEMA,
    title: 'Test accuracy after retraining, against neurons pruned',
    width: WIDTH,
    height: 340,
    params: band.length ? [showBand] : [],
    layer: [
      ...(band.length ? [bandLayer(band, criterionColor(r, true))] : []),
      {
        data: { values: rows },
        params: [legendPick, zoom],
        mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.5 },
        encoding: {
          x,
          y: {
            field: 'testAccuracy',
            type: 'quantitative',
            title: 'test accuracy',
            scale: { zero: false },
          },
          color: criterionColor(r, true),
          detail: { field: 'seed' },
          opacity: faded,
          tooltip: [
            { field: 'series', title: 'run' },
            { field: 'seed' },
            { field: 'step' },
            { field: 'pruned', title: 'neurons pruned' },
            { field: 'removed', title: 'neuron removed (id)' },
            { field: 'partner', title: 'merged into (id)' },
            { field: 'score', title: 'score (kind)' },
            { field: 'beforeText', title: 'accuracy before retraining' },
            { field: 'afterText', title: 'accuracy after retraining' },
          ],
        },
      },
    ],
  };
}

export function damageSpec(r) {
  return {
    $schema: SCHEMA,
    title: 'Test accuracy right after each removal, before retraining',
    width: WIDTH,
    height: 260,
    data: { values: stepRows(r).filter((row) => row.step > 0) },
    params: [legendPick, zoom],
    mark: { type: 'point', filled: true, size: 22 },
    encoding: {
      x,
      y: {
        field: 'before',
        type: 'quantitative',
        title: 'test accuracy before retraining',
        scale: { zero: false },
      },
      color: criterionColor(r),
      opacity: faded,
      tooltip: [
        { field: 'series', title: 'run' },
        { field: 'seed' },
        { field: 'step' },
        { field: 'removed', title: 'neuron removed (id)' },
        { field: 'beforeText', title: 'accuracy before retraining' },
        { field: 'afterText', title: 'accuracy after retraining' },
      ],
    },
  };
}

export function oneShotSpec(r) {
  const rows = [];
  for (const run of r.runs ?? []) {
    for (const p of run.oneShot ?? [])
      rows.push({
        series: run.criterion,
        seed: run.seed,
        pruned: p.pruned,
        testAccuracy: p.testAccuracy,
      });
  }
  return {
    $schema: SCHEMA,
    title: 'One-shot: test accuracy with no retraining at all',
    width: WIDTH,
    height: 260,
    data: { values: rows },
    params: [legendPick, zoom],
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x,
      y: { field: 'testAccuracy', type: 'quantitative', title: 'test accuracy' },
      color: criterionColor(r),
      detail: { field: 'seed' },
      opacity: faded,
      tooltip: [
        { field: 'series', title: 'criterion' },
        { field: 'seed' },
        { field: 'pruned' },
        { field: 'testAccuracy', format: '.4f' },
      ],
    },
  };
}

export function trainingSpec(r) {
  const rows = [];
  for (const b of r.baseline?.perSeed ?? []) {
    for (const h of b.history ?? []) {
      rows.push({ seed: b.seed, epoch: h.epoch, series: 'validation', accuracy: h.valAccuracy });
      rows.push({ seed: b.seed, epoch: h.epoch, series: 'training', accuracy: h.trainAccuracy });
    }
  }
  return {
    $schema: SCHEMA,
    title: "The baseline's training",
    width: WIDTH,
    height: 220,
    data: { values: rows },
    params: [legendPick],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false } },
      color: splitColor,
      detail: { field: 'seed' },
      opacity: faded,
      tooltip: [
        { field: 'series' },
        { field: 'seed' },
        { field: 'epoch' },
        { field: 'accuracy', format: '.4f' },
      ],
    },
  };
}

/** Two or more runs on one chart: each run's mean curve per criterion (and its control). */
export function compareSpec(runs) {
  const rows = [];
  for (const { name, results: r } of runs) {
    for (const c of r.summary?.criteria ?? []) {
      rows.push({
        series: `${name} · ${c.criterion}`,
        pruned: 0,
        testAccuracy: r.baseline?.testAccuracy,
      });
      for (const s of c.steps)
        rows.push({
          series: `${name} · ${c.criterion}`,
          pruned: s.pruned,
          testAccuracy: s.testAccuracy.mean,
        });
    }
    for (const p of r.summary?.control ?? [])
      rows.push({
        series: `${name} · control`,
        pruned: p.pruned,
        testAccuracy: p.testAccuracy.mean,
      });
  }
  return {
    $schema: SCHEMA,
    title: 'Test accuracy against neurons pruned, mean over seeds',
    width: WIDTH,
    height: 360,
    data: { values: rows },
    params: [legendPick, zoom],
    mark: { type: 'line', point: { size: 14 } },
    encoding: {
      x,
      y: {
        field: 'testAccuracy',
        type: 'quantitative',
        title: 'test accuracy',
        scale: { zero: false },
      },
      color: { ...color, legend: { labelLimit: 360 } },
      opacity: faded,
      tooltip: [
        { field: 'series', title: 'run · criterion' },
        { field: 'pruned' },
        { field: 'testAccuracy', format: '.4f' },
      ],
    },
  };
}
