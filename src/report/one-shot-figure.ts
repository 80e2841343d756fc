// The one-shot figure, as a Vega-Lite specification and a pure function of results.json: test
// accuracy as units go with no retraining at all, per criterion, with each one-shot knee.
import type { TopLevelSpec } from 'vega-lite';
import type { StudyResults } from '../study/results.js';
import { config, seriesEncoding } from './figure-style.js';

/**
 * Test accuracy as units go with no retraining at all (mean over seeds), each criterion's one-shot
 * knee marked: how much of the layer can go with no training budget.
 */
export function oneShotSpec(r: StudyResults): TopLevelSpec {
  const base = r.baseline.testAccuracy;
  const criteria = r.summary.criteria.filter((c) => c.oneShot?.steps.length);
  const rows = criteria.flatMap((c) => [
    { series: c.criterion, pruned: 0, acc: base },
    ...(c.oneShot?.steps ?? []).map((s) => ({
      series: c.criterion,
      pruned: s.pruned,
      acc: s.testAccuracy.mean,
    })),
  ]);
  const knees = criteria.map((c) => {
    const k = c.oneShot?.knee ?? 0;
    const at = c.oneShot?.steps.find((s) => s.pruned === k);
    return { series: c.criterion, pruned: k, acc: at?.testAccuracy.mean ?? base };
  });
  const names = criteria.map((c) => c.criterion);
  const x = {
    field: 'pruned',
    type: 'quantitative',
    title: `neurons pruned from ${r.layer} (of ${r.baseline.hidden}), no retraining`,
    scale: { domain: [0, r.baseline.hidden], nice: false },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'One-shot pruning: test accuracy with no retraining at all',
      subtitle: `each criterion's own compensation only; baseline ${base.toFixed(3)} (dotted); one-shot knees ◆`,
    },
    width: 560,
    height: 300,
    config,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: {
          x,
          y: { field: 'acc', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
          ...seriesEncoding(names),
        },
      },
      {
        data: { values: [{ y: base }] },
        mark: { type: 'rule', color: '#555', strokeDash: [2, 2] },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: knees },
        mark: { type: 'point', filled: true, size: 90, shape: 'diamond', stroke: 'black' },
        encoding: {
          x: { field: 'pruned', type: 'quantitative' },
          y: { field: 'acc', type: 'quantitative' },
          color: seriesEncoding(names).color,
        },
      },
    ],
  } as unknown as TopLevelSpec;
}
