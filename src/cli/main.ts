// The prunelab command line: a thin layer over the library (runTrain, runStudy, writeReport, ...).
// Flags are parsed by commander (options.ts), validated by the zod schemas in src/config.ts, and
// user errors end with one clear line and exit code 2 (130 after Ctrl-C).
import { Command } from 'commander';
import { parseStudyConfig, parseTrainConfig } from '../config.js';
import type { DataSummary } from '../data/summary.js';
import { runLrSweep } from '../study/lr-sweep.js';
import { resumeStudy, runStudy } from '../study/study.js';
import { summaryText } from '../study/summary-text.js';
import { runTrain } from '../train/run.js';
import { packageVersion } from '../util/env.js';
import { InterruptedError, UserError } from '../util/errors.js';
import { addStudyOptions, addTrainOptions, collect, num } from './options.js';
import { outputMode, Progress } from './progress.js';

type Options = Record<string, unknown>;

/** The report's modules (vega, sharp) load only when a report is written: a faster start. */
async function writeReport(dir: string): Promise<string> {
  const report = await import('../report/report.js');
  return report.writeReport(dir);
}

async function studyAction(opts: Options, cmd: Command): Promise<void> {
  const progress = new Progress(outputMode(opts));
  const { dir, results } =
    typeof opts.resume === 'string'
      ? await resumeStudy(opts.resume, progress)
      : await runStudy(parseStudyConfig(collect(opts, cmd)), progress);
  try {
    progress.info(`report: ${await writeReport(dir)}`);
  } catch (err) {
    process.stderr.write(
      `prunelab: the report could not be written (${(err as Error).message}); ` +
        `results.json is complete, retry with: prunelab report ${dir}\n`,
    );
  }
  progress.summary(summaryText(results, dir));
}

function dataSummaryText(s: DataSummary, out: string): string {
  const counts = s.data.classCounts;
  const count = (n: number) => String(n).padStart(5);
  const classes = s.data.classes.map(
    (c, i) =>
      `  ${c.padEnd(20).slice(0, 20)} train ${count(counts.train[i])}  ` +
      `val ${count(counts.val[i])}  test ${count(counts.test[i])}`,
  );
  const attributes = Object.entries(s.attributes).map(([key, perClass]) => {
    const values = new Set(Object.values(perClass).flatMap((v) => Object.keys(v)));
    return `  ${key}: ${values.size} value(s) over the classes (counts per class in summary.json)`;
  });
  return [
    `${s.data.name}: ${s.data.source}`,
    ...classes,
    ...attributes,
    `-> ${out}/summary.json, ${out}/figures/classes.png`,
  ].join('\n');
}

export function createCli(): Command {
  const program = new Command('prunelab')
    .description(
      'Neuron pruning studies for LeNet-5: prune a dense layer one neuron at a time, retrain, ' +
        'and see how many neurons were redundant',
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for the options)');

  addTrainOptions(
    program.command('train').description('train a LeNet-5 baseline and save it'),
  ).action(async (opts: Options, cmd: Command) => {
    const cfg = parseTrainConfig(collect(opts, cmd));
    await runTrain(cfg, new Progress(outputMode(opts)), cfg.out ?? 'runs/baseline');
  });

  addStudyOptions(
    addTrainOptions(
      program
        .command('study')
        .description(
          'the pruning study: train (or load) a baseline, prune a dense layer step by step with ' +
            'retraining, report',
        ),
    ),
  ).action(studyAction);

  addTrainOptions(
    program
      .command('data')
      .description(
        'summarise a dataset selection: sizes, class histograms per split, VehicleX attributes',
      ),
  ).action(async (opts: Options, cmd: Command) => {
    const cfg = parseTrainConfig(collect(opts, cmd));
    const out = cfg.out ?? 'runs/data';
    const { runDataSummary } = await import('../report/data-summary.js');
    const summary = await runDataSummary(cfg, out);
    new Progress(outputMode(opts)).summary(dataSummaryText(summary, out));
  });

  addTrainOptions(
    program
      .command('lr-sweep')
      .description(
        'train the baseline once per learning rate and tabulate the best validation accuracy ' +
          "(the paper's Table 1)",
      ),
  )
    .option(
      '--lrs <list>',
      'learning rates, comma-separated (default 0.1,0.05,0.01,0.001)',
      (v: string) => v.split(',').map((x) => num('--lrs', 'float')(x.trim())),
    )
    .action(async (opts: Options, cmd: Command) => {
      const lrs = (opts.lrs as number[] | undefined) ?? [0.1, 0.05, 0.01, 0.001];
      const cfg = parseTrainConfig(collect({ ...opts, lrs: undefined }, cmd));
      await runLrSweep(cfg, lrs, new Progress(outputMode(opts)), cfg.out ?? 'runs/lr-sweep');
    });

  program
    .command('report')
    .description('(re)write the figures and report.html of a run directory from its results.json')
    .argument('<dir>', 'run directory')
    .action(async (dir: string) => {
      process.stdout.write(`report: ${await writeReport(dir)}\n`);
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await createCli().parseAsync(argv);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const interrupted = err instanceof InterruptedError;
    process.stderr.write(`${interrupted ? '\n' : ''}prunelab: ${err.message}\n`);
    process.exitCode = interrupted ? 130 : 2;
  }
}
