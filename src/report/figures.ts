// Vega-Lite specifications of the study's figures, as pure functions of results.json, and their
// rendering to SVG (vega, in Node, no browser) and PNG (sharp). Each figure has a title, labelled
// axes with units, and distinguishes series by dash pattern and marker as well as colour, so it
// stays readable in black-and-white print.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import sharp from 'sharp';
import type { StudyResults } from '../study/results.js';
import type { StudyDataSummary } from '../study/state.js';
import type { SweepRow } from '../study/records.js';

const DASH: Record<string, number[]> = {
  paper: [1, 0],
  distinctiveness: [6, 3],
  magnitude: [2, 2],
  random: [8, 3, 2, 3],
  taylor: [1, 3],
  merge: [10, 2],
  control: [4, 4],
};
const SHAPE: Record<string, string> = {
  paper: 'circle',
  distinctiveness: 'square',
  magnitude: 'triangle-up',
  random: 'diamond',
  taylor: 'cross',
  merge: 'triangle-down',
  control: 'stroke',
};
const PALETTE = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#a6761d', '#e6ab02'];
const colorRange = (names: string[]) =>
  names.map((n, i) => (n === 'control' ? '#000000' : PALETTE[i % PALETTE.length]));
const config = {
  font: 'DejaVu Sans, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14 },
} as const;

function seriesScales(names: string[]) {
  return {
    strokeDash: {
      field: 'series',
      type: 'nominal',
      title: 'criterion',
      scale: { domain: names, range: names.map((n) => DASH[n] ?? [1, 0]) },
    },
    shape: {
      field: 'series',
      type: 'nominal',
      title: 'criterion',
      scale: { domain: names, range: names.map((n) => SHAPE[n] ?? 'circle') },
    },
  } as const;
}

/** Test accuracy against neurons pruned: each criterion (mean, band over seeds), the control, the baseline, the knees (the paper's Fig. 4). */
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
  for (const row of rows) row.band = row.series; // a separate field, so the band's hidden legend is not merged with the lines'
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
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Test accuracy after pruning and retraining',
      subtitle: `${r.data.name}, ${r.config.seeds} seed(s), ${r.config.retrainEpochs} retraining epoch(s) per step; knee marked ◆`,
    },
    width: 560,
    height: 320,
    config,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: {
          x,
          y: {
            field: 'mean',
            type: 'quantitative',
            title: 'test accuracy (fraction correct)',
            scale: { zero: false },
          },
          color,
          strokeDash: s.strokeDash,
        },
      },
      // the band over seeds uses its own fill scale (same colours, no legend) so the legend shows the lines
      ...(r.config.seeds > 1
        ? [
            {
              data: { values: rows },
              mark: { type: 'area', opacity: 0.15 },
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
        data: {
          values: [
            { y: r.baseline.testAccuracy, label: `baseline ${r.baseline.testAccuracy.toFixed(3)}` },
          ],
        },
        mark: { type: 'rule', color: '#555', strokeDash: [2, 2] },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: {
          values: [
            { y: r.baseline.testAccuracy, label: `baseline ${r.baseline.testAccuracy.toFixed(3)}` },
          ],
        },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#333' },
        encoding: {
          y: { field: 'y', type: 'quantitative' },
          x: { value: 0 },
          text: { field: 'label' },
        },
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
        },
        encoding: {
          x: { field: 'pruned', type: 'quantitative' },
          y: { field: 'mean', type: 'quantitative' },
          color,
        },
      },
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
      x: { field: 'pruned', type: 'quantitative', title: `neurons pruned from ${r.layer}` },
      y: {
        field: 'acc',
        type: 'quantitative',
        title: 'test accuracy before retraining',
        scale: { zero: false },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: 'criterion',
        scale: { domain: names, range: colorRange(names) },
      },
      ...seriesScales(names),
    },
  } as unknown as TopLevelSpec;
}

