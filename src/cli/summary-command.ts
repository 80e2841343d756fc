// `prunelab summary MODEL_OR_ARCH`: a network's layer table (as Keras' model.summary() or
// torchinfo print it), for a model file or for an architecture named as --arch names it.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parseTrainConfig } from '../config.js';
import { collect } from './options.js';

const MODEL_FILE = /\.(safetensors|onnx)$/i;

export function addSummaryCommand(program: Command): void {
  program
    .command('summary')
    .description("a network's layers: name, kind, output shape, parameters, FLOPs")
    .argument(
      '<model-or-arch>',
      'a model file (safetensors or ONNX), or an architecture: a preset (lenet5, lenet5-caffe, ' +
        'lenet-300-100, ...), mlp:784-300-100-10, or a JSON spec file',
    )
    .option('--arch <name|file>', "a model file's architecture, when the file does not say it")
    .option('--input <size>', 'input size, e.g. 28 or 28x28')
    .option('--channels <n>', 'input channels: 1 or 3', Number)
    .option('--classes <n>', 'classes, for a preset (default: 10)', Number)
    .action(async (target: string, opts: Record<string, unknown>, cmd: Command) => {
      const { summaryTable } = await import('../nn/summary.js');
      const { classes, ...rest } = opts;
      const cfg = parseTrainConfig(collect(rest, cmd));
      let arch;
      if (MODEL_FILE.test(target) || (existsSync(target) && !target.endsWith('.json'))) {
        const { openModel } = await import('../inference/model-file.js');
        arch = openModel(target, 1, cfg).net.arch;
      } else {
        const { resolveArchitecture } = await import('../nn/arch-spec.js');
        const { inputRequest } = await import('../train/network-choice.js');
        const request = {
          classes: classes as number | undefined,
          input: inputRequest(cfg),
        };
        arch = resolveArchitecture(target, request);
      }
      process.stdout.write(`${summaryTable(arch)}\n`);
    });
}
