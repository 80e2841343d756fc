// Accuracy against what a pruned model costs, measured: its file's size and its single-image
// latency on this machine (results.json's modelBytes and latencyMs per step), per criterion and
// seed, with each run's knee marked. For LeNet-5, whose convolutions do most of the arithmetic,
// pruning a dense layer shrinks the file much more than it shortens the latency.
import type { TopLevelSpec } from 'vega-lite';
import type { StudyResults } from '../study/results.js';
import { config, seriesEncoding } from './figure-style.js';

interface Row {
  series: string;
  seed: number;
  pruned: number;
  kb: number;
  latencyUs: number;
  acc: number;
  knee: boolean;
}

/** The rows of the figure: the baseline and every measured step of every run. */
function rows(r: StudyResults): Row[] {
  const out: Row[] = [];
  for (const run of r.runs) {
    const base = r.baseline.perSeed.find((b) => b.seed === run.seed);
    const points = [
      ...(base?.modelBytes && base.latencyMs
        ? [
            {
              pruned: 0,
              modelBytes: base.modelBytes,
              latencyMs: base.latencyMs,
              testAccuracy: base.testAccuracy,
            },
          ]
        : []),
      ...run.steps,
    ];
    for (const p of points) {
      if (!p.modelBytes || !p.latencyMs) continue;
      out.push({
        series: run.criterion,
        seed: run.seed,
        pruned: p.pruned,
        kb: p.modelBytes / 1024,
        latencyUs: p.latencyMs * 1000,
        acc: p.testAccuracy,
        knee: p.pruned === run.knee,
      });
    }
  }
  return out;
}

export function hasSpeed(r: StudyResults): boolean {
  return r.runs.some((run) => run.steps.some((s) => s.modelBytes && s.latencyMs));
}

export function speedSpec(r: StudyResults): TopLevelSpec {
  const names = r.summary.criteria.map((c) => c.criterion);
  // sizes follow the steps (a line, in step order); latencies are measurements (points)
  const panel = (field: 'kb' | 'latencyUs', title: string) => ({
    width: 300,
    height: 240,
    layer: [
      {
        mark:
          field === 'kb'
            ? { type: 'line', strokeWidth: 1.2, point: { size: 10 } }
            : { type: 'point', size: 16, filled: true, opacity: 0.7 },
        encoding: {
          // the file shrinks to the right, as the parameters do in the size figure
          x: {
            field,
            type: 'quantitative',
            title,
            scale: { zero: false, reverse: field === 'kb' },
          },
          y: { field: 'acc', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
          detail: { field: 'seed' },
          order: { field: 'pruned', type: 'quantitative' },
          ...seriesEncoding(names),
        },
      },
      {
        transform: [{ filter: 'datum.knee' }],
        mark: { type: 'point', size: 110, filled: false, strokeWidth: 2, color: '#000000' },
        encoding: {
          x: { field, type: 'quantitative' },
          y: { field: 'acc', type: 'quantitative' },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Test accuracy against model size and measured latency',
      subtitle:
        "each step's model file (shrinking to the right) and one image's forward pass on this " +
        'machine; knees circled',
    },
    config,
    data: { values: rows(r) },
    hconcat: [
      panel('kb', 'model file (KB)'),
      panel('latencyUs', 'latency of one image (µs, median)'),
    ],
  } as unknown as TopLevelSpec;
}
