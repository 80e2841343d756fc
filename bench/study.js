// Study benchmark. The reference configuration (2,000 training, 500 validation and 1,000 test
// images of Fashion-MNIST, 10 baseline epochs, 1 retraining epoch per step, all 83 steps of the
// paper's criterion, no control, no one-shot curves and no per-step speed measurement, which the
// peer does not do either), end to end on both cores, timed in its phases: start-up (data,
// workers) before the first baseline epoch, the baseline, every step's wall time, the end. A step
// is compared with its arithmetic: one epoch of 2,000 training images plus 2,500 evaluated images
// at the engine's own rates, measured in the same run. The study with the control, and with each
// step's speed measured (the CLI's default), are timed too. Then the same study in PyTorch
// (bench/torch_study.py, on OpenBLAS, see peer.js) at 1 and 2 threads; then BENCH_ROUNDS - 1 more
// rounds (default 3 in all) of prunelab's study and PyTorch's at its best thread count, one after
// the other, and the ratio of each side's best, with each round's; the CLI's start-up time; with
// BENCH_PAPER=1, the paper preset's cost (baseline and 2 steps measured on both sides, 83 steps
// projected). The last line is one JSON object.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStudyConfig } from '../dist/config.js';
import { loadData } from '../dist/data/index.js';
import { lenet5, Network } from '../dist/nn/network.js';
import { runStudy } from '../dist/study/study.js';
import { DataParallel } from '../dist/train/parallel.js';
import { evaluate } from '../dist/train/evaluation.js';
import { silentProgress } from '../dist/util/progress.js';
import { describePeer, runPeer, torchPeer } from './peer.js';

/** @typedef {import('../dist/util/progress.js').ProgressReporter} ProgressReporter */
/**
 * @typedef {{ seconds: number, baselineSeconds: number, stepSeconds: number, baseline: number,
 * final: number, threads: number }} PeerStudy
 */

