// Inference benchmark: the baseline LeNet-5 and a pruned one (fc2 at 10 of 84 units), each
// exported as ONNX, run by prunelab's engine and by onnxruntime-node on the same file and images,
// in alternation over BENCH_ROUNDS rounds (default 3), best of each: throughput at batch 128 on one
// thread and two (prunelab: its data-parallel helper; onnxruntime: intraOpNumThreads), and the
// median latency of one image. onnxruntime-node is installed on demand, as the tests do
// (node_modules/.cache/prunelab-test-peers); without it the benchmark says so and stops. The last
// line is one JSON object.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModelAs } from '../dist/formats/export.js';
import { loadModelFile } from '../dist/formats/model-files.js';
import { lenet5, Network } from '../dist/nn/network.js';
import { removeUnits } from '../dist/prune/surgery.js';
import { DataParallel } from '../dist/train/parallel.js';
import { evaluate } from '../dist/train/evaluation.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const N = 4096;
const root = fileURLToPath(new URL('..', import.meta.url));
const peers = join(root, 'node_modules', '.cache', 'prunelab-test-peers');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-bench-inference-'));

/** onnxruntime-node, installed first if need be (its GPU-provider download skipped). */
function onnxruntime() {
  if (!existsSync(join(peers, 'node_modules', 'onnxruntime-node'))) {
    mkdirSync(peers, { recursive: true });
    const deps = { 'onnxruntime-node': '1.30.0', '@tensorflow/tfjs': '4.22.0' };
    writeFileSync(
      join(peers, 'package.json'),
      JSON.stringify({ name: 'peers', private: true, dependencies: deps }),
    );
    const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
    spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], {
      cwd: peers,
      env,
    });
  }
  try {
    return createRequire(join(peers, 'package.json'))('onnxruntime-node');
  } catch {
    return null;
  }
}

const ort = onnxruntime();
if (!ort) {
  console.log('inference benchmark SKIPPED: onnxruntime-node could not be installed');
  process.exit(0);
}

const x = new Float32Array(N * 1024);
let seed = 1;
for (let i = 0; i < x.length; i++) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  x[i] = (seed / 4294967296) * 2 - 1;
}
const split = { x, y: new Uint8Array(N), n: N };
const median = (/** @type {number[]} */ xs) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The two models, as ONNX files. */
function models() {
  const base = new Network(lenet5(), 128, 'wasm');
  base.initialize(1);
  const pruned = removeUnits(
    base,
    'fc2',
    Array.from({ length: 74 }, (_, k) => k),
  );
  const files = { baseline: join(tmp, 'baseline.onnx'), pruned: join(tmp, 'pruned.onnx') };
  writeModelAs(base, 'onnx', files.baseline, {});
  writeModelAs(pruned, 'onnx', files.pruned, {});
  return files;
}

/**
 * prunelab: images/s at batch 128 on `threads`, and one image's latency (µs).
 * @param {string} file
 * @param {number} threads
 */
async function ours(file, threads) {
  const net = loadModelFile(file, 128, 'wasm');
  const dp = threads > 1 ? await DataParallel.create(net, 128) : null;
  evaluate(net, split, dp);
  const t = performance.now();
  evaluate(net, split, dp);
  const rate = N / ((performance.now() - t) / 1000);
  await dp?.close();
  const times = [];
  net.input.set(x.subarray(0, 1024));
  for (let k = 0; k < 200; k++) {
    const s = performance.now();
    net.forward(1, { evaluating: true });
    times.push(performance.now() - s);
  }
  return { rate, latencyUs: median(times) * 1000 };
}

/** onnxruntime: the same. @param {string} file @param {number} threads */
async function theirs(file, threads) {
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' };
  const session = await ort.InferenceSession.create(file, options);
  const run = async (/** @type {number} */ s, /** @type {number} */ b) =>
    session.run({
      input: new ort.Tensor('float32', x.subarray(s * 1024, (s + b) * 1024), [b, 1, 32, 32]),
    });
  for (let s = 0; s < N; s += 128) await run(s, 128);
  const t = performance.now();
  for (let s = 0; s < N; s += 128) await run(s, 128);
  const rate = N / ((performance.now() - t) / 1000);
  const times = [];
  for (let k = 0; k < 200; k++) {
    const s = performance.now();
    await run(0, 1);
    times.push(performance.now() - s);
  }
  await session.release();
  return { rate, latencyUs: median(times) * 1000 };
}

const files = models();
/** @type {Record<string, { rate: number, latencyUs: number }>} */
const best = {};
const keep = (/** @type {string} */ key, /** @type {{ rate: number, latencyUs: number }} */ r) => {
  const b = (best[key] ??= { rate: 0, latencyUs: Infinity });
  b.rate = Math.max(b.rate, r.rate);
  b.latencyUs = Math.min(b.latencyUs, r.latencyUs);
};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, file] of Object.entries(files)) {
    for (const threads of [1, 2]) {
      // alternate which side goes first
      const order = round % 2 ? ['onnxruntime', 'prunelab'] : ['prunelab', 'onnxruntime'];
      for (const side of order) {
        const measured =
          side === 'prunelab' ? await ours(file, threads) : await theirs(file, threads);
        keep(`${name} ${side} ${threads}`, measured);
      }
    }
  }
}
for (const name of Object.keys(files)) {
  for (const threads of [1, 2]) {
    const a = best[`${name} prunelab ${threads}`];
    const b = best[`${name} onnxruntime ${threads}`];
    console.log(
      `${name}, ${threads} thread(s): prunelab ${Math.round(a.rate)} images/s, onnxruntime ` +
        `${Math.round(b.rate)} (${(a.rate / b.rate).toFixed(2)}x); one image: prunelab ` +
        `${a.latencyUs.toFixed(0)} µs, onnxruntime ${b.latencyUs.toFixed(0)} µs`,
    );
  }
}
console.log(JSON.stringify(best));
rmSync(tmp, { recursive: true, force: true });
