// The prunelab command line: a thin layer over the library (runTrain, runStudy, writeReport, ...).
// Flags are parsed by commander (options.ts), validated by the zod schemas in src/config.ts, and
// user errors end with one clear line and exit code 2 (130 after Ctrl-C).
import { basename, dirname, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parseStudyConfig, parseTrainConfig } from '../config.js';
import { makeDir } from '../util/folders.js';
import type { DataSummary } from '../data/summary.js';
import { runLrSweep } from '../study/lr-sweep.js';
import { checkResumeOptions, newStudyDir } from '../study/run-dir.js';
import { resumeStudy, runStudy, type StudyRun } from '../study/study.js';
import { summaryData, summaryText } from '../study/summary-text.js';
import { defaultTrainDir, runTrain } from '../train/run.js';
import { packageVersion } from '../util/env.js';
import { InterruptedError, UserError } from '../util/errors.js';
import {
  addAugmentOptions,
  addDataOptions,
  addNetworkOptions,
  addRunOptions,
  addStudyOptions,
  addSweepOptions,
  addTrainingOptions,
  collect,
  num,
} from './options.js';
import { outputMode, Progress } from './progress.js';
import { addQueueCommands, queueRunner } from './queue-commands.js';
import { addExportCommand } from './export-command.js';
import { addSummaryCommand } from './summary-command.js';
import { addEvaluateCommand } from './evaluate-command.js';
import { addServeCommand, startServing } from './serve-command.js';

type Options = Record<string, unknown>;

/** The report's modules (vega, sharp) load only when a report is written: a faster start. */
async function writeReport(dir: string): Promise<string> {
  const report = await import('../report/report.js');
  return report.writeReport(dir);
}

async function studyAction(opts: Options, cmd: Command): Promise<void> {
  const progress = new Progress(outputMode(opts));
  const resume = typeof opts.resume === 'string' ? opts.resume : null;
  if (resume) checkResumeOptions(resume, collect(opts, cmd));
  const parsed = resume ? null : parseStudyConfig(collect(opts, cmd));
  // --serve: the run folder is chosen now, so that its page can be shown from the start
  const cfg = parsed && opts.serve ? { ...parsed, out: newStudyDir(parsed) } : parsed;
  const runDir = resolve(resume ?? cfg?.out ?? '.');
  if (opts.serve) makeDir(dirname(runDir));
  const served = opts.serve
    ? await startServing(dirname(runDir), {}, (line) => progress.info(line), true)
    : null;
  if (served) {
    progress.info(
      `this study, live: ${served.url}run?name=${encodeURIComponent(basename(runDir))}`,
    );
  }
  // with --queue, the tasks run on the queue's workers (src/queue/), else on this machine
  const queue = typeof opts.queue === 'string' ? opts.queue : null;
  let run: StudyRun;
  try {
    const runner = queue ? await queueRunner(queue, (line) => progress.info(line)) : undefined;
    try {
      run = cfg
        ? await runStudy(cfg, progress, { runner })
        : await resumeStudy(resume!, progress, { runner });
    } finally {
      await runner?.close();
    }
  } catch (err) {
    // a study that fails ends the server it started
    await served?.close();
    throw err;
  }
  const { dir, results } = run;
  try {
    progress.info(`report: ${await writeReport(dir)}`);
  } catch (err) {
    process.stderr.write(
      `prunelab: the report could not be written (${(err as Error).message}); ` +
        `results.json is complete, retry with: prunelab report ${dir}\n`,
    );
  }
  progress.summary(summaryText(results, dir), summaryData(results, dir));
  if (served) {
    progress.info(`the study is done; still serving at ${served.url} (Ctrl-C to stop)`);
    await new Promise((stop) => process.once('SIGINT', stop));
    await served.close();
  }
  if (results.failures?.length) {
    const lines = results.failures.map((f) => `  ${f.task}: ${f.error}`).join('\n');
    throw new UserError(
      `${results.failures.length} task(s) failed; results.json and the report hold the others:\n` +
        `${lines}\n  when the cause is outside the configuration (a file, a machine), fix it ` +
        `and continue with --resume ${dir}; when it is an option, start a new study`,
    );
  }
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
  const { train, val, test } = s.data.sizes;
  return [
    `${s.data.name}: ${s.data.source}`,
    `  ${train + val + test} images: ${train} train / ${val} val / ${test} test`,
    ...classes,
    ...attributes,
    `-> ${out}/summary.json, ${out}/figures/classes.png`,
  ].join('\n');
}

