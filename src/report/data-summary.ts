// `prunelab data`: the dataset summary (src/data/summary.ts) written as summary.json, with the
// class
// histograms (the paper's Fig. 1) as SVG and PNG.
import { join } from 'node:path';
import type { TrainConfig } from '../config.js';
import { summarizeData, type DataSummary } from '../data/summary.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { classHistogramSpec, renderSvg, svgToPng } from './figures.js';

export async function runDataSummary(cfg: TrainConfig, outDir: string): Promise<DataSummary> {
  const summary = await summarizeData(cfg);
  writeJsonAtomic(join(outDir, 'summary.json'), summary);
  const svg = await renderSvg(classHistogramSpec(summary));
  writeFileAtomic(join(outDir, 'figures', 'classes.svg'), svg);
  writeFileAtomic(join(outDir, 'figures', 'classes.png'), await svgToPng(svg));
  return summary;
}
