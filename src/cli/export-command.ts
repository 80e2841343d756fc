// `prunelab export MODEL --format onnx --out FILE`: a model (a pruned one from a study, a
// baseline, or a PyTorch state dict with --arch) in a format other runtimes load. The exporter
// loads only when asked for.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { runModelFile } from '../study/run-models.js';
import { num } from './options.js';

interface ExportFlags {
  format: string;
  out: string;
  arch?: string;
  criterion?: string;
  seed?: number;
  at?: string;
}

export function addExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'write a model file (safetensors) as ONNX, for onnxruntime, PyTorch, TensorRT, ...',
    )
    .argument('<model>', 'a model file (runs/<study>/merge-s1/knee.safetensors) or a study folder')
    .requiredOption('--format <format>', 'onnx or tfjs (a TensorFlow.js LayersModel folder)')
    .requiredOption(
      '--out <path>',
      'the file (pruned.onnx) or, for tfjs, the folder (web-model/) to write',
    )
    .option('--criterion <name>', "with a study folder: the criterion's run")
    .option(
      '--seed <n>',
      'with a study folder: the run of this seed (default 1)',
      num('--seed', 'int'),
    )
    .option('--at <which>', 'with a study folder: knee (default), final, baseline or step-N')
    .option('--arch <name|file>', "a model file's architecture, when the file does not say it")
    .action(async (model: string, opts: ExportFlags) => {
      const { exportModel } = await import('../formats/export.js');
      const file = statSync(model, { throwIfNoEntry: false })?.isDirectory()
        ? runModelFile(model, opts)
        : model;
      let arch;
      if (opts.arch) {
        const { readModelState } = await import('../formats/model-files.js');
        const { modelArchitecture } = await import('../train/network-choice.js');
        const { state, metadata } = readModelState(file);
        arch = modelArchitecture({ arch: opts.arch, output: 'softmax' }, state, metadata, file);
      }
      const done = exportModel(file, opts.format, opts.out, arch);
      process.stdout.write(
        `${file} -> ${done.file}: ${opts.format === 'onnx' ? 'ONNX opset 13' : 'TensorFlow.js LayersModel'}, ` +
          `${done.parameters} parameters, ${done.bytes} bytes\n`,
      );
    });
}
