// The schema of results.json (prunelab.study/2) in zod: `report` validates a results file with it
// (one line naming the first field that is wrong), and `npm run schema` writes it as JSON Schema
// (docs/results.schema.json) for other tools. Objects accept fields they do not name, so a file
// from a later version still reads; JSON has no NaN, so statistics that may be undefined (no
// baseline yet) may be null.
import { z } from 'zod';
import { CRITERIA } from '../config.js';

const stat = z.number().nullable();
const meanStd = z.looseObject({ mean: stat, std: stat });
const count = z.number().int().min(0);

const epochRecord = z.looseObject({
  epoch: count,
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  valLoss: z.number(),
  valAccuracy: z.number(),
});

const stepRecord = z.looseObject({
  step: count,
  pruned: count,
  hidden: count,
  removed: z.array(count),
  mergedInto: count.nullable(),
  removedIds: z.array(count).optional(),
  mergedIntoId: count.nullable().optional(),
  survivingIds: z.array(count).optional(),
  score: z.number().nullable(),
  dead: z.boolean().optional(),
  scoreKind: z.enum([
    'cosine',
    'angle-degrees',
    'l2-norm',
    'taylor',
    'reconstruction-error',
    'random',
  ]),
  testAccuracyBeforeRetrain: z.number(),
  testAccuracy: z.number(),
  valAccuracy: z.number(),
  parameters: count,
  flops: count,
  modelBytes: count.optional(),
  onnxBytes: count.optional(),
  latencyMs: z.number().optional(),
  imagesPerSecond: z.number().optional(),
});

const controlPoint = z.looseObject({
  step: count,
  pruned: count,
  epochs: count,
  testAccuracy: z.number(),
  valAccuracy: z.number(),
});

const criterionSummary = z.looseObject({
  criterion: z.string(),
  seeds: count,
  steps: z.array(
    z.looseObject({
      pruned: count,
      hidden: count,
      n: count,
      testAccuracy: meanStd,
      testAccuracyBeforeRetrain: meanStd,
      parameters: count,
      flops: count,
    }),
  ),
  knee: count,
  kneeRange: z.tuple([count, count]).optional(),
  kneeTolerance: z.number().optional(),
  kneePerSeed: meanStd,
  immediateDamage: meanStd,
  oneShot: z
    .looseObject({
      steps: z.array(z.looseObject({ pruned: count, testAccuracy: meanStd })),
      knee: count,
    })
    .optional(),
});

export const StudyResultsSchema = z.looseObject({
  schema: z.literal('prunelab.study/2'),
  name: z.string(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  error: z.string().optional(),
  failures: z.array(z.object({ task: z.string(), error: z.string() })).optional(),
  config: z.looseObject({
    criterion: z.array(z.enum(CRITERIA)),
    seeds: count,
    retrainEpochs: count,
    perStep: count,
    tolerance: z.number(),
  }),
  environment: z.record(z.string(), z.unknown()),
  data: z.looseObject({
    name: z.string(),
    source: z.string(),
    classes: z.array(z.string()),
    sizes: z.looseObject({ train: count, val: count, test: count }),
    classCounts: z.looseObject({
      train: z.array(count),
      val: z.array(count),
      test: z.array(count),
    }),
  }),
  layer: z.string(),
  baseline: z.looseObject({
    testAccuracy: stat,
    testAccuracySpread: stat,
    hidden: count,
    parameters: count,
    flops: count,
    history: z.array(epochRecord),
    perSeed: z.array(z.looseObject({ seed: count, testAccuracy: z.number() })),
    cosine: z.array(z.number()),
  }),
  runs: z.array(
    z.looseObject({
      criterion: z.enum(CRITERIA),
      seed: count,
      complete: z.boolean(),
      steps: z.array(stepRecord),
      knee: count,
      baselineKnee: count.optional(),
      oneShot: z
        .array(z.looseObject({ pruned: count, hidden: count, testAccuracy: z.number() }))
        .optional(),
      oneShotKnee: count.optional(),
    }),
  ),
  control: z.array(
    z.looseObject({ seed: count, complete: z.boolean(), steps: z.array(controlPoint) }),
  ),
  summary: z.looseObject({
    tolerance: z.number(),
    testNoise: stat.optional(),
    criteria: z.array(criterionSummary),
    redundancy: z
      .array(
        z.looseObject({
          estimate: z.string(),
          predictedKnee: stat,
          error: z.record(z.string(), stat),
        }),
      )
      .optional(),
    control: z.array(z.looseObject({ pruned: count, epochs: count, testAccuracy: meanStd })),
  }),
  timings: z.looseObject({ startedAt: z.string(), seconds: z.number() }),
});

/** The first problem of a value that is not a results file, as "field.path: what is wrong". */
export function resultsProblem(value: unknown): string | null {
  const r = StudyResultsSchema.safeParse(value);
  if (r.success) return null;
  const issue = r.error.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${path.replace(/^\./, '') || '(the file)'}: ${issue.message}`;
}

/** results.json's JSON Schema (draft 2020-12). */
export function resultsJsonSchema(): Record<string, unknown> {
  return {
    title: 'prunelab study results (results.json, schema prunelab.study/2)',
    ...z.toJSONSchema(StudyResultsSchema, { unrepresentable: 'any' }),
  };
}
