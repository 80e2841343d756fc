// The study as a plan: which layer is pruned (the default rule), how many units each step removes,
// which seeds run, and the tasks of each seed (its baseline first, then one pruning run per
// criterion and the control). Checked before any data is trained on or any file is written.
import type { StudyConfig, TrainConfig } from '../config.js';
import type { PreparedData } from '../data/types.js';
import { splitMismatch } from '../data/run-split.js';
import type { Architecture, Shape3 } from '../nn/network.js';
import { readModelState } from '../formats/model-files.js';
import { denseUnits, nextDenseLayer } from '../prune/surgery.js';
import { baselineArchitecture } from '../train/baseline.js';
import { modelArchitecture, requestedInputShape } from '../train/network-choice.js';
import { ConfigError } from '../util/errors.js';
import type { BaselineTask, StudyTask } from './task.js';

/** The dense layer to prune: --layer, else the penultimate dense layer (LeNet-5's fc2). */
export function prunedLayer(cfg: StudyConfig, arch: Architecture): string {
  if (cfg.layer) return cfg.layer;
  const dense = arch.layers.flatMap((l) => (l.kind === 'dense' ? [l.name] : []));
  if (dense.length < 2) {
    throw new ConfigError('the model has a single dense layer; nothing to prune');
  }
  return dense[dense.length - 2];
}

/** Steps of a run: how many neurons each removes, up to maxPruned (default all but one). */
export function stepPlan(cfg: StudyConfig, hidden: number): number[] {
  const total = Math.min(cfg.maxPruned > 0 ? cfg.maxPruned : hidden - 1, hidden - 1);
  const plan: number[] = [];
  for (let done = 0; done < total; done += cfg.perStep) {
    plan.push(Math.min(cfg.perStep, total - done));
  }
  return plan;
}

/** The network the study starts from: the model file's (--model), else the configuration's. */
export function studyArchitecture(cfg: StudyConfig, data: PreparedData): Architecture {
  if (!cfg.model) return baselineArchitecture(cfg, data);
  const { state, metadata } = readModelState(cfg.model);
  return modelArchitecture(cfg, state, metadata, cfg.model);
}

/**
 * The input the study's network reads, known before any data is loaded (so the data is prepared
 * for it): the model file's, else the one --arch, --input and --channels ask for; undefined for
 * the paper's LeNet-5 on the data's own shape.
 */
export function studyInputShape(cfg: TrainConfig & { model?: string }): Shape3 | undefined {
  if (!cfg.model) return requestedInputShape(cfg);
  const { state, metadata } = readModelState(cfg.model);
  return modelArchitecture(cfg, state, metadata, cfg.model).input;
}

/**
 * What prunelab assumed of a --model file that does not say its architecture (a PyTorch state
 * dict): the line a user reads to notice, or null when the file says it.
 */
export function assumedArchitecture(cfg: StudyConfig, arch: Architecture): string | null {
  if (!cfg.model || cfg.arch || readModelState(cfg.model).metadata['prunelab.architecture'])
    return null;
  const dense = arch.layers.flatMap((l) =>
    l.kind === 'dense' ? [`${l.name} ${l.outFeatures}`] : [],
  );
  return (
    `${cfg.model} does not say its architecture: read as the paper's LeNet-5 (${arch.input.join('x')} ` +
    `input, conv 6@5x5, tanh, average pooling, conv 16@5x5, tanh, average pooling, ` +
    `${dense.join(', ')}) from its tensors' shapes`
  );
}

export interface StudyPlan {
  /** The line saying what was assumed of a --model file without an architecture, or null. */
  assumed: string | null;
  /** A warning when the study's split differs from the one the --model was trained on, or null. */
  splitWarning: string | null;
  layer: string;
  /** Units of the layer before pruning. */
  hidden: number;
  /** Units removed by each step. */
  steps: number[];
  seeds: number[];
  withControl: boolean;
  /** Each seed's baseline, which its other tasks start from. */
  baselines: BaselineTask[];
  /** The tasks that follow a seed's baseline. */
  after(seed: number): StudyTask[];
}

export function planStudy(cfg: StudyConfig, data: PreparedData): StudyPlan {
  const arch = studyArchitecture(cfg, data);
  const layer = prunedLayer(cfg, arch);
  try {
    nextDenseLayer(arch, layer);
  } catch (e) {
    throw new ConfigError(`--layer: ${(e as Error).message}`);
  }
  const hidden = denseUnits(arch, layer);
  if (hidden < 2) {
    const model = cfg.model ? ` of ${cfg.model}` : '';
    throw new ConfigError(
      `layer ${layer}${model} has ${hidden} unit; nothing to prune (choose another --layer)`,
    );
  }
  const steps = stepPlan(cfg, hidden);
  const seeds = Array.from({ length: cfg.seeds }, (_, k) => cfg.seed + k);
  const withControl = cfg.control && cfg.retrainEpochs > 0 && steps.length > 0;
  return {
    assumed: assumedArchitecture(cfg, arch),
    splitWarning: cfg.model ? splitMismatch(cfg.model, cfg) : null,
    layer,
    hidden,
    steps,
    seeds,
    withControl,
    baselines: seeds.map((seed) => ({ kind: 'baseline', seed })),
    after: (seed) => [
      ...cfg.criterion.map((criterion) => ({ kind: 'prune' as const, seed, criterion })),
      ...(withControl ? [{ kind: 'control' as const, seed }] : []),
    ],
  };
}
