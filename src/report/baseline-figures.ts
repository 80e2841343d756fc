// The figures of the data and the baseline, as Vega-Lite specifications: class histograms (the
// paper's Fig. 1), the baseline's training curves (Fig. 3), the cosine similarity of the pruned
// layer's activation vectors, and the learning-rate sweep (Table 1).
import type { TopLevelSpec } from 'vega-lite';
import type { SweepRow } from '../study/records.js';
import type { StudyResults } from '../study/results.js';
import type { StudyDataSummary } from '../study/state.js';
import { config, SPLIT_COLORS } from './figure-style.js';
import { similarityOrder } from './similarity-order.js';

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
        scale: SPLIT_COLORS,
        legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 },
      },
      strokeDash: {
        field: 'split',
        type: 'nominal',
        title: 'split',
        scale: {
          domain: ['training', 'validation'],
          range: [
            [1, 0],
            [5, 3],
          ],
        },
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
    // one legend for both panels: colour and dash of each split
    resolve: { legend: { color: 'shared', strokeDash: 'shared' } },
  } as unknown as TopLevelSpec;
}

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
          axis: { labelAngle: -60, labelLimit: 200 },
        },
        y: { field: 'count', type: 'quantitative', title: 'images' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** Cells of the heatmap per side at most: a wider layer is shown in blocks of neurons. */
const HEATMAP_SIDE = 100;

/**
 * Neuron-by-neuron cosine similarity of the baseline layer's activation vectors, the units ordered
 * so that similar ones sit together (similarity-order.ts: redundant groups show as red or blue
 * blocks on the diagonal); for a layer of more than 100 units (LeNet-300-100's 300, the Caffe
 * LeNet-5's 500), the mean over blocks of b x b places in that order, so the figure stays a
 * readable (and small) 100 x 100 grid. The tooltip names the units of a cell.
 */
export function cosineHeatmapSpec(r: StudyResults): TopLevelSpec {
  const n = r.baseline.hidden;
  const cosine = r.baseline.cosine;
  const order = similarityOrder(cosine, n);
  const ordered = order.some((unit, place) => unit !== place);
  const block = Math.ceil(n / HEATMAP_SIDE);
  const sums = new Map<string, { i: number; j: number; sum: number; count: number }>();
  for (let pi = 0; pi < n; pi++)
    for (let pj = 0; pj < n; pj++) {
      const bi = Math.floor(pi / block) * block;
      const bj = Math.floor(pj / block) * block;
      const key = `${bi},${bj}`;
      const cell = sums.get(key) ?? { i: bi, j: bj, sum: 0, count: 0 };
      cell.sum += cosine[order[pi] * n + order[pj]];
      cell.count++;
      sums.set(key, cell);
    }
  // a cell's units: one, or a block's (a few named, then how many more)
  const units = (place: number) => {
    const members = order.slice(place, place + block);
    const named = members.slice(0, 6).join(', ');
    return members.length > 6 ? `${named} and ${members.length - 6} more` : named;
  };
  const rows = [...sums.values()].map((c) => ({
    i: c.i,
    j: c.j,
    cos: c.sum / c.count,
    row: units(c.i),
    column: units(c.j),
  }));
  const blocks = block > 1 ? `; mean over blocks of ${block}x${block} neurons` : '';
  const title = ordered ? 'neurons, similar ones together' : 'neuron';
  // with the units reordered, a position is not a unit's number: no tick labels
  const axis = ordered
    ? { labels: false, ticks: false }
    : { values: Array.from({ length: Math.ceil(n / (10 * block)) }, (_, k) => k * 10 * block) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Cosine similarity of ${r.layer} activation vectors`,
      subtitle:
        'baseline network, over the pattern set; near 1 or -1 (red or blue): a redundant pair' +
        blocks,
    },
    config,
    width: 360,
    height: 360,
    data: { values: rows },
    mark: 'rect',
    encoding: {
      x: { field: 'j', type: 'ordinal', title, axis },
      y: { field: 'i', type: 'ordinal', title, axis },
      color: {
        field: 'cos',
        type: 'quantitative',
        title: 'cosine',
        scale: { scheme: 'redblue', domain: [-1, 1], reverse: true },
      },
      tooltip: [
        { field: 'row', title: 'unit' },
        { field: 'column', title: 'and unit' },
        { field: 'cos', title: 'cosine', format: '.3f' },
      ],
    },
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
