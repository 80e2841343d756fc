// The data a model was trained and pruned on, found beside it: a model of a study or a training
// run is evaluated on that run's own split (dataset, sizes and random seed) unless flags say
// otherwise (with the defaults instead, `evaluate --split val` of a study's model drew a larger
// validation set than the study's, holding images the study had trained on), and a study of the
// model is warned when it draws its test images otherwise.
import { dirname, join, resolve } from 'node:path';
import { readJson } from '../util/json.js';

/** The options that decide the splits (see DataConfig), as a run records them. */
export const SPLIT_OPTIONS = [
  'dataset',
  'data',
  'trainSize',
  'valSize',
  'testSize',
  'seed',
  'ids',
  'firstIds',
  'skipBadImages',
  'featuresAsImages',
] as const;

export interface RunData {
  /** The run's folder. */
  run: string;
  /** Its data selection, as options. */
  selection: Record<string, unknown>;
}

type Config = Record<string, unknown> & { dataset: string };

const isConfig = (value: unknown): value is Config =>
  typeof value === 'object' && value !== null && typeof (value as Config).dataset === 'string';

/** A study's config.json, or the config inside a training run's results.json. */
function runConfig(dir: string): Config | null {
  const study = readJson<unknown>(join(dir, 'config.json'));
  if (isConfig(study)) return study;
  const train = readJson<{ schema?: unknown; config?: unknown }>(join(dir, 'results.json'));
  if (train?.schema === 'prunelab.train/1' && isConfig(train.config)) return train.config;
  return null;
}

/**
 * The run a model file belongs to (its folder, or up to two above it: runs/x/merge-s1/knee,
 * runs/x/merge-s1/models/step-2), and that run's data selection; null for a file of no run.
 */
export function runDataSelection(model: string): RunData | null {
  let dir = dirname(resolve(model));
  for (let up = 0; up < 3; up++) {
    const config = runConfig(dir);
    if (config) {
      const selection = Object.fromEntries(
        SPLIT_OPTIONS.filter((key) => config[key] !== undefined).map((key) => [key, config[key]]),
      );
      return { run: dir, selection };
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The options whose difference gives other test images: the data and the split's random seed. */
const TEST_SET = ['dataset', 'data', 'seed', 'ids', 'firstIds'] as const;

/**
 * A warning when a study of `model` draws its test images otherwise than the run that trained the
 * model: they may then include images the model was trained on. Null when they agree or when the
 * model comes from no run.
 */
export function splitMismatch(model: string, selection: Record<string, unknown>): string | null {
  const own = runDataSelection(model);
  if (!own) return null;
  const differ = TEST_SET.filter(
    (key) => own.selection[key] !== undefined && own.selection[key] !== selection[key],
  );
  if (!differ.length) return null;
  const theirs = differ.map((key) => `${key} ${String(own.selection[key])}`).join(', ');
  const ours = differ.map((key) => `${key} ${String(selection[key])}`).join(', ');
  return (
    `warning: ${model} was trained on the split of ${own.run} (${theirs}); this study's ` +
    `(${ours}) may test it on images it trained on: give the run's --dataset, --data and --seed ` +
    'for the same test images'
  );
}
