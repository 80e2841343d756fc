// Queue benchmark: the reference study (2,000 training, 500 validation and 1,000 test images, 10
// baseline epochs, 1 retraining epoch per step, all 83 steps) with two criteria (paper, merge), so
// that both modes have two tasks to run side by side, on this machine's two cores: locally (the
// worker-thread pool) and through the queue (a redis-server of its own, two `prunelab worker`
// processes of one core each), alternating, BENCH_ROUNDS times (default 2). Prints each side's
// wall time, the ratio, whether the numbers are identical, and the queue's overhead per task: from
// submission to start, and the checkpoint's save and load (a pruning run's folder to Redis and
// back). Skipped, saying so, where redis-server is not installed. The last line is one JSON object.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseStudyConfig } from '../dist/config.js';
import { QUEUE_NAME } from '../dist/queue/jobs.js';
import { QueueRunner } from '../dist/queue/runner.js';
import { downloadFolder, FolderUpload } from '../dist/queue/task-files.js';
import { comparableResults } from '../dist/study/comparable.js';
import { runStudy } from '../dist/study/study.js';
import { silentProgress } from '../dist/util/progress.js';

if (spawnSync('redis-server', ['--version']).status !== 0) {
  console.log(
    'queue benchmark SKIPPED: redis-server is not installed (apt-get install redis-server)',
  );
  process.exit(0);
}

const cli = fileURLToPath(new URL('../bin/prunelab.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-bench-queue-'));
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const reference = {
  trainSize: 2000,
  valSize: 500,
  testSize: 1000,
  epochs: 10,
  retrainEpochs: 1,
  criterion: ['paper', 'merge'],
  patterns: 1000,
  patience: 0,
  seeds: 1,
  control: false,
  threads: 2,
};
const now = () => performance.now();

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const port = await freePort();
const url = `redis://127.0.0.1:${port}`;
const redisArgs = [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
];
const server = spawn('redis-server', [...redisArgs, '--dir', tmp], { stdio: 'ignore' });
const redis = new Redis(url, { maxRetriesPerRequest: null });
redis.on('error', () => {});
await redis.ping();

/** @param {string} name */
function startWorker(name) {
  const args = [cli, 'worker', '--queue', url, '--concurrency', '1', '--threads', '1'];
  const env = { ...process.env, PRUNELAB_CACHE: join(tmp, `cache-${name}`) };
  return spawn(process.execPath, [...args, '--name', name], { env, stdio: 'ignore' });
}

/** @param {string} out */
async function localRun(out) {
  const t = now();
  await runStudy(parseStudyConfig({ ...reference, out }), silentProgress);
  return now() - t;
}

/** @param {string} out */
async function queueRun(out) {
  await redis.flushall();
  const workers = [startWorker('a'), startWorker('b')];
  const runner = await QueueRunner.open(url);
  const t = now();
  await runStudy(parseStudyConfig({ ...reference, out }), silentProgress, { runner });
  const wall = now() - t;
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  const jobs = await queue.getJobs(['completed']);
  const waits = jobs.map((job) => (job.processedOn ?? 0) - job.timestamp);
  await queue.close();
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  return { wall, waits };
}

/** results.json without times and names: what must be identical. @param {string} dir */
function numbers(dir) {
  return JSON.stringify(comparableResults(readFileSync(join(dir, 'results.json'), 'utf8')));
}

/**
 * A pruning run's folder saved to Redis and loaded back (ms, medians of 20). @param {string} dir
 */
async function checkpointCosts(dir) {
  const folder = join(dir, 'merge-s1');
  /** @type {number[]} */
  const saves = [];
  /** @type {number[]} */
  const loads = [];
  for (let k = 0; k < 20; k++) {
    await redis.del('bench:files');
    const upload = new FolderUpload(redis, 'bench:files', folder);
    let t = now();
    await upload.upload();
    saves.push(now() - t);
    t = now();
    await downloadFolder(redis, 'bench:files', join(tmp, 'loaded'));
    loads.push(now() - t);
  }
  /** @param {number[]} xs */
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { saveMs: median(saves), loadMs: median(loads) };
}

/** @type {number[]} */
const locals = [];
/** @type {number[]} */
const queued = [];
/** @type {number[]} */
const waits = [];
let identical = true;
for (let r = 0; r < rounds; r++) {
  const localDir = join(tmp, `local-${r}`);
  const queueDir = join(tmp, `queue-${r}`);
  // alternate which side goes first
  if (r % 2 === 0) locals.push(await localRun(localDir));
  const q = await queueRun(queueDir);
  queued.push(q.wall);
  waits.push(...q.waits);
  if (r % 2 === 1) locals.push(await localRun(localDir));
  identical &&= numbers(localDir) === numbers(queueDir);
  console.log(
    `round ${r + 1}: local ${(locals[r] / 1000).toFixed(1)} s, queue ${(q.wall / 1000).toFixed(1)} s ` +
      `(${((q.wall / locals[r] - 1) * 100).toFixed(1)}% longer)`,
  );
}
const costs = await checkpointCosts(join(tmp, 'queue-0'));
const range = (/** @type {number[]} */ xs) =>
  `${(Math.min(...xs) / 1000).toFixed(1)}-${(Math.max(...xs) / 1000).toFixed(1)} s`;
const ratios = queued.map((q, i) => q / locals[i]);
console.log(
  `reference study, paper and merge, 2 cores: local ${range(locals)}, queue with two ` +
    `single-core workers ${range(queued)} (${Math.min(...ratios).toFixed(2)}-` +
    `${Math.max(...ratios).toFixed(2)}x); numbers identical: ${identical ? 'yes' : 'NO'}`,
);
console.log(
  `per task: submission to start ${Math.min(...waits)}-${Math.max(...waits)} ms; ` +
    `a pruning run's checkpoint (its folder) save ` +
    `${costs.saveMs.toFixed(1)} ms, load ${costs.loadMs.toFixed(1)} ms`,
);
console.log(JSON.stringify({ locals, queued, ratios, identical, waits, ...costs }));
redis.disconnect();
server.kill('SIGKILL');
rmSync(tmp, { recursive: true, force: true });
