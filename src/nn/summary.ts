// A network as a table, as Keras' model.summary() and torchinfo print it: each layer's name, kind,
// output shape, parameters and forward FLOPs (multiply-accumulates times two, as forwardFlops
// counts them), and the totals.
import {
  forwardFlops,
  layerShapes,
  parameterCount,
  type Architecture,
  type LayerSpec,
} from './architecture.js';

export interface LayerRow {
  name: string;
  kind: string;
  output: [number, number, number];
  parameters: number;
  flops: number;
}

/** A layer's kind with its geometry: `conv 5x5 pad 2 stride 2`, `dense`, `maxpool 2x2`. */
function kindText(l: LayerSpec): string {
  if (l.kind === 'conv') {
    const pad = l.padding ? ` pad ${l.padding}` : '';
    const stride = (l.stride ?? 1) > 1 ? ` stride ${l.stride}` : '';
    return `conv ${l.kernel}x${l.kernel}${pad}${stride}`;
  }
  if (l.kind === 'avgpool' || l.kind === 'maxpool') return `${l.kind} 2x2`;
  if (l.kind === 'dropout') return `dropout ${l.p}`;
  return l.kind;
}

export function layerTable(arch: Architecture): LayerRow[] {
  const shapes = layerShapes(arch);
  return arch.layers.map((l, i) => {
    const output = shapes[i + 1];
    const [c, h, w] = output;
    let parameters = 0;
    let flops = 0;
    if (l.kind === 'conv') {
      parameters = l.outChannels * (l.inChannels * l.kernel * l.kernel + 1);
      flops = 2 * c * h * w * l.inChannels * l.kernel * l.kernel;
    } else if (l.kind === 'dense') {
      parameters = l.outFeatures * (l.inFeatures + 1);
      flops = 2 * l.inFeatures * l.outFeatures;
    }
    const name = 'name' in l ? l.name : `(${l.kind})`;
    return { name, kind: kindText(l), output, parameters, flops };
  });
}

export function summaryTable(arch: Architecture): string {
  const rows = layerTable(arch);
  const shape = (s: number[]) => (s[1] === 1 && s[2] === 1 ? `${s[0]}` : s.join('x'));
  const lines = [
    ['layer', 'kind', 'output', 'parameters', 'FLOPs'],
    ['input', '', shape(arch.input), '', ''],
    ...rows.map((r) => [r.name, r.kind, shape(r.output), String(r.parameters), String(r.flops)]),
    ['total', '', '', String(parameterCount(arch)), String(forwardFlops(arch))],
  ];
  const widths = lines[0].map((_, k) => Math.max(...lines.map((l) => l[k].length)));
  const text = lines.map((l) =>
    l.map((cell, k) => (k >= 3 ? cell.padStart(widths[k]) : cell.padEnd(widths[k]))).join('  '),
  );
  text.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return `${text.join('\n')}\n(output ${arch.output}; FLOPs of one image's forward pass)`;
}
