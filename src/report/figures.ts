// The study's figures by name: each a Vega-Lite specification drawn from results.json
// (baseline-figures.ts, pruning-figures.ts, one-shot-figure.ts), rendered by render.ts. Each figure
// has a title, labelled axes with units, and tells series apart by dash pattern and marker as well
// as colour.
import {
  classHistogramSpec,
  cosineHeatmapSpec,
  lrSweepSpec,
  trainingSpec,
  type ClassCounts,
} from './baseline-figures.js';
import { oneShotSpec } from './one-shot-figure.js';
import { accuracyCurveSpec, damageSpec, parametersSpec } from './pruning-figures.js';
import { renderSvg, svgToPng } from './render.js';
import { speedSpec } from './speed-figures.js';

export {
  accuracyCurveSpec,
  classHistogramSpec,
  cosineHeatmapSpec,
  damageSpec,
  lrSweepSpec,
  oneShotSpec,
  parametersSpec,
  renderSvg,
  svgToPng,
  trainingSpec,
  type ClassCounts,
};

export const FIGURES = {
  accuracy: accuracyCurveSpec,
  damage: damageSpec,
  oneShot: oneShotSpec,
  training: trainingSpec,
  classes: classHistogramSpec,
  cosine: cosineHeatmapSpec,
  parameters: parametersSpec,
  speed: speedSpec,
} as const;
