// The one place where configuration is validated and defaults are merged: schema defaults, then
// the preset, then a --config JSON file, then the flags given on the command line. Past this
// boundary the code trusts its types.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './util/errors.js';
import { nearest } from './util/nearest.js';
import { notFoundMessage } from './util/missing-file.js';

export const CRITERIA = [
  'paper',
  'distinctiveness',
  'magnitude',
  'random',
  'taylor',
  'merge',
  'reconstruct',
] as const;
export type CriterionName = (typeof CRITERIA)[number];

export const TrainConfigSchema = z
  .object({
    dataset: z.string().default('fashion-mnist'),
    data: z.string().optional(),
    trainSize: z.number().int().min(0).default(0),
    /**
     * Validation and test images; unset (or 0): the published split's whole val/test folders,
     * else min(1000, 15% of the images).
     */
    valSize: z.number().int().min(0).optional(),
    testSize: z.number().int().min(0).optional(),
    lr: z.number().positive().finite().default(0.01),
    batch: z.number().int().min(1).max(4096).default(16),
    epochs: z.number().int().min(1).default(10),
    momentum: z.number().min(0).lt(1).default(0),
    weightDecay: z.number().min(0).default(0),
    patience: z.number().int().min(0).default(0),
    seed: z.number().int().min(0).default(1),
    /** Worker threads; 0 = one per core. */
    threads: z.number().int().min(0).max(64).default(0),
    output: z.enum(['softmax', 'sigmoid']).default('softmax'),
    /** Image datasets: vehicle IDs as classes ("1-10", "1,2,5"), or the first N IDs. */
    ids: z.string().optional(),
    firstIds: z.number().int().min(2).optional(),
    skipBadImages: z.boolean().default(false),
    /**
     * VehicleX feature release: reshape each 2048-value vector to a 1x32x64 input (an explicit
     * opt-in; not the paper's setting).
     */
    featuresAsImages: z.boolean().default(false),
    /**
     * The decoded dataset in a file (data/raw-file.ts): how a queue worker gets the study's data.
     */
    rawFile: z.string().optional(),
    /**
     * Training-time augmentation of image datasets (the paper's): flip probability, rotation in
     * degrees, colour jitter strengths.
     */
    augment: z.boolean().default(true),
    flip: z.number().min(0).max(1).default(0.5),
    rotation: z.number().min(0).max(180).default(10),
    brightness: z.number().min(0).max(1).default(0.2),
    contrast: z.number().min(0).max(1).default(0.2),
    saturation: z.number().min(0).max(1).default(0.2),
    backend: z.enum(['auto', 'wasm', 'reference']).default('auto'),
    out: z.string().optional(),
    /** A preset's name, mlp:SIZES[:ACTIVATION], or a JSON spec file (src/nn/arch-spec.ts). */
    arch: z.string().min(1).optional(),
    /** Input images' size, "28" or "28x32" (height x width). */
    input: z
      .string()
      .regex(/^[1-9]\d*(x[1-9]\d*)?$/, 'write the size as 28 or 28x28 (height x width)')
      .optional(),
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    /** Per channel means then standard deviations, on pixels scaled to [0, 1]. */
    normalize: z
      .array(z.number().finite())
      .refine((v) => v.length === 2 || v.length === 6, {
        message: 'give a mean and a standard deviation per channel: 2 values, or 6 for colour',
      })
      .optional(),
  })
  .strict();

export const StudyConfigSchema = TrainConfigSchema.extend({
  preset: z.enum(['quick', 'paper']).default('quick'),
  criterion: z
    .array(z.enum(CRITERIA))
    .min(1)
    .default([...CRITERIA]),
  seeds: z.number().int().min(1).max(100).default(1),
  retrainEpochs: z.number().int().min(0).default(1),
  perStep: z.number().int().min(1).default(1),
  layer: z.string().optional(),
  /** How many neurons to prune in all; 0 = all but one. */
  maxPruned: z.number().int().min(0).default(0),
  /**
   * Accuracy drop that still counts as no loss, for the knee; 0: the test set's binomial standard
   * error at the baseline's accuracy, at least 0.01 (a finer band would be noise).
   */
  tolerance: z
    .number()
    .min(0)
    .max(1, 'a fraction of accuracy, at most 1 (0.02 for 2 points)')
    .default(0),
  /** Size of the pattern set for activation vectors, taken from the training set; 0 = all of it. */
  patterns: z.number().int().min(0).default(0),
  model: z.string().optional(),
  control: z.boolean().default(true),
  /** Also run every criterion once with no retraining at all (its one-shot curve). */
  oneShot: z.boolean().default(true),
  /**
   * Measure the baseline's and every step's inference speed on this machine (latencyMs and
   * imagesPerSecond; about 5% of a LeNet-5 study's time).
   */
  speed: z.boolean().default(true),
  /**
   * Replace each criterion's own compensation by the least-squares merge into the most similar kept
   * neuron.
   */
  compensate: z.boolean().default(false),
  /** Steps whose models are kept (besides the final and the knee's), or 'all'. */
  saveSteps: z.union([z.literal('all'), z.array(z.number().int().min(1))]).default([]),
  /** Every step's model (and the knee's and the final one) also written in these formats. */
  export: z.array(z.enum(['onnx', 'tfjs'])).default([]),
  /** --lr auto: run a learning-rate sweep over `lrs` first and use the best. */
  lrAuto: z.boolean().default(false),
  lrs: z.array(z.number().positive().finite()).min(1).default([0.1, 0.05, 0.01, 0.001]),
}).strict();

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type StudyConfig = z.infer<typeof StudyConfigSchema>;

