// Engine benchmark: LeNet-5 training images/s at batch 16 and 128, inference images/s, on 1 and 2
// threads, and GFLOP/s; then the same in PyTorch (Debian's python3-torch) when it is importable,
// measured in the same run, and the ratio. The two sides are measured in alternation over
// BENCH_ROUNDS rounds (default 3) and each figure is the best of its rounds, so that a burst of load
// from elsewhere on a shared machine does not decide the ratio. The last line is one JSON object.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forwardFlops, lenet5, Network } from '../dist/nn/network.js';
import { DataParallel, serialStep } from '../dist/train/parallel.js';
import { augmentSplit } from '../dist/data/augment.js';
import { evaluate } from '../dist/train/trainer.js';
import { wasmVariant } from '../dist/engine/wasm.js';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 8000);
const arch = lenet5();
const flops = forwardFlops(arch);

function makeData(n) {
  const x = new Float32Array(n * 1024),
    y = new Uint8Array(n);
  let s = 1;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 4294967296) * 2 - 1;
  }
  for (let i = 0; i < n; i++) y[i] = i % 10;
  return { x, y, n };
}

// Each rate is the best of PASSES timed passes over SLICE images (after a warm-up pass), on both
// sides: the machine's speed drifts over seconds, and the best short pass is the steadiest figure.
const SLICE = 1024,
  PASSES = 6;
function bestPass(data, pass) {
  pass(0);
  let best = 0;
  for (let k = 1; k <= PASSES; k++) {
    const start = (k * SLICE) % (data.n - SLICE + 1);
    const t = performance.now();
    pass(start);
    best = Math.max(best, SLICE / ((performance.now() - t) / 1000));
  }
  return best;
}

async function trainRate(batch, threads, data) {
  const net = new Network(arch, Math.max(batch, 128), 'wasm');
  net.initialize(1);
  const dp = threads > 1 ? await DataParallel.create(net, batch) : null;
  const rate = bestPass(data, (start) => {
    for (let s = start; s < start + SLICE; s += batch) {
      const B = Math.min(batch, start + SLICE - s);
      const x = data.x.subarray(s * 1024, (s + B) * 1024),
        y = data.y.subarray(s, s + B);
      if (dp) dp.step(net, x, y, B);
      else serialStep(net, x, y, B);
      net.sgdStep(0.01);
    }
  });
  await dp?.close();
  return rate;
}

async function inferRate(data, threads) {
  const net = new Network(arch, 128, 'wasm');
  net.initialize(1);
  const dp = threads > 1 ? await DataParallel.create(net, 16) : null;
  const rate = bestPass(data, (start) =>
    evaluate(
      net,
      {
        x: data.x.subarray(start * 1024, (start + SLICE) * 1024),
        y: data.y.subarray(start, start + SLICE),
        n: SLICE,
      },
      dp,
    ),
  );
  await dp?.close();
  return rate;
}

function torchPeer() {
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const r = spawnSync(
    py,
    [
      fileURLToPath(new URL('./torch_lenet.py', import.meta.url)),
      String(Math.min(IMAGES, 4000)),
      String(SLICE),
      String(PASSES),
    ],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } },
  );
  if (r.status !== 0) {
    console.error(r.stderr);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const data = makeData(IMAGES);
const best = (rows, key, threads) =>
  Math.max(...rows.filter((r) => r.threads === threads).map((r) => r[key]));
const oursRounds = [],
  torchRounds = [],
  roundRatios = [];
for (let round = 0; round < ROUNDS; round++) {
  const mine = [];
  for (const threads of [1, 2]) {
    mine.push({
      threads,
      train16: await trainRate(16, threads, data),
      train128: await trainRate(128, threads, data),
      infer: await inferRate(data, threads),
    });
  }
  oursRounds.push(...mine);
  const t = torchPeer();
  if (t) {
    torchRounds.push(t);
    roundRatios.push(
      Math.max(...mine.map((r) => r.train16)) / Math.max(...t.results.map((r) => r.train16)),
    );
  }
}
const ours = [1, 2].map((threads) => ({
  threads,
  train16: best(oursRounds, 'train16', threads),
  train128: best(oursRounds, 'train128', threads),
  infer: best(oursRounds, 'infer', threads),
}));
const torchAll = torchRounds.flatMap((t) => t.results);
const torch = torchRounds.length
  ? {
      torch: torchRounds[0].torch,
      results: [1, 2].map((threads) => ({
        threads,
        train16: best(torchAll, 'train16', threads),
        train128: best(torchAll, 'train128', threads),
        infer: best(torchAll, 'infer', threads),
      })),
    }
  : null;
// the image pipeline's per-epoch augmentation (flip, rotation, colour jitter, grayscale, standardise)
const rgb = new Uint8Array(2000 * 3072).map((_, i) => (i * 2654435761) >>> 24);
augmentSplit(
  rgb,
  2000,
  { flip: 0.5, rotation: 10, brightness: 0.2, contrast: 0.2, saturation: 0.2 },
  0.4,
  0.2,
  1,
  [0],
  0,
);
const ta = performance.now();
augmentSplit(
  rgb,
  2000,
  { flip: 0.5, rotation: 10, brightness: 0.2, contrast: 0.2, saturation: 0.2 },
  0.4,
  0.2,
  1,
  [0],
  1,
);
const augment = 2000 / ((performance.now() - ta) / 1000);
const fmt = (v) => (v == null ? '-' : v.toFixed(0).padStart(8));
console.log(
  `prunelab engine (WebAssembly SIMD, ${wasmVariant()}), LeNet-5, ${IMAGES} images, forward ${(flops / 1e6).toFixed(3)} MFLOP/image, best of ${ROUNDS} rounds`,
);
console.log('threads  train@16  train@128  infer@128  GFLOP/s@16');
for (const r of ours)
  console.log(
    `${String(r.threads).padStart(7)} ${fmt(r.train16)}  ${fmt(r.train128)} ${fmt(r.infer)}  ${((r.train16 * 3 * flops) / 1e9).toFixed(2).padStart(9)}`,
  );
console.log(
  `augmentation (one thread): ${augment.toFixed(0)} images/s, ${(augment / ours[0].train16).toFixed(1)}x the training rate it feeds`,
);
const bestOurs = Math.max(...ours.map((r) => r.train16));
let torchBest = null;
if (torch) {
  console.log(`PyTorch ${torch.torch} (same run)`);
  for (const r of torch.results)
    console.log(
      `${String(r.threads).padStart(7)} ${fmt(r.train16)}  ${fmt(r.train128)} ${fmt(r.infer)}  ${((r.train16 * 3 * flops) / 1e9).toFixed(2).padStart(9)}`,
    );
  torchBest = Math.max(...torch.results.map((r) => r.train16));
  console.log(
    `ratio (batch 16, each at its best thread count): ${(bestOurs / torchBest).toFixed(2)}x; per round: ${roundRatios.map((r) => r.toFixed(2) + 'x').join(', ')}`,
  );
} else
  console.log('PyTorch not importable (apt-get install python3-torch for the peer measurement)');
console.log(
  JSON.stringify({
    trainImagesPerSecond: Math.round(bestOurs),
    torchTrainImagesPerSecond: torchBest && Math.round(torchBest),
    ratio: torchBest && +(bestOurs / torchBest).toFixed(2),
    roundRatios: roundRatios.map((r) => +r.toFixed(2)),
    kernels: wasmVariant(),
    augmentImagesPerSecond: Math.round(augment),
    ours,
    torch,
  }),
);
