// The control run of one seed: the unpruned baseline retrained after every step exactly as the
// pruning runs are (the same epochs, shuffles and weight selection), evaluated at the same points,
// with nothing removed. If it rises, so would any pruned curve: the rise is not evidence of
// redundancy.
import { modelMetadata } from '../data/metadata.js';
import { loadModel } from '../nn/model-io.js';
import { denseUnits } from '../prune/surgery.js';
import { evalBatch } from '../train/baseline.js';
import { FeatureCache } from '../train/features.js';
import { evaluate } from '../train/evaluation.js';
import { baselineModelPath, restoreCheckpoint, saveCheckpoint, taskFolder } from './checkpoint.js';
import { prunedLayer, stepPlan } from './plan.js';
import type { ControlPoint } from './records.js';
import { retrainStep, type RetrainContext } from './retrain.js';
import { studyData } from './study-data.js';
import { TaskHelper } from './task-helper.js';
import type { ControlTask, StudyTaskRequest, TaskEvent } from './task.js';

export async function runControlTask(
  request: StudyTaskRequest,
  task: ControlTask,
  emit: (event: TaskEvent) => void,
): Promise<ControlPoint[]> {
  const { cfg, dir } = request;
  const { seed } = task;
  const folder = taskFolder(dir, task);
  const data = await studyData(cfg);
  const restored = restoreCheckpoint<ControlPoint>(folder, evalBatch(cfg.batch), cfg.backend);
  const points = restored.records;
  for (const point of points) emit({ type: 'control-point', task, point, restored: true });
  if (restored.complete) return points;
  const net =
    restored.net ?? loadModel(baselineModelPath(dir, seed), evalBatch(cfg.batch), cfg.backend);
  const layer = prunedLayer(cfg, net.arch);
  const plan = stepPlan(cfg, denseUnits(net.arch, layer));
  let pruned = plan.slice(0, points.length).reduce((a, b) => a + b, 0);
  const helper = await TaskHelper.start(request, net);
  const cache = new FeatureCache(layer);
  const metadata = modelMetadata(data);
  const context: RetrainContext = { cfg, data, seed, parallel: helper.parallel, cache };
  try {
    for (let step = points.length + 1; step <= plan.length; step++) {
      const started = performance.now();
      const parallel = (context.parallel = await helper.beforeStep(net));
      pruned += plan[step - 1];
      const retrained = retrainStep(context, net, step);
      const point: ControlPoint = {
        step,
        pruned,
        epochs: step * cfg.retrainEpochs,
        testAccuracy: evaluate(net, data.test, parallel, cache).accuracy,
        valAccuracy: retrained.bestValAccuracy,
        seconds: (performance.now() - started) / 1000,
      };
      points.push(point);
      saveCheckpoint(folder, net, step, points, step === plan.length, metadata);
      emit({ type: 'control-point', task, point, restored: false });
    }
  } finally {
    await helper.end();
  }
  return points;
}
