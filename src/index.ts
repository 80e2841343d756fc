// prunelab's public API: every CLI command is one of these calls (see src/cli/main.ts).
export { runTrain, trainBaseline } from './train/run.js';
export { runStudy, resumeStudy } from './prune/study.js';
export { runLrSweep } from './train/lr-sweep.js';
export { runDataSummary } from './data/summary.js';
export { writeReport } from './report/report.js';
export {
  parseStudyConfig,
  parseTrainConfig,
  CRITERIA,
  PRESETS,
  type StudyConfig,
  type TrainConfig,
} from './config.js';
export { loadData, loadRaw, DATASETS } from './data/index.js';
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
export { train, evaluate } from './train/trainer.js';
export { DataParallel } from './train/parallel.js';
export { criteria } from './prune/criteria/index.js';
export type { Criterion, CriterionContext, Choice } from './prune/criteria/index.js';
export { removeUnits } from './prune/surgery.js';
export { pruneStep, pruneOnce } from './prune/step.js';
export { cosineSimilarityMatrix, layerActivations } from './prune/activations.js';
export { knee, summarize } from './prune/knee.js';
export { Progress } from './cli/progress.js';
