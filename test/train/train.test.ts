// `prunelab train` end to end on real data, determinism, safetensors round trips, the IDX reader,
// and the clear errors of bad input (through the real CLI).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/util/progress.js';
import { parseTrainConfig } from '../../src/config.js';
import { loadData } from '../../src/data/index.js';
import { loadModel } from '../../src/nn/model-io.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/safetensors.js';
import { lenet5, Network } from '../../src/nn/network.js';
import { runTrain } from '../../src/train/run.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
type TrainResults = Awaited<ReturnType<typeof runTrain>>;
const readTrainResults = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as TrainResults;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('prunelab train', () => {
  const cfg = parseTrainConfig({
    trainSize: 1000,
    valSize: 300,
    testSize: 500,
    epochs: 4,
    lr: 0.05,
  });
  let first: Awaited<ReturnType<typeof runTrain>>;

  it('reaches a stated accuracy on a small real subset and writes results.json and model.safetensors', async () => {
    first = await runTrain(cfg, silentProgress, join(tmp, 'a'));
    expect(first.testAccuracy).toBeGreaterThan(0.65);
    const r = readTrainResults(join(tmp, 'a'));
    expect(r.schema).toBe('prunelab.train/1');
    expect(Object.keys(r.history[0])).toEqual(
      expect.arrayContaining(['trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy']),
    );
    expect(r.history).toHaveLength(4);
    expect(r.environment.node).toBe(process.version);
    expect(r.timings.trainSeconds).toBeGreaterThan(0);
  });

  it('gives identical numbers for the same seed, on one thread or two', async () => {
    const again = await runTrain({ ...cfg, threads: 1 }, silentProgress);
    expect(again.history.map((h) => [h.trainLoss, h.valAccuracy])).toEqual(
      first.history.map((h) => [h.trainLoss, h.valAccuracy]),
    );
    expect(again.testAccuracy).toBe(first.testAccuracy);
  });

  it('trains LeNet-300-100 to the same numbers on two threads (its first layer split) as on one', async () => {
    const mlp = { ...cfg, arch: 'lenet-300-100', epochs: 2, lr: 0.1 };
    const two = await runTrain({ ...mlp, threads: 2 }, silentProgress);
    const one = await runTrain({ ...mlp, threads: 1 }, silentProgress);
    expect(two.history.map((h) => [h.trainLoss, h.valAccuracy])).toEqual(
      one.history.map((h) => [h.trainLoss, h.valAccuracy]),
    );
    expect(two.testAccuracy).toBe(one.testAccuracy);
    expect(two.testAccuracy).toBeGreaterThan(0.65);
  });

  it('saves weights that read back to identical logits, under PyTorch names and layouts', async () => {
    const net = loadModel(join(tmp, 'a', 'model.safetensors'), 16, 'wasm');
    const data = await loadData({ ...cfg, seed: 1 });
    net.input.set(data.test.x.subarray(0, 16 * 1024));
    const logits = Array.from(net.forward(16).subarray(0, 160));
    const { state, metadata } = decodeSafetensors(
      readFileSync(join(tmp, 'a', 'model.safetensors')),
    );
    expect([...state.keys()]).toEqual([
      'conv1.weight',
      'conv1.bias',
      'conv2.weight',
      'conv2.bias',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
      'fc3.weight',
      'fc3.bias',
    ]);
    expect(state.get('conv1.weight')!.shape).toEqual([6, 1, 5, 5]);
    expect(state.get('fc2.weight')!.shape).toEqual([84, 120]);
    expect(metadata.format).toBe('pt');
    // the header is 8-byte aligned and tensors are contiguous F32, as safetensors requires
    const buf = readFileSync(join(tmp, 'a', 'model.safetensors'));
    expect(Number(buf.readBigUInt64LE(0)) % 8).toBe(0);
    const twin = new Network(lenet5(), 16, 'wasm');
    twin.setState(decodeSafetensors(encodeSafetensors(net.getState())).state);
    twin.input.set(data.test.x.subarray(0, 16 * 1024));
    expect(Array.from(twin.forward(16).subarray(0, 160))).toEqual(logits);
  });
});

