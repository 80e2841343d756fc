// The command line's flags: the options every training command shares, the study's own, and how
// flags merge with a --config file (the flags actually given win). Values are validated later by
// the zod schemas of src/config.ts.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CRITERIA, readConfigFile } from '../config.js';

export function num(flag: string, kind: 'int' | 'float') {
  return (v: string) => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || (kind === 'int' && !Number.isInteger(x))) {
      throw new InvalidArgumentError(
        `${flag} expects ${kind === 'int' ? 'a whole number' : 'a number'}, got "${v}"`,
      );
    }
    return x;
  };
}

export function addTrainOptions(cmd: Command): Command {
  return cmd
    .option(
      '--dataset <name>',
      'fashion-mnist (default), mnist, idx, folder or vehicle-x (the last three with --data)',
    )
    .option(
      '--data <dir>',
      'folder holding the dataset (IDX files, class folders, or a VehicleX release)',
    )
    .option(
      '--ids <list>',
      'vehicle-x: vehicle IDs to classify, e.g. 1-10 or 1,2,5 (default: the first 10)',
    )
    .option('--first-ids <n>', 'vehicle-x: the first n vehicle IDs', num('--first-ids', 'int'))
    .option('--skip-bad-images', 'skip corrupt images (counted) instead of stopping')
    .option(
      '--features-as-images',
      'vehicle-x feature release: reshape each 2048-value vector to a 1x32x64 input',
    )
    .option('--no-augment', 'image datasets: no training-time augmentation')
    .option(
      '--flip <p>',
      'augmentation: horizontal flip probability (default 0.5)',
      num('--flip', 'float'),
    )
    .option(
      '--rotation <deg>',
      'augmentation: random rotation within +-deg (default 10)',
      num('--rotation', 'float'),
    )
    .option(
      '--brightness <b>',
      'augmentation: brightness jitter (default 0.2)',
      num('--brightness', 'float'),
    )
    .option(
      '--contrast <c>',
      'augmentation: contrast jitter (default 0.2)',
      num('--contrast', 'float'),
    )
    .option(
      '--saturation <s>',
      'augmentation: saturation jitter (default 0.2)',
      num('--saturation', 'float'),
    )
    .option('--train-size <n>', 'training images (0 = all that remain)', num('--train-size', 'int'))
    .option('--val-size <n>', 'validation images', num('--val-size', 'int'))
    .option('--test-size <n>', 'test images', num('--test-size', 'int'))
    .option(
      '--lr <rate>',
      'SGD learning rate (default 0.01; study: "auto" runs a sweep first)',
      (v: string) => (v === 'auto' ? v : num('--lr', 'float')(v)),
    )
    .option('--batch <n>', 'minibatch size (default 16)', num('--batch', 'int'))
    .option('--epochs <n>', 'training epochs', num('--epochs', 'int'))
    .option(
      '--momentum <m>',
      'SGD momentum (default 0, as in the paper)',
      num('--momentum', 'float'),
    )
    .option('--weight-decay <w>', 'L2 weight decay (default 0)', num('--weight-decay', 'float'))
    .option(
      '--patience <n>',
      'early stopping after n epochs without a better validation accuracy (0 = off)',
      num('--patience', 'int'),
    )
    .option('--seed <n>', 'seed for every random choice (default 1)', num('--seed', 'int'))
    .option('--threads <n>', 'worker threads (default: one per core)', num('--threads', 'int'))
    .addOption(
      new Option(
        '--output <kind>',
        'output layer: softmax cross-entropy, or one-vs-rest sigmoid',
      ).choices(['softmax', 'sigmoid']),
    )
    .addOption(new Option('--backend <kind>', 'kernels').choices(['auto', 'wasm', 'reference']))
    .option('--config <file>', 'JSON file of options (flags override it)')
    .option('--out <dir>', 'run directory for results')
    .option('--quiet', 'print only the final summary')
    .option('--log-json', 'print one JSON object per event');
}

const META = new Set(['config', 'quiet', 'logJson', 'resume']);

/**
 * Config file values, overridden by the flags actually given (not commander's defaults for --no-x
 * flags).
 */
export function collect(opts: Record<string, unknown>, cmd?: Command): Record<string, unknown> {
  const out: Record<string, unknown> = { ...readConfigFile(opts.config as string | undefined) };
  for (const [k, v] of Object.entries(opts)) {
    if (v === undefined || META.has(k) || cmd?.getOptionValueSource(k) === 'default') continue;
    out[k] = v;
  }
  if (out.lr === 'auto') {
    delete out.lr;
    out.lrAuto = true;
  }
  return out;
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The flags of `prunelab study` beyond the training ones. */
export function addStudyOptions(cmd: Command): Command {
  return cmd
    .option(
      '--criterion <list>',
      `criteria, comma-separated: ${CRITERIA.join(',')} (default: all)`,
      list,
    )
    .option('--strategy <list>', 'the old name of --criterion (read until version 0.3)', list)
    .option('--seeds <n>', 'independent repetitions (seeds seed..seed+n-1)', num('--seeds', 'int'))
    .option(
      '--retrain-epochs <n>',
      'retraining epochs after each removal',
      num('--retrain-epochs', 'int'),
    )
    .option('--per-step <k>', 'neurons removed per step', num('--per-step', 'int'))
    .option('--layer <name>', 'dense layer to prune (default: the penultimate, fc2)')
    .option(
      '--max-pruned <n>',
      'stop after pruning n neurons (0 = all but one)',
      num('--max-pruned', 'int'),
    )
    .option(
      '--tolerance <t>',
      'accuracy drop that still counts as "no loss" for the knee (default 0.01)',
      num('--tolerance', 'float'),
    )
    .option(
      '--patterns <n>',
      'training images used as the pattern set for activation vectors (0 = all)',
      num('--patterns', 'int'),
    )
    .option(
      '--model <file>',
      'prune this trained model (model.safetensors) instead of training a baseline',
    )
    .option('--no-control', 'skip the budget-matched control run')
    .option(
      '--lrs <list>',
      'learning rates tried by --lr auto (default 0.1,0.05,0.01,0.001)',
      (v: string) => v.split(',').map((x) => num('--lrs', 'float')(x.trim())),
    )
    .option(
      '--compensate',
      'compensate every removal by least squares (as the merge criterion does), whatever the criterion',
    )
    .addOption(
      new Option(
        '--preset <name>',
        "quick (default, minutes) or paper (the paper's protocol, about half an hour on 2 cores)",
      ).choices(['quick', 'paper']),
    )
    .option('--resume <dir>', 'continue an interrupted study in this run directory');
}
