// The network as a figure (the paper's Fig. 2): one box per block (a convolution or dense layer
// with the activation and pooling that follow it), left to right from the input, with each block's
// output shape; the pruned layer is marked, with its units before pruning, at the knees and at the
// end. A Vega-Lite specification like the other figures, drawn from results.json.
import type { TopLevelSpec } from 'vega-lite';
import type { Architecture, LayerSpec } from '../nn/architecture.js';
import { layerShapes } from '../nn/architecture.js';
import type { StudyResults } from '../study/results.js';
import { config } from './figure-style.js';

interface Block {
  index: number;
  name: string;
  what: string;
  after: string;
  shape: string;
  pruned: boolean;
}

const shapeText = ([c, h, w]: number[]) => (h === 1 && w === 1 ? `${c}` : `${c}x${h}x${w}`);

function layerText(l: LayerSpec): string {
  if (l.kind === 'conv') {
    const pad = l.padding ? `, pad ${l.padding}` : '';
    const stride = (l.stride ?? 1) > 1 ? `, stride ${l.stride}` : '';
    return `conv ${l.outChannels}@${l.kernel}x${l.kernel}${pad}${stride}`;
  }
  if (l.kind === 'dense') return `dense ${l.inFeatures}-${l.outFeatures}`;
  if (l.kind === 'dropout') return `dropout ${l.p}`;
  return l.kind;
}

/** The blocks of an architecture: the input, then each conv or dense layer with what follows it. */
export function networkBlocks(arch: Architecture, prunedLayer: string): Block[] {
  const shapes = layerShapes(arch);
  const blocks: Block[] = [
    { index: 0, name: 'input', what: '', after: '', shape: shapeText(arch.input), pruned: false },
  ];
  arch.layers.forEach((l, i) => {
    if ('name' in l) {
      const pruned = l.kind === 'dense' && l.name === prunedLayer;
      blocks.push({
        index: blocks.length,
        name: l.name,
        what: layerText(l),
        after: '',
        shape: '',
        pruned,
      });
    } else {
      const last = blocks[blocks.length - 1];
      last.after = last.after ? `${last.after}, ${layerText(l)}` : layerText(l);
    }
    blocks[blocks.length - 1].shape = shapeText(shapes[i + 1]);
  });
  return blocks;
}

/** The pruned layer's units: before, at the criteria's knees, and at the end. */
function prunedUnits(r: StudyResults): string {
  const H = r.baseline.hidden;
  const knees = r.summary.criteria.map((c) => H - c.knee);
  const ends = r.summary.criteria.map((c) => c.steps.at(-1)?.hidden ?? H);
  const range = (xs: number[]) =>
    Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}-${Math.max(...xs)}`;
  if (!knees.length) return `${H} units`;
  return `${H} units; ${range(knees)} at the knee; ${range(ends)} at the end`;
}

/** The text lines of the boxes: line 0 (the layer's name) in bold, the others plain. */
function textLayer(rows: object[], x: object, fontWeight: 'bold' | 'normal') {
  return {
    data: { values: rows },
    mark: { type: 'text', fontSize: 10, baseline: 'middle', fontWeight },
    encoding: {
      x,
      y: {
        field: 'line',
        type: 'ordinal',
        axis: null,
        scale: { domain: [0, 1, 2, 3], paddingOuter: 0.6 },
      },
      text: { field: 'text' },
    },
  };
}

/** The network diagram, or null for results that do not record their architecture. */
export function networkSpec(r: StudyResults): TopLevelSpec | null {
  const arch = r.baseline.perSeed[0]?.architecture;
  if (!arch) return null;
  const blocks = networkBlocks(arch, r.layer);
  const rows = blocks.flatMap((b) => [
    { ...b, line: 0, text: b.name },
    { ...b, line: 1, text: b.what },
    { ...b, line: 2, text: b.after },
    { ...b, line: 3, text: b.shape },
  ]);
  const width = Math.max(420, 110 * blocks.length);
  const x = { field: 'index', type: 'ordinal', axis: null, scale: { paddingInner: 0.15 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'The network',
      subtitle: `pruned layer ${r.layer} (shaded): ${prunedUnits(r)}`,
    },
    config,
    width,
    height: 110,
    layer: [
      {
        data: { values: blocks },
        mark: { type: 'bar', stroke: '#333', strokeWidth: 1 },
        encoding: {
          x,
          y: { datum: 1, type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
          color: {
            field: 'pruned',
            type: 'nominal',
            legend: null,
            scale: { domain: [false, true], range: ['#f2f2f2', '#f4b183'] },
          },
        },
      },
      textLayer(
        rows.filter((r) => r.line === 0),
        x,
        'bold',
      ),
      textLayer(
        rows.filter((r) => r.line > 0),
        x,
        'normal',
      ),
    ],
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}
