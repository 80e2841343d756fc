// The networks of the pruning literature against PyTorch: LeNet-300-100 and the Caffe LeNet-5
// trained at batch 16 on 1x28x28 inputs, on 1 and 2 threads, against PyTorch (Debian's
// python3-torch on OpenBLAS, OPENBLAS_NUM_THREADS=1, see peer.js) on 1 and 2 threads, measured in
// the same run in alternation over BENCH_ROUNDS rounds (default 3); each side at its best thread
// count and its best round. Goals (issue 13): LeNet-300-100 at least 1.5x, the Caffe LeNet-5 at
// least 2.5x. The last line is one JSON object.
import { resolveArchitecture } from '../dist/nn/arch-spec.js';
import { Network } from '../dist/nn/network.js';
import { DataParallel } from '../dist/train/parallel.js';
import { serialTrainStep } from '../dist/train/serial-step.js';
import { bestPass, randomImages } from './data.js';
import { describePeer, runPeer, torchPeer } from './peer.js';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLICE = 1024;
const PASSES = 6;
/** The trainer's step: plain SGD at 0.01, as the peer's. */
const PLAIN_SGD = { lr: 0.01, momentum: 0, weightDecay: 0 };
const NETWORKS = [
  { name: 'lenet-300-100', goal: 1.5 },
  { name: 'lenet5-caffe', goal: 2.5 },
];

/**
 * Each network on one thread and on two, made once and kept over the rounds, as a study's tasks
 * keep their thread's helper (src/train/helper-reuse.ts): a new helper thread's JavaScript is
 * still warming up over its first passes.
 * @param {string} name
 */
async function trainers(name) {
  const arch = resolveArchitecture(name, { classes: 10 });
  const one = new Network(arch, 128, 'wasm');
  const two = new Network(arch, 128, 'wasm');
  one.initialize(1);
  two.initialize(1);
  return { one, two, dp: await DataParallel.create(two, 16) };
}

/**
 * Best of PASSES timed passes over SLICE images at batch 16, after a warm-up pass.
 * @param {Awaited<ReturnType<typeof trainers>>} t @param {number} threads
 * @param {ReturnType<typeof randomImages>} data
 */
function trainRate(t, threads, data) {
  const pass = (/** @type {number} */ start) => {
    for (let s = start; s < start + SLICE; s += 16) {
      const x = data.x.subarray(s * 784, (s + 16) * 784);
      const y = data.y.subarray(s, s + 16);
      if (threads > 1) t.dp.trainStep(t.two, x, y, 16, PLAIN_SGD);
      else serialTrainStep(t.one, x, y, 16, PLAIN_SGD);
    }
  };
  return bestPass(data, pass, SLICE, PASSES);
}

const peer = torchPeer();
const data = randomImages(IMAGES, 784);
const report = [];
for (const { name, goal } of NETWORKS) {
  let ours = 0;
  let theirs = 0;
  const ratios = [];
  const t = await trainers(name);
  for (let round = 0; round < ROUNDS; round++) {
    const mine = Math.max(trainRate(t, 1, data), trainRate(t, 2, data));
    ours = Math.max(ours, mine);
    if (!peer) continue;
    const args = [name, String(IMAGES), String(SLICE), String(PASSES)];
    const out = /** @type {{ results: { train16: number }[] }} */ (
      runPeer(peer, 'torch_architectures.py', args)
    );
    const best = Math.max(...out.results.map((r) => r.train16));
    theirs = Math.max(theirs, best);
    ratios.push(mine / best);
  }
  // whether two threads split a layer's units (src/train/split-layer.ts: an MLP's first layer;
  // split-hidden.ts: a wide one after convolutions)
  const split = t.dp.splitSteps > 0;
  await t.dp.close();
  report.push({ name, goal, ours, theirs: peer ? theirs : null, ratios, split });
}
console.log(`training at batch 16 on 1x28x28, images/s, best of ${ROUNDS} rounds and 1-2 threads`);
if (peer) console.log(`peer: ${describePeer(peer)}, same run`);
for (const r of report) {
  const ratio = r.theirs ? `${(r.ours / r.theirs).toFixed(2)}x (goal ${r.goal}x)` : '-';
  const rounds = r.ratios.map((x) => x.toFixed(2) + 'x').join(', ');
  console.log(
    `${r.name.padEnd(14)} prunelab ${r.ours.toFixed(0).padStart(6)}  PyTorch ` +
      `${r.theirs ? r.theirs.toFixed(0).padStart(6) : '     -'}  ${ratio}; per round: ${rounds}` +
      (r.split ? "; two threads split a dense layer's units" : ''),
  );
}
console.log(
  JSON.stringify(
    report.map((r) => ({
      network: r.name,
      imagesPerSecond: Math.round(r.ours),
      torchImagesPerSecond: r.theirs && Math.round(r.theirs),
      ratio: r.theirs && +(r.ours / r.theirs).toFixed(2),
      roundRatios: r.ratios.map((x) => +x.toFixed(2)),
      goal: r.goal,
      splitLayer: r.split,
    })),
  ),
);
