// `prunelab evaluate MODEL`: a saved model's accuracy, loss, per-class accuracy and confusion
// matrix, on the split of the run the model came from (src/data/run-split.ts) unless flags
// choose other data.
import { Option, type Command } from 'commander';
import { parseTrainConfig } from '../config.js';
import type { Evaluation, SplitName } from '../inference/evaluate.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { addDataOptions, addNetworkOptions, collect } from './options.js';

type Options = Record<string, unknown>;

function evaluationText(e: Evaluation): string {
  const width = Math.max(5, ...e.classes.map((c) => c.length));
  const name = (c: string) => c.padEnd(width).slice(0, width);
  const rows = e.perClass.map(
    (p, c) =>
      `  ${name(p.class)} ${String(p.images).padStart(6)} ${p.accuracy.toFixed(4).padStart(8)}  ` +
      e.confusion[c].map((n) => String(n).padStart(5)).join(''),
  );
  return [
    `${e.model} on ${e.dataset} (${e.split}, ${e.images} images` +
      (e.splitOf ? ` of the split of ${e.splitOf}` : '') +
      `): accuracy ${e.accuracy.toFixed(4)}, loss ${e.loss.toFixed(4)}`,
    `  ${'class'.padEnd(width)} ${'images'.padStart(6)} ${'accuracy'.padStart(8)}  ` +
      'predicted as (columns in class order)',
    ...rows,
  ].join('\n');
}

export function addEvaluateCommand(program: Command): void {
  addNetworkOptions(
    addDataOptions(
      program
        .command('evaluate')
        .description(
          "a saved model's accuracy, loss, per-class accuracy and confusion matrix on a dataset",
        )
        .argument('<model>', 'a model file (model.safetensors, knee.safetensors, .onnx, ...)'),
    ),
  )
    .addOption(
      new Option('--split <name>', 'which split (default: test)').choices(['train', 'val', 'test']),
    )
    .option('--out <file>', 'also write the evaluation as JSON to this file')
    .option('--config <file>', 'JSON file of options, keys as the flags (flags override it)')
    .option('--log-json', 'print the evaluation as one JSON object')
    .action(async (model: string, opts: Options, cmd: Command) => {
      const { out, split, ...rest } = opts;
      // the model's own run's split, where flags do not say otherwise; other data (--dataset,
      // --data) takes none of it, and a split with any option changed is no longer the run's
      const { runDataSelection, SPLIT_OPTIONS } = await import('../data/run-split.js');
      const given = collect(rest, cmd);
      const found = runDataSelection(model);
      const own = found && !('dataset' in given || 'data' in given) ? found : null;
      const cfg = parseTrainConfig({ ...own?.selection, ...given });
      const same = own && SPLIT_OPTIONS.every((key) => !(key in given));
      const { evaluateModel } = await import('../inference/evaluate.js');
      const evaluation = await evaluateModel(
        model,
        cfg,
        (split as SplitName | undefined) ?? 'test',
      );
      const result = same ? { ...evaluation, splitOf: own.run } : evaluation;
      if (typeof out === 'string') writeJsonAtomic(out, result);
      if (opts.logJson) process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(evaluationText(result) + '\n');
    });
}
