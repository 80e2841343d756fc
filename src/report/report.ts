// `prunelab report DIR`: renders every figure of a study (SVG and PNG under DIR/figures) and
// DIR/report.html from DIR/results.json, finished or not.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { upgradeStudyResults } from '../study/legacy.js';
import type { SweepResults } from '../study/lr-sweep.js';
import { STUDY_SCHEMA, type StudyResults } from '../study/results.js';
import { resultsProblem } from '../study/results-schema.js';
import { writeFileAtomic } from '../util/atomic.js';
import { DataError } from '../util/errors.js';
import type { TopLevelSpec } from 'vega-lite';
import { FIGURES, lrSweepSpec, renderSvg, svgToPng } from './figures.js';
import { renderHtml } from './html.js';
import { networkSpec } from './network-figure.js';
import { hasSpeed } from './speed-figures.js';

const TITLES: Record<keyof typeof FIGURES, string> = {
  accuracy:
    "Test accuracy against the number of neurons pruned (the paper's Fig. 4), with the " +
    "budget-matched control and each criterion's knee.",
  damage: 'Test accuracy right after each removal, before retraining.',
  oneShot:
    "Test accuracy as units are removed with no retraining at all, and each criterion's " +
    'one-shot knee.',
  training: "Baseline training and validation accuracy and loss per epoch (the paper's Fig. 3).",
  classes: "Images per class in the whole selection and in each split (the paper's Fig. 1).",
  cosine: "Cosine similarity between the baseline layer's activation vectors.",
  parameters: 'Test accuracy against the number of parameters and the forward FLOPs per image.',
  speed:
    "Test accuracy against each step's model file size and its measured single-image latency, " +
    'with the knees circled.',
};

export function readResults(dir: string): StudyResults {
  const file = join(dir, 'results.json');
  if (!existsSync(file)) {
    throw new DataError(`${file} not found; prunelab report takes a study run directory`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new DataError(`${file} is not valid JSON`);
  }
  const r = upgradeStudyResults(parsed) as StudyResults;
  if (r.schema !== STUDY_SCHEMA) {
    throw new DataError(
      `${file} is not the results of a study (schema ${JSON.stringify(r.schema)}, expected ` +
        `${STUDY_SCHEMA}); prunelab report takes a directory written by prunelab study`,
    );
  }
  const problem = resultsProblem(r);
  if (problem) {
    throw new DataError(
      `${file} is not a complete results file (${problem}); ` +
        'rewrite it by resuming the study, or restore that field',
    );
  }
  return r;
}

/** Which figures have data to show. */
function available(r: StudyResults): (keyof typeof FIGURES)[] {
  const names: (keyof typeof FIGURES)[] = ['classes'];
  if (r.baseline.history.length) names.push('training');
  if (r.baseline.cosine.length) names.push('cosine');
  if (r.summary.criteria.length) names.push('accuracy', 'damage', 'parameters');
  if (r.summary.criteria.some((c) => c.oneShot?.steps.length)) names.push('oneShot');
  if (hasSpeed(r)) names.push('speed');
  return names.sort((a, b) => Object.keys(FIGURES).indexOf(a) - Object.keys(FIGURES).indexOf(b));
}

export async function writeReport(dir: string): Promise<string> {
  const r = readResults(dir);
  const figures: { name: string; title: string; svg: string }[] = [];
  // each figure's PNG is made (by sharp, off this thread) while the next figure is drawn
  const pngs: Promise<void>[] = [];
  const draw = async (name: string, spec: TopLevelSpec): Promise<string> => {
    const svg = await renderSvg(spec);
    writeFileAtomic(join(dir, 'figures', `${name}.svg`), svg);
    const png = join(dir, 'figures', `${name}.png`);
    pngs.push(svgToPng(svg).then((bytes) => writeFileAtomic(png, bytes)));
    return svg;
  };
  for (const name of available(r)) {
    figures.push({ name, title: TITLES[name], svg: await draw(name, FIGURES[name](r)) });
  }
  const network = networkSpec(r);
  if (network) {
    figures.unshift({
      name: 'network',
      title:
        "The network (the paper's Fig. 2): each layer's output shape, and the pruned layer's " +
        'units before pruning, at the knees and at the end.',
      svg: await draw('network', network),
    });
  }
  const sweepFile = join(dir, 'lr-sweep', 'results.json');
  let sweep: SweepResults | null = null;
  if (existsSync(sweepFile)) {
    sweep = JSON.parse(readFileSync(sweepFile, 'utf8')) as SweepResults;
    figures.push({
      name: 'lr-sweep',
      title: "Best validation accuracy per learning rate (the paper's Table 1).",
      svg: await draw('lr-sweep', lrSweepSpec(sweep.table)),
    });
  }
  // the page last, once every figure is written
  await Promise.all(pngs);
  const file = join(dir, 'report.html');
  writeFileAtomic(file, renderHtml(r, figures, sweep));
  return file;
}
