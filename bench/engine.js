// Engine benchmark: LeNet-5 training images/s at batch 16 and 128, inference images/s, on 1 and 2
// threads, and GFLOP/s; then the same in PyTorch (Debian's python3-torch on OpenBLAS, see peer.js),
// measured in the same run, and the ratio. The two sides are measured in alternation over
// BENCH_ROUNDS rounds (default 3) and each figure is the best of its rounds, so that a burst of
// load from elsewhere on a shared machine does not decide the ratio. The last line is one JSON
// object.
import { augmentSplit } from '../dist/data/augment.js';
import { wasmVariant } from '../dist/engine/wasm.js';
import { forwardFlops, lenet5, Network } from '../dist/nn/network.js';
import { DataParallel } from '../dist/train/parallel.js';
import { serialTrainStep } from '../dist/train/serial-step.js';
import { evaluate } from '../dist/train/evaluation.js';
import { bestPass, randomImages } from './data.js';
import { describePeer, runPeer, torchPeer } from './peer.js';

/** @typedef {{ x: Float32Array, y: Uint8Array, n: number }} Data */
/** @typedef {{ threads: number, train16: number, train128: number, infer: number }} Rates */

const IMAGES = Number(process.env.BENCH_IMAGES ?? 8000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const arch = lenet5();
const flops = forwardFlops(arch);

/** @param {number} n @returns {Data} */
const makeData = (n) => randomImages(n, 1024);

// Each rate is the best of PASSES timed passes over SLICE images (after a warm-up pass), on both
// sides: the machine's speed drifts over seconds, and the best short pass is the steadiest figure.
const SLICE = 1024;
const PASSES = 6;
/** The trainer's step: plain SGD at 0.01, as the peer's. */
const PLAIN_SGD = { lr: 0.01, momentum: 0, weightDecay: 0 };

/** @param {Data} data @param {(start: number) => void} pass */
const timed = (data, pass) => bestPass(data, pass, SLICE, PASSES);

/** @param {number} batch @param {number} threads @param {Data} data */
async function trainRate(batch, threads, data) {
  const net = new Network(arch, Math.max(batch, 128), 'wasm');
  net.initialize(1);
  const dp = threads > 1 ? await DataParallel.create(net, batch) : null;
  const rate = timed(data, (start) => {
    for (let s = start; s < start + SLICE; s += batch) {
      const B = Math.min(batch, start + SLICE - s);
      const x = data.x.subarray(s * 1024, (s + B) * 1024);
      const y = data.y.subarray(s, s + B);
      if (dp) dp.trainStep(net, x, y, B, PLAIN_SGD);
      else serialTrainStep(net, x, y, B, PLAIN_SGD);
    }
  });
  await dp?.close();
  return rate;
}

/** @param {Data} data @param {number} threads */
async function inferRate(data, threads) {
  const net = new Network(arch, 128, 'wasm');
  net.initialize(1);
  const dp = threads > 1 ? await DataParallel.create(net, 16) : null;
  const rate = timed(data, (start) => {
    const x = data.x.subarray(start * 1024, (start + SLICE) * 1024);
    evaluate(net, { x, y: data.y.subarray(start, start + SLICE), n: SLICE }, dp);
  });
  await dp?.close();
  return rate;
}

/** @param {Rates[]} rows @param {'train16' | 'train128' | 'infer'} key @param {number} threads */
const best = (rows, key, threads) =>
  Math.max(...rows.filter((r) => r.threads === threads).map((r) => r[key]));

/** @param {Rates[]} rows @returns {Rates[]} each thread count's best figures over the rounds */
const bestOf = (rows) =>
  [1, 2].map((threads) => ({
    threads,
    train16: best(rows, 'train16', threads),
    train128: best(rows, 'train128', threads),
    infer: best(rows, 'infer', threads),
  }));

function augmentRate() {
  const rgb = new Uint8Array(2000 * 3072).map((_, i) => (i * 2654435761) >>> 24);
  const jitter = { flip: 0.5, rotation: 10, brightness: 0.2, contrast: 0.2, saturation: 0.2 };
  const gray = { channels: 1, height: 32, width: 32 };
  augmentSplit(rgb, 2000, jitter, gray, [0.4], [0.2], 1, [0], 0);
  const t = performance.now();
  augmentSplit(rgb, 2000, jitter, gray, [0.4], [0.2], 1, [0], 1);
  return 2000 / ((performance.now() - t) / 1000);
}

const peer = torchPeer();
const data = makeData(IMAGES);
/** @type {Rates[]} */
const oursRounds = [];
/** @type {Rates[]} */
const torchRounds = [];
/** @type {number[]} */
const roundRatios = [];
let torchVersion = '';
for (let round = 0; round < ROUNDS; round++) {
  /** @type {Rates[]} */
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
  if (!peer) continue;
  const args = [String(Math.min(IMAGES, 4000)), String(SLICE), String(PASSES)];
  const theirs = /** @type {{ torch: string, results: Rates[] }} */ (
    runPeer(peer, 'torch_lenet.py', args)
  );
  torchVersion = theirs.torch;
  torchRounds.push(...theirs.results);
  const ourBest = Math.max(...mine.map((r) => r.train16));
  roundRatios.push(ourBest / Math.max(...theirs.results.map((r) => r.train16)));
}
const ours = bestOf(oursRounds);
const torch = peer ? bestOf(torchRounds) : null;
const augment = augmentRate();

/** @param {number | null | undefined} v */
const fmt = (v) => (v == null ? '-' : v.toFixed(0).padStart(8));
/** @param {Rates} r */
const row = (r) =>
  `${String(r.threads).padStart(7)} ${fmt(r.train16)}  ${fmt(r.train128)} ${fmt(r.infer)}  ` +
  ((r.train16 * 3 * flops) / 1e9).toFixed(2).padStart(9);
console.log(
  `prunelab engine (WebAssembly SIMD, ${wasmVariant()}), LeNet-5, ${IMAGES} images, ` +
    `forward ${(flops / 1e6).toFixed(3)} MFLOP/image, best of ${ROUNDS} rounds`,
);
console.log('threads  train@16  train@128  infer@128  GFLOP/s@16');
for (const r of ours) console.log(row(r));
console.log(
  `augmentation (one thread): ${augment.toFixed(0)} images/s, ` +
    `${(augment / ours[0].train16).toFixed(1)}x the training rate it feeds`,
);
const bestOurs = Math.max(...ours.map((r) => r.train16));
let torchBest = null;
if (peer && torch) {
  console.log(`${describePeer(peer)}, same run; torch threads 1 and 2`);
  for (const r of torch) console.log(row(r));
  torchBest = Math.max(...torch.map((r) => r.train16));
  const perRound = roundRatios.map((r) => r.toFixed(2) + 'x').join(', ');
  console.log(
    `ratio (batch 16, each at its best thread count): ${(bestOurs / torchBest).toFixed(2)}x; ` +
      `per round: ${perRound}`,
  );
  const inferRatio = Math.max(...ours.map((r) => r.infer)) / Math.max(...torch.map((r) => r.infer));
  console.log(`inference at batch 128, each at its best thread count: ${inferRatio.toFixed(2)}x`);
} else console.log('PyTorch not importable (apt-get install python3-torch for the peer)');
console.log(
  JSON.stringify({
    trainImagesPerSecond: Math.round(bestOurs),
    torchTrainImagesPerSecond: torchBest && Math.round(torchBest),
    ratio: torchBest && +(bestOurs / torchBest).toFixed(2),
    roundRatios: roundRatios.map((r) => +r.toFixed(2)),
    kernels: wasmVariant(),
    peer: peer && { torch: torchVersion, blas: peer.blas, openblas: peer.openblas },
    augmentImagesPerSecond: Math.round(augment),
    ours,
    torch,
  }),
);
