// `prunelab data`: what a dataset selection holds — sizes and class counts per split, and for
// VehicleX the attributes per class (colour, type, camera) — written as summary.json with the class
// histograms (the seed's Fig. 1) as SVG and PNG.
import { join } from 'node:path';
import type { TrainConfig } from '../config.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { loadRaw } from './index.js';
import { classCounts, prepare } from './split.js';

export async function runDataSummary(cfg: TrainConfig, outDir: string) {
  const raw = await loadRaw(cfg);
  const data = prepare(raw, cfg, cfg.seed);
  const C = data.classes.length;
  const counts = {
    train: classCounts(data.train.y, C),
    val: classCounts(data.val.y, C),
    test: classCounts(data.test.y, C),
  };
  const attributes: Record<string, Record<string, Record<string, number>>> = {};
  const names = (raw.info?.names ?? {}) as Record<string, Record<string, string>>;
  for (const a of raw.attrs ?? []) {
    const cls = data.classes[Number(a.label)];
    for (const key of ['colorID', 'typeID', 'cameraID']) {
      if (a[key] === undefined) continue;
      const v = names[key]?.[String(Number(a[key]))] ?? a[key];
      ((attributes[key] ??= {})[cls] ??= {})[v] = (attributes[key][cls][v] ?? 0) + 1;
    }
  }
  const summary = {
    schema: 'prunelab.data/1',
    config: cfg,
    data: {
      name: data.name,
      source: data.source,
      classes: data.classes,
      sizes: { train: data.train.n, val: data.val.n, test: data.test.n },
      classCounts: counts,
      mean: data.mean,
      std: data.std,
    },
    info: raw.info ?? {},
    attributes,
  };
  writeJsonAtomic(join(outDir, 'summary.json'), summary);
  const { classHistogramSpec, renderSvg, svgToPng } = await import('../report/figures.js');
  const svg = await renderSvg(classHistogramSpec(summary as never));
  writeFileAtomic(join(outDir, 'figures', 'classes.svg'), svg);
  writeFileAtomic(join(outDir, 'figures', 'classes.png'), await svgToPng(svg));
  return summary;
}
