// Progress output for long work, in four modes: a bar on a TTY (kept across the lines printed
// above it), one plain line per epoch or milestone when stdout is not a TTY (CI logs), nothing but
// the summary (--quiet), or one JSON object per event (--log-json). Lines stay within 80 columns.
// The ETA is this session's rate of work applied to the work left.
import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../util/progress.js';

export type OutputMode = 'tty' | 'plain' | 'quiet' | 'json';

export function outputMode(opts: { quiet?: unknown; logJson?: unknown }): OutputMode {
  if (opts.logJson) return 'json';
  if (opts.quiet) return 'quiet';
  return process.stdout.isTTY ? 'tty' : 'plain';
}

/** "1h 02m", "3m 20s", "45s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  if (s >= 3600)
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

interface BarState {
  label: string;
  total: number;
  unit: string;
  done: number;
  status: string;
  eta: string;
  t0: number;
}

export class Progress implements ProgressReporter {
  private bar: cliProgress.SingleBar | null = null;
  private state: BarState | null = null;
  private lastDraw = 0;
  constructor(readonly mode: OutputMode) {}

  event(type: string, data: Record<string, unknown>): void {
    if (this.mode === 'json') process.stdout.write(JSON.stringify({ event: type, ...data }) + '\n');
  }

  /** A line for humans (not in quiet or json mode), printed above the bar, which stays. */
  info(line: string): void {
    if (this.mode !== 'tty' && this.mode !== 'plain') return;
    this.bar?.stop();
    this.bar = null;
    process.stdout.write(line + '\n');
    if (this.state) this.draw(this.state);
  }

  /** A milestone line, printed only in plain logs (where no bar shows progress). */
  milestone(line: string): void {
    if (this.mode === 'plain') process.stdout.write(line + '\n');
  }

  /** The final summary: printed in every mode but json, where it is an event with its data. */
  summary(text: string, data: Record<string, unknown> = {}): void {
    if (this.mode === 'json') this.event('summary', { ...data, text });
    else process.stdout.write(text + '\n');
  }

  start(label: string, total: number, unit: string): void {
    if (this.mode !== 'tty') return;
    this.stop();
    this.state = { label, total, unit, done: 0, status: '', eta: '-', t0: performance.now() };
    this.draw(this.state);
  }

  private draw(state: BarState): void {
    const label = state.label.padEnd(12).slice(0, 12);
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% {status} ETA {etaText}`,
        barsize: 14,
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(state.total, state.done, { status: state.status, etaText: state.eta });
  }

  update(done: number, status: string, computed = done): void {
    const state = this.state;
    if (!state || !this.bar) return;
    state.done = done;
    state.status = status.length > 30 ? status.slice(0, 29) + '…' : status;
    const elapsed = (performance.now() - state.t0) / 1000;
    if (computed > 0 && elapsed > 1) {
      state.eta = formatDuration((elapsed * (state.total - done)) / computed);
    }
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < state.total) return;
    this.lastDraw = now;
    this.bar.update(done, { status: state.status, etaText: state.eta });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
    this.state = null;
  }
}
