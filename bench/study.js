// Study benchmark: the reference configuration (2,000 training, 500 validation and 1,000 test
// images of Fashion-MNIST, 10 baseline epochs, 1 retraining epoch per step, all 83 steps of the
// seed's criterion `paper`), end to end on both cores; and, when python3-torch is importable, the
// same study in PyTorch (bench/torch_study.py) on the same data, and the ratio. With BENCH_PAPER=1,
// also the `paper` preset's cost (1,000 training images, 200 baseline epochs, 200 retraining epochs
// per step): the baseline and 2 steps measured on both sides, the full 83 steps projected.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStudyConfig } from '../dist/config.js';
import { loadData } from '../dist/data/index.js';
import { runStudy } from '../dist/study/study.js';
import { silentProgress } from '../dist/util/progress.js';

const base = {
  trainSize: 2000,
  valSize: 500,
  testSize: 1000,
  epochs: 10,
  retrainEpochs: 1,
  criterion: ['paper'],
  patterns: 1000,
  patience: 0,
  seeds: 1,
};
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-bench-'));

const t0 = performance.now();
const { results: r } = await runStudy(
  parseStudyConfig({ ...base, control: false, out: join(tmp, 'study') }),
  silentProgress,
);
const ours = (performance.now() - t0) / 1000;
console.log(
  `prunelab study, reference configuration (paper, 83 steps, no control): ${ours.toFixed(1)} s on ${r.environment.threads} threads; baseline ${r.baseline.testAccuracy.toFixed(3)}, final ${r.runs[0].steps.at(-1).testAccuracy.toFixed(3)}`,
);

const t1 = performance.now();
await runStudy(
  parseStudyConfig({ ...base, control: true, out: join(tmp, 'study-control') }),
  silentProgress,
);
const withControl = (performance.now() - t1) / 1000;
console.log(`  with the budget-matched control as well: ${withControl.toFixed(1)} s`);

let torch = null;
const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
if (spawnSync(py, ['-c', 'import torch']).status === 0) {
  const d = await loadData({ dataset: 'fashion-mnist', seed: 1, ...base });
  const file = join(tmp, 'data.bin');
  writeFileSync(
    file,
    Buffer.concat(
      [d.train.x, d.val.x, d.test.x, d.train.y, d.val.y, d.test.y].map((a) =>
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      ),
    ),
  );
  const runs = [1, 2]
    .map((threads) => {
      const p = spawnSync(
        py,
        [fileURLToPath(new URL('./torch_study.py', import.meta.url)), file, String(threads)],
        { encoding: 'utf8' },
      );
      if (p.status !== 0) {
        console.error(p.stderr);
        return null;
      }
      return JSON.parse(p.stdout.trim().split('\n').pop());
    })
    .filter(Boolean);
  for (const t of runs)
    console.log(
      `PyTorch ${t.torch}, ${t.threads} thread(s): ${t.seconds.toFixed(1)} s; baseline ${t.baseline.toFixed(3)}, final ${t.final.toFixed(3)}`,
    );
  if (runs.length) {
    torch = Math.min(...runs.map((t) => t.seconds));
    console.log(
      `ratio (PyTorch at its best thread count / prunelab): ${(torch / ours).toFixed(2)}x`,
    );
  }
} else
  console.log('PyTorch not importable (apt-get install python3-torch for the peer measurement)');
let paper = null;
if (process.env.BENCH_PAPER === '1') {
  const steps = 2,
    cfg = {
      trainSize: 1000,
      valSize: 500,
      testSize: 1000,
      epochs: 200,
      retrainEpochs: 200,
      patience: 0,
      criterion: ['paper'],
      seeds: 1,
      maxPruned: steps,
    };
  const measure = async (control) => {
    const t = performance.now();
    const { results: r } = await runStudy(
      parseStudyConfig({ preset: 'paper', ...cfg, control, out: join(tmp, `paper-${control}`) }),
      silentProgress,
    );
    const total = (performance.now() - t) / 1000,
      step = r.runs[0].steps.reduce((a, s) => a + s.seconds, 0) / steps;
    return {
      baselineSeconds: total - step * steps,
      stepSeconds: step,
      projectedMinutes: (total - step * steps + 83 * step) / 60,
    };
  };
  paper = { ours: await measure(false), oursWithControl: await measure(true), torch: null };
  const fmtP = (m) =>
    `baseline ${m.baselineSeconds.toFixed(1)} s, ${m.stepSeconds.toFixed(1)} s per step: ${m.projectedMinutes.toFixed(0)} min for 83 steps`;
  console.log(`paper preset, prunelab (2 threads): ${fmtP(paper.ours)}`);
  console.log(
    `paper preset with the control (two tasks, one core each): ${fmtP(paper.oursWithControl)}`,
  );
  if (torch !== null) {
    const d = await loadData({ dataset: 'fashion-mnist', seed: 1, ...cfg });
    const file = join(tmp, 'paper.bin');
    writeFileSync(
      file,
      Buffer.concat(
        [d.train.x, d.val.x, d.test.x, d.train.y, d.val.y, d.test.y].map((a) =>
          Buffer.from(a.buffer, a.byteOffset, a.byteLength),
        ),
      ),
    );
    const p = spawnSync(
      py,
      [
        fileURLToPath(new URL('./torch_study.py', import.meta.url)),
        file,
        '2',
        '1000',
        '500',
        '1000',
        '200',
        '200',
        String(steps),
      ],
      { encoding: 'utf8' },
    );
    if (p.status === 0) {
      const t = JSON.parse(p.stdout.trim().split('\n').pop());
      paper.torch = {
        baselineSeconds: t.baselineSeconds,
        stepSeconds: t.stepSeconds,
        projectedMinutes: (t.baselineSeconds + 83 * t.stepSeconds) / 60,
      };
      console.log(
        `paper preset, PyTorch (2 threads): ${fmtP(paper.torch)}; ratio ${(paper.torch.projectedMinutes / paper.ours.projectedMinutes).toFixed(2)}x`,
      );
    } else console.error(p.stderr);
  }
}
console.log(
  JSON.stringify({
    paper,
    studySeconds: +ours.toFixed(2),
    studyWithControlSeconds: +withControl.toFixed(2),
    torchStudySeconds: torch && +torch.toFixed(2),
    ratio: torch && +(torch / ours).toFixed(2),
  }),
);
