// What a running study shows: one progress bar over all its work, counted in units that each cost
// about the same (a baseline epoch, a pruning or control step), a status naming what runs, one
// structured event per epoch and step, a line per finished baseline and, in plain logs, a line
// every tenth step. Throttles the rewriting of results.json to twice a second.
import type { StudyConfig } from '../config.js';
import type { ProgressReporter } from '../util/progress.js';
import type { StudyPlan } from './plan.js';
import type { StudyResults } from './results.js';
import { taskId, type StudyTask, type TaskEvent, type TaskOutcome } from './task.js';

const WRITE_INTERVAL_MS = 500;

export class StudyProgress {
  private done = 0;
  private status = '';
  private lastWrite = 0;
  /** Units a baseline counts for: its epochs, or one when the model is given. */
  private readonly baselineUnits: number;

  constructor(
    private readonly progress: ProgressReporter,
    cfg: StudyConfig,
    private readonly plan: StudyPlan,
    private readonly write: () => StudyResults,
  ) {
    this.baselineUnits = cfg.model ? 1 : cfg.epochs;
    const perSeed = this.baselineUnits + plan.after(plan.seeds[0]).length * plan.steps.length;
    progress.start('study', plan.seeds.length * perSeed, 'step');
  }

  private tick(units: number): void {
    this.done += units;
    this.progress.update(this.done, this.status);
  }

  onEvent(event: TaskEvent): void {
    const id = taskId(event.task);
    if (event.type === 'epoch') {
      const { epoch, valAccuracy } = event.record;
      this.status = `base${event.task.seed} ep ${epoch} ${valAccuracy.toFixed(3)}`;
      this.progress.event('epoch', { task: id, ...event.record });
      this.tick(1);
      return;
    }
    const record = event.type === 'step' ? event.record : event.point;
    const short = `${event.task.kind === 'prune' ? event.task.criterion : 'control'}${event.task.seed}`;
    this.status = `${short} ${record.pruned}/${this.plan.hidden} ${record.testAccuracy.toFixed(3)}`;
    if (!event.restored) {
      this.progress.event('step', { task: id, ...record });
      if (record.step % 10 === 0 || record.step === this.plan.steps.length) {
        const accuracy = record.testAccuracy.toFixed(3);
        this.progress.milestone(
          `  ${id} ${record.pruned}/${this.plan.hidden} pruned, test accuracy ${accuracy}`,
        );
      }
    }
    this.tick(1);
    const now = performance.now();
    if (now - this.lastWrite > WRITE_INTERVAL_MS) {
      this.lastWrite = now;
      this.write();
    }
  }

  onOutcome(task: StudyTask, outcome: TaskOutcome): void {
    if (outcome.kind === 'baseline') {
      const { baseline } = outcome;
      this.tick(this.baselineUnits - baseline.history.length);
      this.progress.info(
        `  baseline s${task.seed}: test ${baseline.testAccuracy.toFixed(4)} ` +
          `(best epoch ${baseline.bestEpoch})`,
      );
    } else if (outcome.kind === 'prune') {
      // complementary pairs remove two at once: fewer steps than planned
      this.tick(this.plan.steps.length - outcome.steps.length);
    }
  }
}