function idx(images: Uint8Array, labels: Uint8Array, n: number): { img: Buffer; lab: Buffer } {
  const img = Buffer.alloc(16 + n * 784),
    lab = Buffer.alloc(8 + n);
  img.writeUInt32BE(0x803, 0);
  img.writeUInt32BE(n, 4);
  img.writeUInt32BE(28, 8);
  img.writeUInt32BE(28, 12);
  Buffer.from(images).copy(img, 16);
  lab.writeUInt32BE(0x801, 0);
  lab.writeUInt32BE(n, 4);
  Buffer.from(labels).copy(lab, 8);
  return { img, lab };
}

describe('IDX files', () => {
  it('reads gzipped and plain IDX files and keeps the published test split', async () => {
    const dir = join(tmp, 'idx');
    mkdirSync(dir);
    const mk = (n: number, seed: number) => ({
      images: new Uint8Array(n * 784).map((_, i) => (i * seed) % 251),
      labels: new Uint8Array(n).map((_, i) => i % 10),
    });
    const tr = mk(200, 7),
      te = mk(50, 13);
    const a = idx(tr.images, tr.labels, 200),
      b = idx(te.images, te.labels, 50);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(a.img));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(a.lab));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), b.img);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), b.lab);
    const d = await loadData({
      dataset: 'idx',
      data: dir,
      trainSize: 0,
      valSize: 20,
      testSize: 0,
      seed: 1,
    });
    expect([d.train.n, d.val.n, d.test.n]).toEqual([180, 20, 50]);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), b.lab.subarray(0, 30));
    await expect(
      loadData({ dataset: 'idx', data: dir, trainSize: 0, valSize: 20, testSize: 0, seed: 1 }),
    ).rejects.toThrow(/truncated/);
  });
});

describe('bad input gets a clear error (CLI)', () => {
  it('an unknown dataset name', () => {
    const r = cli('train', '--dataset', 'cifar', '--epochs', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /unknown dataset "cifar"; choose one of fashion-mnist, mnist, idx, folder, vehicle-x/,
    );
  });
  it('a missing IDX folder', () => {
    const r = cli('train', '--dataset', 'idx', '--data', join(tmp, 'nowhere'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/data folder .*nowhere does not exist/);
  });
  it('malformed flag values and configs', () => {
    const a = cli('train', '--lr', 'fast');
    expect(a.status).not.toBe(0);
    expect(a.stderr).toMatch(/--lr expects a number, got "fast"/);
    const b = cli('train', '--batch', '0');
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--batch: .*>=1/);
    writeFileSync(join(tmp, 'bad.json'), '{"lr": 0.01,');
    const c = cli('train', '--config', join(tmp, 'bad.json'));
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/bad\.json is not a JSON object/);
    writeFileSync(join(tmp, 'unknown.json'), '{"lrr": 0.01}');
    expect(cli('train', '--config', join(tmp, 'unknown.json')).stderr).toMatch(
      /unknown option "lrr"; did you mean "lr" \(--lr\)\?/,
    );
  });
  it('merges a --config file under the flags actually given', () => {
    writeFileSync(
      join(tmp, 'cfg.json'),
      JSON.stringify({ trainSize: 200, valSize: 50, testSize: 50, epochs: 3, augment: false }),
    );
    const out = join(tmp, 'from-config');
    const r = cli(
      'train',
      '--config',
      join(tmp, 'cfg.json'),
      '--epochs',
      '1',
      '--out',
      out,
      '--quiet',
    );
    expect(r.status, r.stderr).toBe(0);
    const res = readTrainResults(out);
    expect(res.history).toHaveLength(1); // the flag wins
    expect(res.data.sizes).toEqual({ train: 200, val: 50, test: 50 }); // the file's sizes
    expect(res.config.augment).toBe(false); // not overridden by the default of --no-augment
  });

  it('a diverging learning rate stops with the epoch and the rate, and writes nothing', () => {
    const out = join(tmp, 'diverged');
    const r = cli(
      'train',
      '--train-size',
      '300',
      '--val-size',
      '50',
      '--test-size',
      '50',
      '--lr',
      '1e6',
      '--epochs',
      '3',
      '--out',
      out,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /training diverged in epoch 1 \((mean )?loss [^)]*\) with learning rate 1000000; try a smaller one, e\.g\. --lr 100000/,
    );
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });
});
