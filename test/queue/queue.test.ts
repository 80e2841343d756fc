// Studies over a queue, end to end with a real redis-server and real worker processes (the CLI's
// `prunelab worker`): the numbers equal a local run's, a worker killed with SIGKILL mid-task hands
// its task to another that continues from the last step, a coordinator killed and resumed
// finishes without redoing work, a deterministic failure is recorded once, a worker of another
// build refuses the tasks, a folder dataset reaches workers that lack it, and an unreachable
// Redis is one clear line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE_NAME } from '../../src/queue/jobs.js';
import { comparableResults } from '../../src/study/comparable.js';
import { flushRedis, freePort, hasRedis, startRedis, type RedisServer } from './redis.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-queue-'));
const STUDY = [
  '--train-size',
  '600',
  '--val-size',
  '100',
  '--test-size',
  '200',
  '--epochs',
  '2',
  '--max-pruned',
  '16',
  '--criterion',
  'merge,random',
  '--seed',
  '3',
  '--quiet',
];
// long enough steps (about 0.2 s each) for a kill to land in the middle of the pruning run
const LONG = [
  ...['--train-size', '1500', '--val-size', '100', '--test-size', '200', '--epochs', '1'],
  ...['--max-pruned', '30', '--criterion', 'merge', '--no-control', '--seed', '3', '--quiet'],
];
let redis: RedisServer;
const workers: Worker[] = [];

interface Worker {
  proc: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

function startWorker(name: string): Worker {
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--queue',
      redis.url,
      '--concurrency',
      '1',
      '--threads',
      '1',
      '--name',
      name,
      '--lock-seconds',
      '2',
    ],
    { env: { ...process.env, PRUNELAB_CACHE: join(tmp, `cache-${name}`) } },
  );
  let text = '';
  proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const worker = { proc, log: () => text, exited };
  workers.push(worker);
  return worker;
}

async function stopWorkers(): Promise<void> {
  for (const w of workers.splice(0)) {
    if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
    await w.exited;
  }
}

function run(args: string[]) {
  const proc = spawn(process.execPath, [CLI, ...args]);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) =>
    proc.once('exit', (code) => r({ code, stdout, stderr })),
  );
  return { proc, done };
}

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

async function waitFor(what: string, test: () => boolean, seconds = 60): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** results.json without what may differ between two runs of the same study: times and names. */
function numbers(dir: string): unknown {
  return comparableResults(readFileSync(join(dir, 'results.json'), 'utf8'));
}

function stepsDone(dir: string): number {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      runs: { steps: unknown[] }[];
    };
    return Math.max(0, ...r.runs.map((x) => x.steps.length));
  } catch {
    return 0;
  }
}

const local = join(tmp, 'local');
const localLong = join(tmp, 'local-long');

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedis();
  for (const [args, out] of [
    [STUDY, local],
    [LONG, localLong],
  ] as const) {
    const r = cli('study', ...args, '--out', out);
    if (r.status !== 0) throw new Error(r.stderr);
  }
}, 120_000);

beforeEach(() => {
  if (hasRedis) flushRedis(redis.port);
});

afterEach(stopWorkers);