export const PRESETS: Record<'quick' | 'paper', Partial<StudyConfig>> = {
  // A few minutes on a 2-core laptop: a small Fashion-MNIST subset like the paper's small data.
  quick: {
    trainSize: 2000,
    valSize: 500,
    testSize: 1000,
    epochs: 30,
    patience: 5,
    retrainEpochs: 1,
    patterns: 1000,
  },
  // The paper's protocol: lr 0.01, batch 16, 200 baseline epochs, 200 retraining epochs per step.
  // Its criterion only unless --criterion says otherwise (each criterion adds 83 x 200 epochs).
  paper: {
    trainSize: 1000,
    valSize: 500,
    testSize: 1000,
    lr: 0.01,
    batch: 16,
    epochs: 200,
    retrainEpochs: 200,
    patience: 0,
    criterion: ['paper'],
  },
};

const kebab = (key: string) => key.replace(/[A-Z]/g, (m) => '-' + m.toLowerCase());
const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function flagName(path: PropertyKey[]): string {
  return '--' + kebab(String(path[0] ?? ''));
}

/** A value outside a fixed set (a criterion, a preset): the value, the set, the nearest. */
function unknownValue(issue: z.core.$ZodIssueInvalidValue): string {
  const choices = issue.values.map(String);
  const given = typeof issue.input === 'string' ? issue.input : null;
  if (given === null) return `choose one of ${choices.join(', ')}`;
  const guess = nearest(given, choices);
  const hint = guess ? ` (did you mean ${guess}?)` : '';
  return `unknown value "${given}"${hint}; choose one of ${choices.join(', ')}`;
}

/** One line naming each wrong option; an unknown one with the nearest known option. */
export function formatZodError(err: z.ZodError, known: readonly string[] = []): string {
  return err.issues
    .map((i) => {
      if (i.code === 'invalid_value') return `${flagName(i.path)}: ${unknownValue(i)}`;
      if (i.code !== 'unrecognized_keys') return `${flagName(i.path)}: ${i.message}`;
      return i.keys
        .map((key) => {
          const guess = nearest(key, known);
          const hint = guess ? `; did you mean "${kebab(guess)}" (--${kebab(guess)})?` : '';
          return `unknown option "${kebab(key)}"${hint}`;
        })
        .join('; ');
    })
    .join('; ');
}

export function readConfigFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(notFoundMessage('config file', file));
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    // keys as the flags are written (train-size) or in camelCase (trainSize)
    return Object.fromEntries(Object.entries(v).map(([key, value]) => [camel(key), value]));
  } catch (e) {
    throw new ConfigError(
      `config file ${file} is not a JSON object (${(e as Error).message}); ` +
        'write it as {"lr": 0.01, "epochs": 10, ...}',
    );
  }
}

export function parseTrainConfig(input: Record<string, unknown>): TrainConfig {
  const r = TrainConfigSchema.safeParse(input, { reportInput: true });
  if (!r.success) {
    const known = Object.keys(TrainConfigSchema.shape);
    throw new ConfigError(`invalid configuration: ${formatZodError(r.error, known)}`);
  }
  return r.data;
}

/**
 * `strategy`, the criterion's name before version 0.2 (the flag --strategy, config files and the
 * config.json of earlier run folders), read as `criterion`.
 */
function withCriterionAlias(input: Record<string, unknown>): Record<string, unknown> {
  if (!('strategy' in input)) return input;
  const { strategy, ...rest } = input;
  if ('criterion' in rest) {
    throw new ConfigError('--strategy is the old name of --criterion; give only --criterion');
  }
  return { ...rest, criterion: strategy };
}

export function parseStudyConfig(raw: Record<string, unknown>): StudyConfig {
  const input = withCriterionAlias(raw);
  const preset = (input.preset as 'quick' | 'paper' | undefined) ?? 'quick';
  if (!(preset in PRESETS))
    throw new ConfigError(`--preset: unknown preset "${String(preset)}"; choose quick or paper`);
  // the presets' subset sizes are for the bundled sets; image folders keep their own split and
  // sizes
  const presetValues: Partial<StudyConfig> = { ...PRESETS[preset] };
  if (input.dataset === 'folder' || input.dataset === 'vehicle-x') {
    delete presetValues.trainSize;
    delete presetValues.valSize;
    delete presetValues.testSize;
  }
  const r = StudyConfigSchema.safeParse({ ...presetValues, ...input }, { reportInput: true });
  if (!r.success) {
    const known = Object.keys(StudyConfigSchema.shape);
    throw new ConfigError(`invalid configuration: ${formatZodError(r.error, known)}`);
  }
  return r.data;
}
