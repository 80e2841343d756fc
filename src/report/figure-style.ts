// The figures' shared look: a dash pattern, a marker and a colour per series (so that a figure
// stays readable in black-and-white print), fonts and sizes. The web view's charts (web/charts.js)
// take their colours from here too (bundled into dist/web/ by scripts/build-web.js).

export const DASH: Record<string, number[]> = {
  paper: [1, 0],
  distinctiveness: [6, 3],
  magnitude: [2, 2],
  random: [8, 3, 2, 3],
  taylor: [1, 3],
  merge: [10, 2],
  reconstruct: [3, 2, 1, 2],
  control: [4, 4],
};
export const SHAPE: Record<string, string> = {
  paper: 'circle',
  distinctiveness: 'square',
  magnitude: 'triangle-up',
  random: 'diamond',
  taylor: 'cross',
  merge: 'triangle-down',
  reconstruct: 'triangle-right',
  control: 'stroke',
};
export const PALETTE = [
  '#1b9e77',
  '#d95f02',
  '#7570b3',
  '#e7298a',
  '#66a61e',
  '#a6761d',
  '#e6ab02',
];
/** Each criterion's own colour, in every figure of every study and in the web view. */
export const COLOR: Record<string, string> = {
  paper: PALETTE[0],
  distinctiveness: PALETTE[1],
  magnitude: PALETTE[2],
  random: PALETTE[3],
  taylor: PALETTE[4],
  merge: PALETTE[5],
  reconstruct: PALETTE[6],
  control: '#000000',
};
/** The baseline's training curves: the training split's colour and the validation split's. */
export const SPLIT_COLORS = { domain: ['training', 'validation'], range: [PALETTE[0], '#333333'] };
/** The colours of `names`: a criterion's own, else (a run's name) the palette in turn. */
export const colorRange = (names: string[]) =>
  names.map((n, i) => COLOR[n] ?? PALETTE[i % PALETTE.length]);
export const config = {
  font: 'DejaVu Sans, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14 },
} as const;

export function seriesScales(names: string[]) {
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

/** A series' colour, dash and marker, under one legend titled "criterion". */
export function seriesEncoding(names: string[]) {
  return {
    color: {
      field: 'series',
      type: 'nominal',
      title: 'criterion',
      scale: { domain: names, range: colorRange(names) },
    },
    ...seriesScales(names),
  } as const;
}
