// The layer table of `prunelab summary`: per layer what Keras' model.summary() shows, with totals
// equal to the network's parameter count and forward FLOPs; the command reads safetensors and ONNX
// files and the paper's preset.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forwardFlops, lenet5, parameterCount } from '../../src/nn/architecture.js';
import { layerTable } from '../../src/nn/summary.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('the layer table', () => {
  it("adds up to the network's parameters and FLOPs, with the paper's LeNet-5 sizes", () => {
    const arch = lenet5({ fc2: 60 });
    const rows = layerTable(arch);
    expect(rows.reduce((n, r) => n + r.parameters, 0)).toBe(parameterCount(arch));
    expect(rows.reduce((n, r) => n + r.flops, 0)).toBe(forwardFlops(arch));
    expect(rows[0]).toEqual({
      name: 'conv1',
      kind: 'conv 5x5',
      output: [6, 28, 28],
      parameters: 156,
      flops: 235200,
    });
    expect(rows.find((r) => r.name === 'fc2')).toMatchObject({
      output: [60, 1, 1],
      parameters: 7260,
    });
    expect(parameterCount(lenet5())).toBe(61706);
  });

  it('is printed for a preset, a PyTorch ONNX file, and refused for a missing file', () => {
    expect(cli('summary', 'lenet5').stdout).toMatch(/total\s+61706\s+833040/);
    const onnx = cli('summary', join(__dirname, '..', 'fixtures', 'onnx', 'lenet5-view-op17.onnx'));
    expect(onnx.stdout).toMatch(/classifier\.3\s+dense\s+84\s+10164/);
    const missing = cli('summary', 'nope.safetensors');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/model file nope\.safetensors not found/);
    // every preset and the MLP shorthand, with their known sizes
    expect(cli('summary', 'lenet5-caffe').stdout).toMatch(/total\s+431080\s/);
    expect(cli('summary', 'lenet-300-100').stdout).toMatch(/total\s+266610\s/);
    const pad = cli('summary', 'lenet5-pad').stdout;
    expect(pad).toMatch(/input\s+1x28x28/);
    expect(pad).toMatch(/conv1\s+conv 5x5 pad 2\s+6x28x28/);
    expect(cli('summary', 'mlp:3072-64-5:sigmoid').stdout).toMatch(/input\s+3x32x32/);
    const unknown = cli('summary', 'lenet5-cafe');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /unknown architecture "lenet5-cafe" \(did you mean lenet5-caffe\?\)/,
    );
  });
});
