// steps.csv: one row per step of every pruning run and control run, for spreadsheets and pandas.
import type { StudyResults } from './results.js';

const COLUMNS = [
  'criterion',
  'seed',
  'step',
  'pruned',
  'hidden',
  'removed',
  'mergedInto',
  'removedIds',
  'mergedIntoId',
  'score',
  'scoreKind',
  'dead',
  'testAccuracyBeforeRetrain',
  'testAccuracy',
  'valAccuracy',
  'parameters',
  'flops',
  'modelBytes',
  'onnxBytes',
  'latencyMs',
  'imagesPerSecond',
  'seconds',
] as const;

type Row = Partial<Record<(typeof COLUMNS)[number], unknown>>;

function cell(value: unknown): string {
  let text = '';
  if (Array.isArray(value)) text = value.join(' ');
  else if (['number', 'string', 'boolean'].includes(typeof value)) text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderStepsCsv(r: StudyResults): string {
  const rows: Row[] = [];
  for (const run of r.runs) {
    for (const step of run.steps) rows.push({ ...step, criterion: run.criterion, seed: run.seed });
  }
  for (const run of r.control) {
    for (const point of run.steps) {
      rows.push({
        criterion: 'control',
        seed: run.seed,
        step: point.step,
        pruned: point.pruned,
        hidden: r.baseline.hidden,
        testAccuracy: point.testAccuracy,
        valAccuracy: point.valAccuracy,
        parameters: r.baseline.parameters,
        flops: r.baseline.flops,
        seconds: point.seconds,
      });
    }
  }
  const lines = [
    COLUMNS.join(','),
    ...rows.map((row) => COLUMNS.map((c) => cell(row[c])).join(',')),
  ];
  return lines.join('\n') + '\n';
}
