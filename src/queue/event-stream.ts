// The events of one queued task as the study loop must see them: each step (or control point)
// once and in order, however often the task was taken over by another worker (which replays its
// restored steps) and whatever the coordinator missed while it was away (filled in from the
// task's stored checkpoint).
import type { ControlPoint, StepRecord } from '../study/records.js';
import type { StudyTask, TaskEvent } from '../study/task.js';

/** Hands each step to `onEvent` once and in order; a gap is filled from the stored checkpoint. */
export class EventStream {
  private seen = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly task: StudyTask,
    private readonly onEvent: (event: TaskEvent) => void,
    private readonly stored: () => Promise<StepRecord[] | ControlPoint[]>,
  ) {}

  push(event: TaskEvent): void {
    this.chain = this.chain.then(() => this.deliver(event)).catch(() => {});
  }

  /** Every record up to the last, as restored events where they were not delivered yet. */
  fill(records: (StepRecord | ControlPoint)[]): void {
    for (const record of records) this.push(this.restored(record));
  }

  async settled(): Promise<void> {
    await this.chain;
  }

  private restored(record: StepRecord | ControlPoint): TaskEvent {
    const task = this.task;
    if (task.kind === 'control') {
      return { type: 'control-point', task, point: record as ControlPoint, restored: true };
    }
    return { type: 'step', task: task as never, record: record as StepRecord, restored: true };
  }

  private async deliver(event: TaskEvent): Promise<void> {
    const step =
      event.type === 'step'
        ? event.record.step
        : event.type === 'control-point'
          ? event.point.step
          : 0;
    if (step === 0) return this.onEvent(event);
    if (step <= this.seen) return;
    if (step > this.seen + 1) {
      // a step went by unseen (the coordinator was away): its checkpoint has it
      for (const record of await this.stored()) {
        if (record.step > this.seen && record.step < step) this.accept(this.restored(record));
      }
    }
    this.accept(event);
  }

  private accept(event: TaskEvent): void {
    if (event.type === 'step') this.seen = event.record.step;
    if (event.type === 'control-point') this.seen = event.point.step;
    this.onEvent(event);
  }
}
