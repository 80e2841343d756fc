// What a running study shows: one progress bar over all its work, counted in images processed
// (a training image counts three, for its forward and backward passes), so that a baseline epoch,
// a quick step and a paper-preset step of 200 epochs each weigh what they cost; a status naming
// what runs; one structured event per epoch and step; a line per finished baseline and pruning
// run; and, in plain logs, a line every tenth step. Throttles the rewriting of results.json to
// twice a second.
import type { StudyConfig } from '../config.js';
import type { ProgressReporter } from '../util/progress.js';
import { effectiveTolerance, knee } from './knee.js';
import type { StudyPlan } from './plan.js';
import type { StudyResults } from './results.js';
import type { StudyState } from './state.js';
import { taskId, type StudyTask, type TaskEvent, type TaskOutcome } from './task.js';

const WRITE_INTERVAL_MS = 500;

/** Images of each kind a study works on. */
export interface StudySizes {
  train: number;
  val: number;
  test: number;
  patterns: number;
}

/** The work of each unit of a study, in images processed. */
function costs(cfg: StudyConfig, sizes: StudySizes) {
  const epoch = 3 * sizes.train + sizes.val;
  const evaluations = sizes.patterns + sizes.train + sizes.val + sizes.test;
  return {
    epoch,
    baseline: (cfg.model ? 0 : cfg.epochs * epoch) + evaluations,
    step: cfg.retrainEpochs * epoch + sizes.patterns + sizes.test,
    controlStep: cfg.retrainEpochs * epoch + sizes.test,
    /** A step of the one-shot pass (none when the run itself does not retrain). */
    oneShotStep: cfg.retrainEpochs > 0 && cfg.oneShot ? sizes.patterns : 0,
  };
}

export class StudyProgress {
  private done = 0;
  /** The part of `done` computed in this session (not restored from checkpoints). */
  private computed = 0;
  private status = '';
  private lastWrite = 0;
  private readonly cost: ReturnType<typeof costs>;
  private readonly epochsSeen = new Map<number, number>();
  private readonly testImages: number;

  constructor(
    private readonly progress: ProgressReporter,
    private readonly cfg: StudyConfig,
    private readonly plan: StudyPlan,
    sizes: StudySizes,
    private readonly state: StudyState,
    private readonly write: () => StudyResults,
  ) {
    this.cost = costs(cfg, sizes);
    this.testImages = sizes.test;
    const tasks = plan.after(plan.seeds[0]);
    const perStep = tasks.reduce(
      (sum, t) =>
        sum +
        (t.kind === 'control' ? this.cost.controlStep : this.cost.step + this.cost.oneShotStep),
      0,
    );
    const total = plan.seeds.length * (this.cost.baseline + plan.steps.length * perStep);
    progress.start('study', total, 'images');
  }

  private tick(units: number, restored = false): void {
    this.done += units;
    if (!restored) this.computed += units;
    this.progress.update(this.done, this.status, this.computed);
  }

  onEvent(event: TaskEvent): void {
    const id = taskId(event.task);
    if (event.type === 'epoch') {
      const { epoch, valAccuracy } = event.record;
      const seed = event.task.seed;
      this.epochsSeen.set(seed, (this.epochsSeen.get(seed) ?? 0) + 1);
      this.status = `baseline s${seed} epoch ${epoch}/${this.cfg.epochs} val ${valAccuracy.toFixed(3)}`;
      this.progress.event('epoch', { task: id, ...event.record });
      this.tick(this.cost.epoch);
      return;
    }
    if (event.type === 'one-shot') {
      if (!event.restored) this.progress.event('one-shot', { task: id, curve: event.curve });
      this.tick(this.plan.steps.length * this.cost.oneShotStep, event.restored);
      return;
    }
    const record = event.type === 'step' ? event.record : event.point;
    const name = event.task.kind === 'prune' ? event.task.criterion : 'control';
    const units = `${record.pruned}/${this.plan.hidden}`;
    this.status = `${name} s${event.task.seed} ${units} test ${record.testAccuracy.toFixed(3)}`;
    if (!event.restored) {
      this.progress.event('step', { task: id, ...record });
      if (record.step % 10 === 0 || record.step === this.plan.steps.length) {
        const accuracy = record.testAccuracy.toFixed(3);
        this.progress.milestone(`  ${id} ${units} pruned, test accuracy ${accuracy}`);
      }
    }
    this.tick(event.type === 'step' ? this.cost.step : this.cost.controlStep, event.restored);
    const now = performance.now();
    if (now - this.lastWrite > WRITE_INTERVAL_MS) {
      this.lastWrite = now;
      this.write();
    }
  }

  onOutcome(task: StudyTask, outcome: TaskOutcome): void {
    if (outcome.kind === 'baseline') {
      const { baseline } = outcome;
      const trained = (this.epochsSeen.get(task.seed) ?? 0) * this.cost.epoch;
      // a baseline finished in an earlier session reports no epochs now
      const restored = trained === 0 && baseline.history.length > 0;
      this.tick(this.cost.baseline - trained, restored);
      this.progress.info(
        `  baseline s${task.seed}: test ${baseline.testAccuracy.toFixed(4)} ` +
          `(best epoch ${baseline.bestEpoch})`,
      );
    } else if (outcome.kind === 'prune') {
      // complementary pairs remove two at once: fewer steps than planned
      this.tick((this.plan.steps.length - outcome.steps.length) * this.cost.step, true);
      if (task.kind === 'prune') this.progress.info(this.runLine(task, outcome.steps));
    }
  }

  /** The line of a finished pruning run: its knee and where it ended. */
  private runLine(
    task: StudyTask & { kind: 'prune' },
    steps: { pruned: number; testAccuracy: number; hidden: number }[],
  ): string {
    const base = this.state.baselines.get(task.seed)?.testAccuracy ?? NaN;
    const points = steps.map((s) => ({ pruned: s.pruned, accuracy: s.testAccuracy }));
    const k = knee(points, base, effectiveTolerance(this.cfg.tolerance, base, this.testImages));
    const last = steps.at(-1);
    const end = last ? `, ${last.testAccuracy.toFixed(4)} at ${last.hidden} unit(s)` : '';
    return (
      `  ${task.criterion} s${task.seed} done: knee ${k} of ${this.plan.hidden} ` +
      `(against the baseline)${end}`
    );
  }
}
