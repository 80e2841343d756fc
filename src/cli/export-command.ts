// `prunelab export MODEL --format onnx --out FILE`: a model (a pruned one from a study, or a
// baseline) in a format other runtimes load. The exporter loads only when asked for.
import type { Command } from 'commander';

export function addExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'write a model file (safetensors) as ONNX, for onnxruntime, PyTorch, TensorRT, ...',
    )
    .argument('<model>', 'a model file, e.g. runs/<study>/merge-s1/knee.safetensors')
    .requiredOption('--format <format>', 'onnx')
    .requiredOption('--out <file>', 'the file to write, e.g. pruned.onnx')
    .action(async (model: string, opts: { format: string; out: string }) => {
      const { exportModel } = await import('../formats/export.js');
      const done = exportModel(model, opts.format, opts.out);
      process.stdout.write(
        `${done.file}: ONNX opset 13, ${done.parameters} parameters, ${done.bytes} bytes\n`,
      );
    });
}
