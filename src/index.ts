// prunelab's public API, whole: every CLI command is one of these calls (see src/cli/main.ts), and
// nothing here depends on the CLI. Progress is reported to a ProgressReporter you may implement
// (silentProgress reports nothing).

// commands
export { runTrain, TRAIN_SCHEMA } from './train/run.js';
export { runStudy, resumeStudy, type StudyOptions, type StudyRun } from './study/study.js';
export { runLrSweep, type SweepResults } from './study/lr-sweep.js';
export { runDataSummary } from './report/data-summary.js';
export { writeReport, readResults } from './report/report.js';
export { summaryText } from './study/summary-text.js';

// configuration and progress
export {
  parseStudyConfig,
  parseTrainConfig,
  CRITERIA,
  PRESETS,
  type CriterionName,
  type StudyConfig,
  type TrainConfig,
} from './config.js';
export { silentProgress, type ProgressReporter } from './util/progress.js';
export {
  UserError,
  ConfigError,
  DataError,
  DivergenceError,
  InterruptedError,
} from './util/errors.js';

// data
export { loadData, loadRaw, DATASETS } from './data/index.js';
export type { PreparedData, Split } from './data/types.js';
export { summarizeData, type DataSummary } from './data/summary.js';

// networks and models
export {
  Network,
  lenet5,
  parameterCount,
  forwardFlops,
  type Architecture,
  type LayerSpec,
} from './nn/network.js';
export { loadModel, saveModel } from './nn/model-io.js';
export { encodeSafetensors, decodeSafetensors } from './nn/safetensors.js';

// training
export { train, type EpochRecord, type TrainResult } from './train/trainer.js';
export { evaluate } from './train/evaluation.js';
export { trainBaseline, newNetwork, evalBatch } from './train/baseline.js';
export { DataParallel } from './train/parallel.js';

// pruning algorithms
export { criteria } from './prune/criteria/index.js';
export type { Criterion, CriterionContext, Choice, ScoreKind } from './prune/criteria/index.js';
export { removeUnits, type Merge } from './prune/surgery.js';
export {
  pruneStep,
  pruneOnce,
  type Removal,
  type PruneOptions,
  type StepPlace,
} from './prune/step.js';
export { cosineSimilarityMatrix, layerActivations } from './prune/activations.js';

// the study's parts: tasks, runners, results
export { knee, summarize, type CriterionSummary } from './study/knee.js';
export { buildResults, STUDY_SCHEMA, type StudyResults } from './study/results.js';
export { upgradeStudyResults } from './study/legacy.js';
export { renderStepsCsv } from './study/steps-csv.js';
export { planStudy, stepPlan, prunedLayer, type StudyPlan } from './study/plan.js';
export { LocalPool } from './study/pool.js';
export { runTask } from './study/run-task.js';
export type { TaskRunner } from './study/runner.js';
export type {
  Task,
  TaskEvent,
  TaskOutcome,
  TaskRequest,
  StudyTask,
  SweepTask,
} from './study/task.js';
export type { BaselineResult, ControlPoint, StepRecord, SweepRow } from './study/records.js';

// a study over a queue (BullMQ on Redis): the coordinator's runner, the worker, the status
export { QueueRunner } from './queue/runner.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from './queue/worker.js';
export { queueStatus, statusText, type QueueStatus } from './queue/status.js';
