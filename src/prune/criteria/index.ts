// The registry of pruning criteria by name.
import type { CriterionName } from '../../config.js';
import { distinctiveness } from './distinctiveness.js';
import { magnitude } from './magnitude.js';
import { merge } from './merge.js';
import { paper } from './paper.js';
import { random } from './random.js';
import { reconstruct } from './reconstruct.js';
import { taylor } from './taylor.js';
import type { Criterion } from './types.js';

export const criteria: Record<CriterionName, Criterion> = {
  paper,
  distinctiveness,
  magnitude,
  random,
  taylor,
  merge,
  reconstruct,
};
export type { Choice, Criterion, CriterionContext, ScoreKind } from './types.js';