/** The baseline's training and validation accuracy and loss per epoch (the paper's Fig. 3). */
export function trainingSpec(r: StudyResults): TopLevelSpec {
  const rows = r.baseline.history.flatMap((h) => [
    { epoch: h.epoch, metric: 'accuracy', split: 'training', value: h.trainAccuracy },
    { epoch: h.epoch, metric: 'accuracy', split: 'validation', value: h.valAccuracy },
    { epoch: h.epoch, metric: 'loss', split: 'training', value: h.trainLoss },
    { epoch: h.epoch, metric: 'loss', split: 'validation', value: h.valLoss },
  ]);
  const enc = (metric: string, title: string) => ({
    transform: [{ filter: `datum.metric === '${metric}'` }],
    width: 270,
    height: 220,
    mark: { type: 'line', point: { size: 16 } },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title, scale: { zero: false } },
      color: {
        field: 'split',
        type: 'nominal',
        title: 'split',
        scale: { domain: ['training', 'validation'], range: ['#1b9e77', '#333333'] },
      },
      strokeDash: {
        field: 'split',
        type: 'nominal',
        scale: {
          domain: ['training', 'validation'],
          range: [
            [1, 0],
            [5, 3],
          ],
        },
        legend: null,
      },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Baseline training',
      subtitle: `LeNet-5 on ${r.data.name}; best-validation weights kept`,
    },
    config,
    data: { values: rows },
    hconcat: [
      enc('accuracy', 'accuracy (fraction correct)'),
      enc('loss', 'cross-entropy loss (mean)'),
    ],
  } as unknown as TopLevelSpec;
}

/** Class histograms of the whole dataset and of each split (the paper's Fig. 1). */
/** What the class histograms need of a study's results or a data summary. */
export interface ClassCounts {
  data: Pick<StudyDataSummary, 'name' | 'classes' | 'classCounts'>;
}

export function classHistogramSpec(r: ClassCounts): TopLevelSpec {
  const cc = r.data.classCounts;
  const rows = r.data.classes.flatMap((name, c) => [
    { split: 'all', class: name, count: cc.train[c] + cc.val[c] + cc.test[c] },
    { split: 'training', class: name, count: cc.train[c] },
    { split: 'validation', class: name, count: cc.val[c] },
    { split: 'test', class: name, count: cc.test[c] },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Images per class',
      subtitle: `${r.data.name}: the whole selection and each split`,
    },
    config,
    data: { values: rows },
    facet: {
      field: 'split',
      type: 'nominal',
      title: null,
      sort: ['all', 'training', 'validation', 'test'],
    },
    columns: 4,
    spec: {
      width: 150,
      height: 150,
      mark: { type: 'bar', color: '#666' },
      encoding: {
        x: {
          field: 'class',
          type: 'nominal',
          title: 'class',
          sort: r.data.classes,
          axis: { labelAngle: -60, labelLimit: 70 },
        },
        y: { field: 'count', type: 'quantitative', title: 'images' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** Neuron-by-neuron cosine similarity of the baseline layer's activation vectors. */
export function cosineHeatmapSpec(r: StudyResults): TopLevelSpec {
  const n = r.baseline.hidden,
    rows: { i: number; j: number; cos: number }[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) rows.push({ i, j, cos: r.baseline.cosine[i * n + j] });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Cosine similarity of ${r.layer} activation vectors`,
      subtitle: 'baseline network, over the pattern set; |cos| near 1 = redundant pair',
    },
    config,
    width: 360,
    height: 360,
    data: { values: rows },
    mark: 'rect',
    encoding: {
      x: {
        field: 'j',
        type: 'ordinal',
        title: 'neuron',
        axis: { values: Array.from({ length: Math.ceil(n / 10) }, (_, k) => k * 10) },
      },
      y: {
        field: 'i',
        type: 'ordinal',
        title: 'neuron',
        axis: { values: Array.from({ length: Math.ceil(n / 10) }, (_, k) => k * 10) },
      },
      color: {
        field: 'cos',
        type: 'quantitative',
        title: 'cosine',
        scale: { scheme: 'greys', domain: [-1, 1] },
      },
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
      color: {
        field: 'series',
        type: 'nominal',
        title: 'criterion',
        scale: { domain: names, range: colorRange(names) },
      },
      ...seriesScales(names),
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

/** Best validation accuracy per learning rate (the paper's Table 1), when a sweep was run. */
export function lrSweepSpec(table: SweepRow[]): TopLevelSpec {
  const rows = table.filter((r) => !r.diverged).map((r) => ({ lr: r.lr, acc: r.bestValAccuracy }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Learning-rate sweep',
      subtitle:
        'best validation accuracy of the baseline per learning rate (diverged rates omitted)',
    },
    config,
    width: 360,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', point: { size: 50, filled: true }, color: '#333' },
    encoding: {
      x: {
        field: 'lr',
        type: 'quantitative',
        title: 'learning rate (log scale)',
        scale: { type: 'log' },
      },
      y: {
        field: 'acc',
        type: 'quantitative',
        title: 'best validation accuracy',
        scale: { zero: false },
      },
    },
  } as unknown as TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

export const FIGURES = {
  accuracy: accuracyCurveSpec,
  damage: damageSpec,
  training: trainingSpec,
  classes: classHistogramSpec,
  cosine: cosineHeatmapSpec,
  parameters: parametersSpec,
} as const;