const reference = {
  trainSize: 2000,
  valSize: 500,
  testSize: 1000,
  epochs: 10,
  retrainEpochs: 1,
  criterion: ['paper'],
  patterns: 1000,
  patience: 0,
  seeds: 1,
  // the peer computes no one-shot curves and measures no step's inference speed: the same work on
  // both sides (the study with the speed measured, the default, is timed as well)
  oneShot: false,
  speed: false,
};
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-bench-'));
/** Rounds in which the two sides alternate (the first also times the study's phases). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const now = () => performance.now();

/** A ProgressReporter that notes when each epoch and step arrives. */
function timeline() {
  /** @type {{ type: string, at: number, seconds: number }[]} */
  const events = [];
  /** @type {ProgressReporter} */
  const reporter = {
    ...silentProgress,
    event: (type, data) => events.push({ type, at: now(), seconds: Number(data.seconds ?? 0) }),
  };
  return { events, reporter };
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** @param {number[]} xs */
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The reference study, timed phase by phase (milliseconds). */
async function timedStudy() {
  const { events, reporter } = timeline();
  const t0 = now();
  const cfg = parseStudyConfig({ ...reference, control: false, out: join(tmp, 'study') });
  const { results } = await runStudy(cfg, reporter);
  const total = now() - t0;
  const epochs = events.filter((e) => e.type === 'epoch');
  const steps = events.filter((e) => e.type === 'step');
  const trainStart = epochs[0].at - 1000 * epochs[0].seconds;
  const stepWalls = steps.slice(1).map((e, i) => e.at - steps[i].at);
  const firstStep = median(stepWalls);
  return {
    results,
    total,
    startup: trainStart - t0,
    baseline: steps[0].at - firstStep - trainStart,
    stepWalls,
    end: t0 + total - steps[steps.length - 1].at,
  };
}

/**
 * Seconds the reference study takes end to end with `changes` to its configuration.
 * @param {Record<string, unknown>} changes @param {string} name
 */
async function studySeconds(changes, name) {
  const t = now();
  const cfg = parseStudyConfig({ ...reference, ...changes, out: join(tmp, name) });
  await runStudy(cfg, silentProgress);
  return (now() - t) / 1000;
}

/** One step's arithmetic at the engine's rates (ms): 2,000 images trained, 2,500 evaluated. */
async function stepArithmetic() {
  const arch = lenet5();
  const n = 2048;
  const x = new Float32Array(n * 1024).map((_, i) => Math.sin(i));
  const y = new Uint8Array(n).map((_, i) => i % 10);
  const net = new Network(arch, 128, 'wasm');
  net.initialize(1);
  const helper = await DataParallel.create(net, 16);
  const split = { x, y, n };
  /** @param {() => void} work @param {number} images */
  const rate = (work, images) => {
    work();
    let fastest = Infinity;
    for (let k = 0; k < 5; k++) {
      const t = now();
      work();
      fastest = Math.min(fastest, now() - t);
    }
    return images / fastest;
  };
  const train = rate(() => {
    for (let s = 0; s < n; s += 16) {
      const images = x.subarray(s * 1024, (s + 16) * 1024);
      helper.trainStep(net, images, y.subarray(s, s + 16), 16, {
        lr: 0.01,
        momentum: 0,
        weightDecay: 0,
      });
    }
  }, n);
  const infer = rate(() => evaluate(net, split, helper), n);
  await helper.close();
  return { trainPerMs: train, inferPerMs: infer, ms: 2000 / train + 2500 / infer };
}

function cliStartup() {
  const cli = fileURLToPath(new URL('../bin/prunelab.js', import.meta.url));
  const times = [0, 1, 2].map(() => {
    const t = now();
    spawnSync(process.execPath, [cli, '--version']);
    return now() - t;
  });
  return Math.min(...times);
}

/** @param {{ trainSize: number, valSize: number, testSize: number }} cfg @param {string} file */
async function writePeerData(cfg, file) {
  const d = await loadData({ dataset: 'fashion-mnist', seed: 1, ...cfg });
  const arrays = [d.train.x, d.val.x, d.test.x, d.train.y, d.val.y, d.test.y];
  writeFileSync(
    file,
    Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
  );
}

const peer = torchPeer();
const arithmetic = await stepArithmetic();
const run = await timedStudy();
const stepMean = mean(run.stepWalls);
const stepMedian = median(run.stepWalls);
const fixed = run.startup + run.end;
console.log(
  `prunelab study, reference configuration (paper, 83 steps, no control), ` +
    `${run.results.environment.threads} threads: ${(run.total / 1000).toFixed(1)} s ` +
    `(baseline ${run.results.baseline.testAccuracy.toFixed(3)}, ` +
    `final ${run.results.runs[0].steps.at(-1)?.testAccuracy.toFixed(3)})`,
);
console.log(
  `  start-up before the first epoch ${(run.startup / 1000).toFixed(2)} s, baseline ` +
    `${(run.baseline / 1000).toFixed(2)} s, steps ${(((run.stepWalls.length + 1) * stepMean) / 1000).toFixed(1)} s ` +
    `(mean ${stepMean.toFixed(0)} ms, median ${stepMedian.toFixed(0)} ms), after the last step ` +
    `${(run.end / 1000).toFixed(2)} s`,
);
console.log(
  `  a step's arithmetic at the engine's rates (training ${(arithmetic.trainPerMs * 1000).toFixed(0)} ` +
    `images/s, evaluation ${(arithmetic.inferPerMs * 1000).toFixed(0)} images/s on 2 threads): ` +
    `${arithmetic.ms.toFixed(0)} ms; a step takes ${(stepMedian / arithmetic.ms).toFixed(2)}x it ` +
    `(median; mean ${(stepMean / arithmetic.ms).toFixed(2)}x)`,
);
const cli = cliStartup();
console.log(`  CLI start-up (prunelab --version): ${cli.toFixed(0)} ms`);

const withControl = await studySeconds({ control: true }, 'control');
console.log(`  with the budget-matched control as well: ${withControl.toFixed(1)} s`);
const withSpeed = await studySeconds({ speed: true, control: false }, 'speed');
console.log(
  `  with each step's inference speed measured as well (the default; the peer measures none): ` +
    `${withSpeed.toFixed(1)} s`,
);

/** @param {PeerStudy} t */
const describeRun = (t) =>
  `${t.seconds.toFixed(1)} s (baseline ${t.baseline.toFixed(3)}, final ${t.final.toFixed(3)})`;
// the two sides alternate over ROUNDS rounds, each round's ratio from the same minutes of this
// shared machine; the first round also finds PyTorch's best thread count
/** @type {{ ours: number, torch: number }[]} */
const rounds = [];
if (peer) {
  const file = join(tmp, 'data.bin');
  await writePeerData(reference, file);
  console.log(describePeer(peer));
  const first = ['1', '2'].map(
    (t) => /** @type {PeerStudy} */ (runPeer(peer, 'torch_study.py', [file, t])),
  );
  for (const t of first) console.log(`  ${t.threads} thread(s): ${describeRun(t)}`);
  const best = first.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  rounds.push({ ours: run.total / 1000, torch: best.seconds });
  for (let round = 2; round <= ROUNDS; round++) {
    const ours = await studySeconds({ control: false }, `round-${round}`);
    const args = [file, String(best.threads)];
    const torch = /** @type {PeerStudy} */ (runPeer(peer, 'torch_study.py', args));
    console.log(
      `  round ${round}: prunelab ${ours.toFixed(1)} s, PyTorch (${best.threads} thread(s)) ` +
        describeRun(torch),
    );
    rounds.push({ ours, torch: torch.seconds });
  }
}
const oursBest = rounds.length ? Math.min(...rounds.map((r) => r.ours)) : run.total / 1000;
const torchBest = rounds.length ? Math.min(...rounds.map((r) => r.torch)) : null;
const roundRatios = rounds.map((r) => +(r.torch / r.ours).toFixed(2));
if (torchBest !== null) {
  console.log(
    `ratio (PyTorch at its best thread count / prunelab, the same work): ` +
      `${(torchBest / oursBest).toFixed(2)}x, the best of each side over ${rounds.length} ` +
      `rounds (per round: ${roundRatios.map((r) => `${r.toFixed(2)}x`).join(', ')}); ` +
      `with prunelab's speed measurement as well ${(torchBest / withSpeed).toFixed(2)}x`,
  );
} else console.log('PyTorch not importable (apt-get install python3-torch for the peer)');

/** @type {Record<string, unknown> | null} */
let paper = null;
if (process.env.BENCH_PAPER === '1') {
  const steps = 2;
  const cfg = {
    trainSize: 1000,
    valSize: 500,
    testSize: 1000,
    epochs: 200,
    retrainEpochs: 200,
    patience: 0,
    criterion: ['paper'],
    seeds: 1,
    maxPruned: steps,
    oneShot: false,
  };
  /** @param {boolean} control */
  const measure = async (control) => {
    const t = now();
    const out = join(tmp, `paper-${control}`);
    const study = parseStudyConfig({ preset: 'paper', ...cfg, control, out });
    const { results } = await runStudy(study, silentProgress);
    const total = (now() - t) / 1000;
    const step = results.runs[0].steps.reduce((a, s) => a + s.seconds, 0) / steps;
    const baselineSeconds = total - step * steps;
    return {
      baselineSeconds,
      stepSeconds: step,
      projectedMinutes: (baselineSeconds + 83 * step) / 60,
    };
  };
  /** @param {{ baselineSeconds: number, stepSeconds: number, projectedMinutes: number }} m */
  const fmt = (m) =>
    `baseline ${m.baselineSeconds.toFixed(1)} s, ${m.stepSeconds.toFixed(1)} s per step: ` +
    `${m.projectedMinutes.toFixed(0)} min for 83 steps`;
  const ours = await measure(false);
  const oursWithControl = await measure(true);
  console.log(`paper preset, prunelab (2 threads): ${fmt(ours)}`);
  console.log(`paper preset with the control (two tasks, one core each): ${fmt(oursWithControl)}`);
  paper = { ours, oursWithControl, torch: null };
  if (peer) {
    const file = join(tmp, 'paper.bin');
    await writePeerData(cfg, file);
    const args = [file, '2', '1000', '500', '1000', '200', '200', String(steps)];
    const t = /** @type {PeerStudy} */ (runPeer(peer, 'torch_study.py', args));
    const torch = {
      baselineSeconds: t.baselineSeconds,
      stepSeconds: t.stepSeconds,
      projectedMinutes: (t.baselineSeconds + 83 * t.stepSeconds) / 60,
    };
    paper.torch = torch;
    const ratio = torch.projectedMinutes / ours.projectedMinutes;
    console.log(`paper preset, PyTorch (2 threads): ${fmt(torch)}; ratio ${ratio.toFixed(2)}x`);
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(
  JSON.stringify({
    studySeconds: +(run.total / 1000).toFixed(2),
    studyWithSpeedSeconds: +withSpeed.toFixed(2),
    startupSeconds: +(run.startup / 1000).toFixed(2),
    stepMeanMs: Math.round(stepMean),
    stepMedianMs: Math.round(stepMedian),
    stepArithmeticMs: Math.round(arithmetic.ms),
    stepToArithmetic: +(stepMedian / arithmetic.ms).toFixed(2),
    cliStartupMs: Math.round(cli),
    studyWithControlSeconds: +withControl.toFixed(2),
    torchStudySeconds: torchBest && +torchBest.toFixed(2),
    peer: peer && { torch: peer.torch, blas: peer.blas, openblas: peer.openblas },
    ratio: torchBest && +(torchBest / oursBest).toFixed(2),
    roundRatios,
    rounds,
    ratioWithSpeed: torchBest && +(torchBest / withSpeed).toFixed(2),
    paper,
  }),
);