export function createCli(): Command {
  const program = new Command('prunelab')
    .description(
      "Neuron-pruning studies (the paper's LeNet-5 by default, or any network of --arch): " +
        'prune a dense layer one neuron at a time, retrain, and see how many were redundant',
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for the options)')
    // usage errors exit with 2, as every other usage error here does (see main)
    .exitOverride();

  const trainOptions = (cmd: Command, out: string) =>
    addRunOptions(
      addAugmentOptions(addTrainingOptions(addNetworkOptions(addDataOptions(cmd)))),
      out,
    );

  trainOptions(
    program
      .command('train')
      .description("train a baseline network (the paper's LeNet-5 unless --arch) and save it"),
    'runs/train-<time>',
  ).action(async (opts: Options, cmd: Command) => {
    const cfg = parseTrainConfig(collect(opts, cmd));
    await runTrain(cfg, new Progress(outputMode(opts)), cfg.out ?? defaultTrainDir());
  });

  addStudyOptions(
    trainOptions(
      program
        .command('study')
        .description(
          'the pruning study: train (or load) a baseline, prune a dense layer step by step with ' +
            'retraining, report',
        ),
      'runs/<preset>-<time>',
    ),
  )
    .option(
      '--queue <url>',
      'run the tasks on the workers of this queue (Redis), e.g. redis://host:6379',
    )
    .option('--serve', 'serve the live web view of this study (and its folder) while it runs')
    .action(studyAction);
  addQueueCommands(program);
  addServeCommand(program);
  addExportCommand(program);
  addSummaryCommand(program);

  addRunOptions(
    addDataOptions(
      program
        .command('data')
        .description(
          'summarise a dataset selection: sizes, class histograms per split, VehicleX attributes',
        ),
    ),
    'runs/data',
  ).action(async (opts: Options, cmd: Command) => {
    const cfg = parseTrainConfig(collect(opts, cmd));
    const out = cfg.out ?? 'runs/data';
    const { runDataSummary } = await import('../report/data-summary.js');
    const summary = await runDataSummary(cfg, out);
    new Progress(outputMode(opts)).summary(dataSummaryText(summary, out));
  });

  addSweepOptions(
    trainOptions(
      program
        .command('lr-sweep')
        .description(
          'train the baseline once per learning rate and tabulate the best validation accuracy ' +
            "(the paper's Table 1)",
        ),
      'runs/lr-sweep',
    ),
  ).action(async (opts: Options, cmd: Command) => {
    const lrs = (opts.lrs as number[] | undefined) ?? [0.1, 0.05, 0.01, 0.001];
    const cfg = parseTrainConfig(collect({ ...opts, lrs: undefined }, cmd));
    await runLrSweep(cfg, lrs, new Progress(outputMode(opts)), cfg.out ?? 'runs/lr-sweep');
  });

  addEvaluateCommand(program);

  program
    .command('predict')
    .description('the class and class probabilities of image files, preprocessed as in training')
    .argument('<model>', 'a model file saved by prunelab')
    .argument('<images...>', 'image files (JPEG, PNG, WebP)')
    .option('--top <k>', 'classes shown per image (default: 3)', num('--top', 'int'))
    .option('--log-json', 'print one JSON object per image')
    .action(async (model: string, images: string[], opts: Options) => {
      const { predictImages } = await import('../inference/predict.js');
      const top = (opts.top as number | undefined) ?? 3;
      for (const p of await predictImages(model, images)) {
        if (opts.logJson) process.stdout.write(JSON.stringify(p) + '\n');
        else {
          const ranked = p.probabilities.slice(0, top);
          const rest = ranked.map((r) => `${r.class} ${r.probability.toFixed(3)}`).join(', ');
          process.stdout.write(`${p.file}: ${p.class} (${rest})\n`);
        }
      }
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
    if (err instanceof CommanderError) {
      // commander has printed its message (or the help, or the version)
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (!(err instanceof UserError)) throw err;
    const interrupted = err instanceof InterruptedError;
    process.stderr.write(`${interrupted ? '\n' : ''}prunelab: ${err.message}\n`);
    process.exitCode = interrupted ? 130 : 2;
  }
}
