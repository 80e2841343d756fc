// The pruning figures, as Vega-Lite specifications and pure functions of results.json: test
// accuracy against neurons pruned with the knees and the control (the paper's Fig. 4), the damage
// a removal does before retraining, accuracy against model size (the one-shot curves are in
// one-shot-figure.ts).
import type { TopLevelSpec } from 'vega-lite';
import type { StudyResults } from '../study/results.js';
import { colorRange, config, seriesEncoding, seriesScales } from './figure-style.js';

/**
 * Test accuracy against neurons pruned: each criterion (mean, band over seeds), the control, the
 * baseline, the knees (the paper's Fig. 4).
 */
export function accuracyCurveSpec(r: StudyResults): TopLevelSpec {
  const rows: Record<string, unknown>[] = [];
  for (const c of r.summary.criteria) {
    rows.push({
      series: c.criterion,
      pruned: 0,
      mean: r.baseline.testAccuracy,
      lo: r.baseline.testAccuracy,
      hi: r.baseline.testAccuracy,
    });
    for (const s of c.steps)
      rows.push({
        series: c.criterion,
        pruned: s.pruned,
        mean: s.testAccuracy.mean,
        lo: s.testAccuracy.mean - s.testAccuracy.std,
        hi: s.testAccuracy.mean + s.testAccuracy.std,
      });
  }
  if (r.summary.control.length) {
    rows.push({
      series: 'control',
      pruned: 0,
      mean: r.baseline.testAccuracy,
      lo: r.baseline.testAccuracy,
      hi: r.baseline.testAccuracy,
    });
    for (const p of r.summary.control)
      rows.push({
        series: 'control',
        pruned: p.pruned,
        mean: p.testAccuracy.mean,
        lo: p.testAccuracy.mean - p.testAccuracy.std,
        hi: p.testAccuracy.mean + p.testAccuracy.std,
      });
  }
  const names = [
    ...r.summary.criteria.map((c) => c.criterion),
    ...(r.summary.control.length ? ['control'] : []),
  ];
  // a separate field, so that the band's hidden legend is not merged with the lines'
  for (const row of rows) row.band = row.series;
  const knees = r.summary.criteria.map((c) => ({
    series: c.criterion,
    pruned: c.knee,
    mean:
      c.knee === 0
        ? r.baseline.testAccuracy
        : (c.steps.find((s) => s.pruned === c.knee)?.testAccuracy.mean ?? r.baseline.testAccuracy),
  }));
  const s = seriesScales(names);
  const x = {
    field: 'pruned',
    type: 'quantitative',
    title: `neurons pruned from ${r.layer} (of ${r.baseline.hidden})`,
    scale: { domain: [0, r.baseline.hidden], nice: false },
  } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: 'criterion',
    scale: { domain: names, range: colorRange(names) },
  } as const;
  const base = r.baseline.testAccuracy;
  const bands = r.config.seeds > 1;
  // the zoomed panel: the band around the baseline where the criteria differ
  const means = rows.map((row) => Number(row.mean)).filter(Number.isFinite);
  const zoom = [
    Math.max(0, base - Math.max(0.05, 4 * r.summary.tolerance)),
    Math.min(1, Math.max(base, ...means) + 0.01),
  ];
  const panel = (height: number, domain: number[] | null, title: string) => ({
    width: 560,
    height,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.6, clip: true },
        encoding: {
          x,
          y: {
            field: 'mean',
            type: 'quantitative',
            title,
            scale: domain ? { domain, nice: false } : { zero: false },
          },
          color,
          strokeDash: s.strokeDash,
        },
      },
      // the band over seeds uses its own fill scale (same colours, no legend) so the legend shows
      // the lines
      ...(bands
        ? [
            {
              data: { values: rows },
              mark: { type: 'area', opacity: 0.15, clip: true },
              encoding: {
                x,
                y: { field: 'lo', type: 'quantitative' },
                y2: { field: 'hi' },
                fill: {
                  field: 'band',
                  type: 'nominal',
                  scale: { domain: names, range: colorRange(names) },
                  legend: null,
                },
              },
            },
          ]
        : []),
      {
        data: { values: [{ y: base }] },
        mark: { type: 'rule', color: '#555', strokeDash: [2, 2] },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: knees },
        mark: {
          type: 'point',
          filled: true,
          size: 90,
          shape: 'diamond',
          stroke: 'black',
          strokeWidth: 0.8,
          clip: true,
        },
        encoding: {
          x: { field: 'pruned', type: 'quantitative' },
          y: { field: 'mean', type: 'quantitative' },
          color,
        },
      },
    ],
  });
  const seeds = r.config.seeds === 1 ? 'one seed' : `${r.config.seeds} seeds (band: ± sd)`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Test accuracy after pruning and retraining',
      subtitle: [
        `${r.data.name}, ${seeds}, ${r.config.retrainEpochs} retraining epoch(s) per step; ` +
          `baseline ${base.toFixed(3)} (dotted); knees ◆`,
        'below: the same curves, zoomed on the band around the baseline',
      ],
    },
    config,
    vconcat: [
      panel(260, null, 'test accuracy (fraction correct)'),
      panel(220, zoom, 'test accuracy, zoomed'),
    ],
  } as unknown as TopLevelSpec;
}

/** Test accuracy right after each removal, before retraining: the damage a criterion does. */
export function damageSpec(r: StudyResults): TopLevelSpec {
  const rows = r.summary.criteria.flatMap((c) =>
    c.steps.map((s) => ({
      series: c.criterion,
      pruned: s.pruned,
      acc: s.testAccuracyBeforeRetrain.mean,
    })),
  );
  const names = r.summary.criteria.map((c) => c.criterion);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Immediate damage: test accuracy right after each removal',
      subtitle: 'before any retraining (mean over seeds)',
    },
    width: 560,
    height: 260,
    config,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.4, point: { size: 14 } },
    encoding: {
      x: {
        field: 'pruned',
        type: 'quantitative',
        title: `neurons pruned from ${r.layer} (of ${r.baseline.hidden})`,
        scale: { domain: [0, r.baseline.hidden], nice: false },
      },
      y: {
        field: 'acc',
        type: 'quantitative',
        title: 'test accuracy before retraining',
        scale: { zero: false },
      },
      ...seriesEncoding(names),
    },
  } as unknown as TopLevelSpec;
}

/** Accuracy against model size: parameters and forward FLOPs per image (smaller to the right). */
export function parametersSpec(r: StudyResults): TopLevelSpec {
  const rows = r.summary.criteria.flatMap((c) => [
    {
      series: c.criterion,
      parameters: r.baseline.parameters,
      flops: r.baseline.flops / 1e6,
      acc: r.baseline.testAccuracy,
    },
    ...c.steps.map((s) => ({
      series: c.criterion,
      parameters: s.parameters,
      flops: s.flops / 1e6,
      acc: s.testAccuracy.mean,
    })),
  ]);
  const names = r.summary.criteria.map((c) => c.criterion);
  const panel = (field: string, title: string) => ({
    width: 270,
    height: 240,
    mark: { type: 'line', strokeWidth: 1.4 },
    encoding: {
      x: { field, type: 'quantitative', title, scale: { zero: false, reverse: true } },
      y: { field: 'acc', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
      ...seriesEncoding(names),
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Accuracy against model size',
      subtitle: 'whole network; the pruned layer shrinks to the right',
    },
    config,
    data: { values: rows },
    hconcat: [panel('parameters', 'parameters'), panel('flops', 'forward MFLOPs per image')],
  } as unknown as TopLevelSpec;
}
