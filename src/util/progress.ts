// What the library tells whoever runs it about long work: lines for people, structured events for
// machines, and a progress bar's start, updates and end. The CLI implements it
// (src/cli/progress.ts)
// for terminals, logs and JSON; `silentProgress` is the default for library callers.

export interface ProgressReporter {
  /** A line for people: a run's header, a finished baseline, a chosen learning rate. */
  info(line: string): void;
  /** A milestone worth a line only where no bar shows progress (plain logs): every 10th step. */
  milestone(line: string): void;
  /** One structured event (an epoch, a step), for machine-readable logs. */
  event(type: string, data: Record<string, unknown>): void;
  /** A bar of `total` units of work named `unit`. */
  start(label: string, total: number, unit: string): void;
  /**
   * `done` units of the bar's total are finished, `computed` of them in this session (the rest
   * were restored from checkpoints), for the ETA; `status` says what is running.
   */
  update(done: number, status: string, computed?: number): void;
  /** Ends the bar (before a line is printed, or at the end). */
  stop(): void;
  /** The run's final summary, in words and, for machine-readable logs, as data. */
  summary(text: string, data?: Record<string, unknown>): void;
}

const nothing = (): void => {};

/** Reports nothing: for library calls, tests and benchmarks. */
export const silentProgress: ProgressReporter = {
  info: nothing,
  milestone: nothing,
  event: nothing,
  start: nothing,
  update: nothing,
  stop: nothing,
  summary: nothing,
};
