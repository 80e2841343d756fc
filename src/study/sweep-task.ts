// One learning rate of a sweep: the baseline trained from the random seed with that rate (every
// rate from
// the same seed, so only the rate differs). A rate that diverges is a result, not a failure.
import { trainBaseline } from '../train/baseline.js';
import { evaluate } from '../train/evaluation.js';
import { DivergenceError } from '../util/errors.js';
import type { SweepRow } from './records.js';
import { studyData } from './study-data.js';
import type { SweepTask, SweepTaskRequest, TaskEvent } from './task.js';

export async function runSweepTask(
  request: SweepTaskRequest,
  task: SweepTask,
  emit: (event: TaskEvent) => void,
): Promise<SweepRow> {
  const { cfg } = request;
  const { lr, seed } = task;
  const data = await studyData(cfg);
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  try {
    const { net, result } = await trainBaseline({ ...cfg, lr }, data, {
      seed,
      helper: request.helpers > 0,
      onEpoch: (_net, record) => emit({ type: 'epoch', task, record, total: cfg.epochs }),
    });
    return {
      lr,
      bestValAccuracy: result.bestValAccuracy,
      bestEpoch: result.bestEpoch,
      testAccuracy: evaluate(net, data.test).accuracy,
      diverged: false,
      seconds: seconds(),
    };
  } catch (err) {
    if (!(err instanceof DivergenceError)) throw err;
    const nothing = { bestValAccuracy: null, bestEpoch: null, testAccuracy: null };
    return { lr, ...nothing, diverged: true, seconds: seconds() };
  }
}