afterAll(async () => {
  await stopWorkers();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasRedis)('a study over the queue', () => {
  it('gives the numbers of a local run, on two workers, and status shows it', async () => {
    startWorker('a');
    startWorker('b');
    const dir = join(tmp, 'two-workers');
    const { done } = run(['study', ...STUDY, '--out', dir, '--queue', redis.url]);
    const result = await done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(numbers(dir)).toEqual(numbers(local));
    for (const file of ['merge-s3/model.safetensors', 'random-s3/knee.safetensors']) {
      expect(readFileSync(join(dir, file))).toEqual(readFileSync(join(local, file)));
    }
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    const status = cli('status', '--queue', redis.url);
    expect(status.stdout).toContain('two-workers');
    expect(status.stdout).toMatch(/4 completed/);
    expect(status.stdout).toMatch(/\ba prunelab .* 1 at a time/);
    expect(workers.map((w) => w.log()).join('')).toMatch(/merge-s3: done/);
    await stopWorkers();
  });

  it('runs a study submitted by two coordinators at once only once', async () => {
    const worker = startWorker('shared');
    const dirs = [join(tmp, 'twice-a'), join(tmp, 'twice-b')];
    const results = await Promise.all(
      dirs.map((dir) => run(['study', ...STUDY, '--out', dir, '--queue', redis.url]).done),
    );
    for (const [k, result] of results.entries()) {
      expect(result.code).toBe(0);
      expect(numbers(dirs[k])).toEqual(numbers(local));
    }
    for (const task of ['baseline-s3', 'merge-s3', 'random-s3', 'control-s3']) {
      expect(worker.log().split(`${task}: started`).length - 1).toBe(1);
    }
  });

  it('continues a task on another worker when its worker is killed, to the same numbers', async () => {
    const first = startWorker('first');
    const dir = join(tmp, 'killed-worker');
    const { done } = run(['study', ...LONG, '--out', dir, '--queue', redis.url]);
    await waitFor('three steps', () => stepsDone(dir) >= 3);
    first.proc.kill('SIGKILL');
    const second = startWorker('second');
    const result = await done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(second.log()).toMatch(/merge-s3: continued from its last step/);
    expect(numbers(dir)).toEqual(numbers(localLong));
    await stopWorkers();
  });

  it('reattaches after the coordinator is killed, without redoing finished tasks', async () => {
    const worker = startWorker('steady');
    const dir = join(tmp, 'killed-coordinator');
    const first = run(['study', ...LONG, '--out', dir, '--queue', redis.url]);
    await waitFor('three steps', () => stepsDone(dir) >= 3);
    first.proc.kill('SIGKILL');
    await first.done;
    const again = await run(['study', '--resume', dir, '--queue', redis.url, '--quiet']).done;
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(numbers(dir)).toEqual(numbers(localLong));
    // each task ran once, on the one worker
    for (const task of ['baseline-s3', 'merge-s3']) {
      expect(worker.log().split(`${task}: started`).length - 1).toBe(1);
    }
    await stopWorkers();
  });

  it('hands its task back on SIGTERM, and another worker continues it', async () => {
    const first = startWorker('leaving');
    const dir = join(tmp, 'stopped-worker');
    const { done } = run(['study', ...LONG, '--out', dir, '--queue', redis.url]);
    await waitFor('three steps', () => stepsDone(dir) >= 3);
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.log()).toMatch(/merge-s3: handed back at step \d+/);
    const second = startWorker('arriving');
    const result = await done;
    expect(result.code).toBe(0);
    expect(second.log()).toMatch(/merge-s3: continued from its last step/);
    expect(numbers(dir)).toEqual(numbers(localLong));
    await stopWorkers();
  });

  it('finishes with the same numbers when Redis restarts empty in the middle', async () => {
    startWorker('patient');
    const dir = join(tmp, 'redis-restarted');
    const { done } = run(['study', ...LONG, '--out', dir, '--queue', redis.url]);
    await waitFor('three steps', () => stepsDone(dir) >= 3);
    await redis.restart();
    const result = await done;
    expect(result.code).toBe(0);
    expect(numbers(dir)).toEqual(numbers(localLong));
    expect(readdirSync(join(dir, 'merge-s3')).sort()).toEqual(
      readdirSync(join(localLong, 'merge-s3')).sort(),
    );
    await stopWorkers();
  });

  it('records a deterministic failure once, and still writes the results', async () => {
    const worker = startWorker('w');
    const dir = join(tmp, 'diverged');
    const args = ['study', ...STUDY, '--lr', '1000000', '--out', dir, '--queue', redis.url];
    const result = await run(args).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/4 task\(s\) failed/);
    expect(result.stderr).toMatch(/baseline-s3: training diverged in epoch 1/);
    expect(result.stderr).toMatch(/merge-s3: not run: its baseline \(baseline-s3\) failed/);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      status: string;
      failures: { task: string }[];
    };
    expect(results.status).toBe('failed');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/4 task\(s\) failed/);
    expect(results.failures.map((f) => f.task)).toEqual([
      'baseline-s3',
      'merge-s3',
      'random-s3',
      'control-s3',
    ]);
    expect(worker.log().match(/failed:/g)).toHaveLength(1);
    const connection = new Redis(redis.url);
    const queue = new Queue(QUEUE_NAME, { connection });
    const failed = await queue.getFailed();
    expect(failed).toHaveLength(1);
    expect(failed[0].attemptsMade).toBe(1);
    await queue.close();
    connection.disconnect();
    await stopWorkers();
  });

  it('leaves the tasks of another build to other workers, saying why', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    const build = { version: '0.0.1', kernels: 'wasm-simd@000000000000' };
    const task = { kind: 'baseline', seed: 1 };
    await queue.add(
      'baseline-s1',
      { build, study: 'x', name: 'old-study', task, cfg: {} },
      { jobId: 'x-1' },
    );
    const worker = startWorker('new');
    await waitFor('the refusal', () => /refusing/.test(worker.log()), 30);
    expect(worker.log()).toMatch(
      /refusing the tasks of study old-study: it was submitted by prunelab 0\.0\.1 \(kernels wasm-simd@0+\), this worker is prunelab \d+\.\d+\.\d+ \(kernels /,
    );
    expect(await (await queue.getJob('x-1'))!.getState()).toBe('delayed');
    await queue.close();
    connection.disconnect();
    await stopWorkers();
  });

  it('publishes a folder dataset and a model once for workers that do not have them', async () => {
    const images = join(tmp, 'images');
    for (const [c, name] of ['dark', 'light', 'striped'].entries()) {
      mkdirSync(join(images, name), { recursive: true });
      for (let i = 0; i < 20; i++) {
        const pixels = Buffer.alloc(24 * 24 * 3);
        for (let p = 0; p < pixels.length; p++) {
          pixels[p] = (c * 90 + ((p * 7 + i * 13) % 50) + (c === 2 && p % 6 < 3 ? 80 : 0)) & 255;
        }
        const raw = { raw: { width: 24, height: 24, channels: 3 as const } };
        await sharp(pixels, raw)
          .png()
          .toFile(join(images, name, `${i}.png`));
      }
    }
    const args = [
      '--dataset',
      'folder',
      '--data',
      images,
      '--val-size',
      '9',
      '--test-size',
      '9',
      '--epochs',
      '2',
      '--max-pruned',
      '4',
      '--criterion',
      'paper',
      '--no-control',
      '--quiet',
    ];
    // and a model of the user's, which the workers have no copy of either
    const trained = join(tmp, 'folder-trained');
    const data = ['--dataset', 'folder', '--data', images, '--val-size', '9', '--test-size', '9'];
    expect(cli('train', ...data, '--epochs', '2', '--out', trained, '--quiet').status).toBe(0);
    const model = join(trained, 'model.safetensors');
    const alone = join(tmp, 'folder-local');
    expect(cli('study', ...args, '--model', model, '--out', alone).status).toBe(0);
    startWorker('far');
    const dir = join(tmp, 'folder-queue');
    const queued = ['study', ...args, '--model', model, '--out', dir, '--queue', redis.url];
    const result = await run(queued).done;
    expect(result.code).toBe(0);
    expect(numbers(dir)).toEqual(numbers(alone));
    const blobs = readdirSync(join(tmp, 'cache-far', 'queue-blobs'));
    expect(blobs.filter((f) => f.endsWith('.data'))).toHaveLength(1);
    expect(blobs.filter((f) => f.endsWith('.safetensors'))).toHaveLength(1);
    await stopWorkers();
  });
});

describe.skipIf(!hasRedis)('an unreachable Redis', () => {
  it('is one clear line, exit 2, and nothing written', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const dir = join(tmp, 'never');
    for (const args of [
      ['study', ...STUDY, '--out', dir, '--queue', url],
      ['worker', '--queue', url],
      ['status', '--queue', url],
    ]) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        /cannot use the Redis at redis:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED/,
      );
    }
    expect(existsSync(dir)).toBe(false);
    const locked = await startRedis({ password: 'secret' });
    try {
      const refused = cli('status', '--queue', locked.url);
      expect(refused.status).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/cannot use the Redis at .*\((NOAUTH|.*[Aa]uthentication)/);
      const url = locked.url.replace('redis://', 'redis://:secret@');
      const allowed = cli('status', '--queue', url);
      expect(allowed.status).toBe(0);
      expect(allowed.stdout).toMatch(/queue at redis:\/\/:\*\*\*@127\.0\.0\.1/);
      expect(allowed.stdout).not.toContain('secret');
    } finally {
      await locked.stop();
    }
    const bad = cli('status', '--queue', 'http://x');
    expect(bad.stderr).toMatch(/--queue http:\/\/x is not a Redis URL/);
  });
});
