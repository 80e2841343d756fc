// Progress output for long work, in four modes: bars on a TTY, one plain line per epoch or step
// when stdout is not a TTY (CI logs), nothing but the summary (--quiet), or one JSON object per
// event (--log-json). Lines stay within 80 columns.
import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../util/progress.js';

export type OutputMode = 'tty' | 'plain' | 'quiet' | 'json';

export function outputMode(opts: { quiet?: boolean; logJson?: boolean }): OutputMode {
  if (opts.logJson) return 'json';
  if (opts.quiet) return 'quiet';
  return process.stdout.isTTY ? 'tty' : 'plain';
}

export class Progress implements ProgressReporter {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = 0;
  constructor(readonly mode: OutputMode) {}

  event(type: string, data: Record<string, unknown>): void {
    if (this.mode === 'json') process.stdout.write(JSON.stringify({ event: type, ...data }) + '\n');
  }

  /** A line for humans (not in quiet or json mode). */
  info(line: string): void {
    if (this.mode === 'tty' || this.mode === 'plain') {
      if (this.bar) {
        this.bar.stop();
        this.bar = null;
      }
      process.stdout.write(line + '\n');
    }
  }

  /** A milestone line, printed only in plain logs (where no bar shows progress). */
  milestone(line: string): void {
    if (this.mode === 'plain') process.stdout.write(line + '\n');
  }

  /** The final summary: printed in every mode but json (where it is an event). */
  summary(line: string): void {
    if (this.mode === 'json') this.event('summary', { text: line });
    else process.stdout.write(line + '\n');
  }

  start(label: string, total: number, unit: string): void {
    if (this.mode !== 'tty') return;
    this.bar?.stop();
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(12).slice(0, 12)} {bar} {percentage}% {rate} ${unit}/s {status} ETA {eta_formatted}`,
        barsize: 12,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { rate: '-', status: '' });
    this.t0 = performance.now();
  }
  private t0 = 0;

  update(done: number, status: string): void {
    if (!this.bar) return;
    const now = performance.now();
    if (now - this.lastLine < 100) return;
    this.lastLine = now;
    const rate = done / ((now - this.t0) / 1000 || 1);
    // keep the whole line within 80 columns
    this.bar.update(done, {
      rate: rate >= 100 ? rate.toFixed(0) : rate.toFixed(1),
      status: status.length > 22 ? status.slice(0, 21) + '…' : status,
    });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
