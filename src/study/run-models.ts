// Which model file of a study's run folder a user means: a criterion's run (and seed) at its knee,
// at its end, or at a step kept with --save-steps, or a seed's baseline. Each file missing is
// named with what the folder does have.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { baselineModelPath, taskFolder } from './checkpoint.js';
import type { CriterionName } from '../config.js';

export interface ModelChoice {
  criterion?: string;
  seed?: number;
  /** `knee` (default), `final`, `baseline`, or `step-N`. */
  at?: string;
}

/** The model file of `choice` in the study folder `dir`. */
export function runModelFile(dir: string, choice: ModelChoice): string {
  const seed = choice.seed ?? 1;
  const at = choice.at ?? 'knee';
  if (at === 'baseline') return existing(baselineModelPath(dir, seed), `seed ${seed}'s baseline`);
  const runs = readdirSync(dir).filter((f) => /-s\d+$/.test(f) && !/^(baseline|control)-/.test(f));
  if (!choice.criterion) {
    throw new UserError(`--criterion: which run of ${dir}? it has ${runs.join(', ') || 'none'}`);
  }
  const task = { kind: 'prune' as const, seed, criterion: choice.criterion as CriterionName };
  const folder = taskFolder(dir, task);
  if (!existsSync(folder)) {
    throw new UserError(
      `${dir} has no run of ${choice.criterion} with seed ${seed}; it has ${runs.join(', ') || 'none'}`,
    );
  }
  if (at === 'knee') return existing(join(folder, 'knee.safetensors'), 'the knee model');
  if (at === 'final') return existing(join(folder, 'model.safetensors'), 'the final model');
  const step = /^step-(\d+)$/.exec(at);
  if (!step) throw new UserError(`--at ${at}: choose knee, final, baseline or step-N`);
  const kept = existsSync(join(folder, 'models')) ? readdirSync(join(folder, 'models')) : [];
  const file = join(folder, 'models', `step-${step[1]}.safetensors`);
  if (existsSync(file)) return file;
  const steps = kept.map((f) => f.replace('.safetensors', '')).join(', ');
  throw new UserError(
    `${folder} kept no model of ${at} (kept: ${steps || 'none'}); a study keeps the steps ` +
      'given to --save-steps',
  );
}

function existing(file: string, what: string): string {
  if (!existsSync(file))
    throw new UserError(`${file}: ${what} is not there (has the run finished?)`);
  return file;
}
