// `prunelab worker`: takes study tasks from the queue and runs them, `concurrency` at a time, in
// worker threads of the local pool (so that BullMQ's lock renewal, on this thread, is never held
// up by training). Before a task it fetches what it needs from Redis (the dataset and the model
// by hash, the baseline of the task's random seed, the task's own last checkpoint); after every
// step it stores the task's folder back, so that another worker can take over from there if this
// one dies. A task from another prunelab build is left to other workers, with a message naming
// both builds.
// SIGTERM or Ctrl-C hands the running tasks back to the queue (they continue elsewhere from their
// last step) and ends the worker.
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { extname, join } from 'node:path';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { cacheDir } from '../data/cache.js';
import { baselineResultPath, taskFolder } from '../study/checkpoint.js';
import { LocalPool } from '../study/pool.js';
import { taskId, type TaskEvent, type TaskOutcome } from '../study/task.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { InterruptedError } from '../util/errors.js';
import { blobFile } from './blobs.js';
import { describeBuild, sameBuild, thisBuild } from './compat.js';
import { checkReachable, connect, shownUrl } from './connection.js';
import { failureReason, QUEUE_NAME, workerKey, type QueueJobData } from './jobs.js';
import { downloadFolder, filesKey, FolderUpload } from './task-files.js';

/** The task's job vanished from Redis while it ran: nothing to report to, nothing failed. */
class LostJobError extends Error {
  override name = 'LostJobError';
}

export interface QueueWorkerOptions {
  url: string;
  /** Tasks at a time (default: one per core). */
  concurrency?: number;
  /** Threads in all (default: one per core); a task gets a helper thread when two are spare. */
  threads?: number;
  /** How this worker is shown by `prunelab status` (default host-pid). */
  name?: string;
  /** Seconds without a sign of life after which this worker's task goes to another (default 10). */
  lockSeconds?: number;
  /** Where the worker says what it does, a line at a time. */
  log?: (line: string) => void;
}

/** What `prunelab status` shows of a worker (refreshed every few seconds while it lives). */
export interface WorkerBeat {
  name: string;
  host: string;
  pid: number;
  build: ReturnType<typeof thisBuild>;
  concurrency: number;
  running: { study: string; task: string; step: number }[];
  done: number;
  failed: number;
  since: string;
}

export interface QueueWorker {
  /** Hands the running tasks back and stops; resolves when the worker is closed. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped (after stop(), SIGTERM or Ctrl-C). */
  stopped: Promise<void>;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  await checkReachable(options.url);
  const cores = availableParallelism();
  const concurrency = Math.max(1, options.concurrency || cores);
  const threads = Math.max(1, options.threads || cores);
  const helpers = Math.floor(threads / concurrency) >= 2 ? 1 : 0;
  const lockMs = (options.lockSeconds ?? 10) * 1000;
  const log = options.log ?? (() => {});
  const build = thisBuild();
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const redis = connect(options.url, `prunelab-worker-${name}`);
  const pool = new LocalPool(concurrency);
  const beat: WorkerBeat = {
    name,
    host: hostname(),
    pid: process.pid,
    build,
    concurrency,
    running: [],
    done: 0,
    failed: 0,
    since: new Date().toISOString(),
  };
  const refused = new Set<string>();
  let stopping = false;

  const processor = async (job: Job<QueueJobData>, token?: string): Promise<TaskOutcome> => {
    const data = job.data;
    if (!sameBuild(data.build, build)) {
      const line =
        `refusing the tasks of study ${data.name}: it was submitted by ` +
        `${describeBuild(data.build)}, this worker is ${describeBuild(build)}; ` +
        'start workers of the same version for it';
      await job.log(`${name}: ${line}`);
      await job.moveToDelayed(Date.now() + 5000, token);
      // said once the task is back on the queue, so that what the line says is already true
      if (!refused.has(data.study)) log(line);
      refused.add(data.study);
      throw new DelayedError();
    }
    const task = data.task;
    const id = taskId(task);
    const dir = join(cacheDir(), 'queue-work', data.study);
    const running = { study: data.name, task: id, step: 0 };
    beat.running.push(running);
    try {
      if (task.kind !== 'baseline') {
        // a finished baseline never changes: fetched once per machine (other tasks of this worker
        // may be reading it now)
        const baseline = { kind: 'baseline' as const, seed: task.seed };
        const here = taskFolder(dir, baseline);
        const have = ['model.safetensors', 'result.json'].every((f) => existsSync(join(here, f)));
        if (!have) await downloadFolder(redis, filesKey(data.study, taskId(baseline)), here, true);
      }
      const folder = taskFolder(dir, task);
      const files = filesKey(data.study, id);
      const restoredFiles = await downloadFolder(redis, files, folder);
      const cfg = { ...data.cfg };
      if (data.dataBlob) cfg.rawFile = await blobFile(redis, data.dataBlob, '.data');
      if (data.modelBlob)
        cfg.model = await blobFile(redis, data.modelBlob, extname(cfg.model ?? ''));
      log(`${data.name} ${id}: ${restoredFiles ? 'continued from its last step' : 'started'}`);
      const upload = new FolderUpload(redis, files, folder);
      let chain: Promise<void> = Promise.resolve();
      // a job that Redis lost (a restart without persistence) cannot be reported to: the
      // coordinator submits it again and the task runs again
      let lost: Error | null = null;
      const onEvent = (event: TaskEvent) => {
        if ('restored' in event && event.restored) return;
        if (event.type === 'step') running.step = event.record.step;
        if (event.type === 'control-point') running.step = event.point.step;
        // the step's files are in Redis before anyone hears of the step
        const stored = event.type !== 'epoch';
        chain = chain
          .then(async () => {
            if (stored && !lost) await upload.upload();
            if (!lost) await job.updateProgress(event);
          })
          .catch((err: Error) => {
            lost ??= err;
          });
      };
      const started = performance.now();
      const outcome = await pool.run({ task, cfg, dir, helpers }, onEvent).finally(() => chain);
      if (lost) throw new LostJobError((lost as Error).message);
      if (outcome.kind === 'baseline' && data.cfg.model) {
        // the model was read from this worker's copy: the result names the coordinator's file
        outcome.baseline.loadedFrom = data.cfg.model;
        writeJsonAtomic(baselineResultPath(dir, task.seed), outcome.baseline);
      }
      await upload.upload();
      if (task.kind !== 'baseline') rmSync(folder, { recursive: true, force: true });
      beat.done++;
      log(`${data.name} ${id}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return outcome;
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      if (err instanceof LostJobError) {
        log(`${data.name} ${id}: its job is gone from Redis (${err.message}); dropped`);
        throw err;
      }
      if (stopping && err instanceof InterruptedError) {
        log(`${data.name} ${id}: handed back at step ${running.step}`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      beat.failed++;
      log(`${data.name} ${id}: failed: ${(err as Error).message}`);
      throw new UnrecoverableError(failureReason(err));
    } finally {
      beat.running.splice(beat.running.indexOf(running), 1);
    }
  };

  const workerConnection = connect(options.url, `prunelab-worker-${name}-bullmq`);
  const worker = new Worker<QueueJobData, TaskOutcome>(QUEUE_NAME, processor, {
    connection: workerConnection,
    concurrency,
    lockDuration: lockMs,
    stalledInterval: lockMs / 2,
    // a task whose worker died goes to another one; only a task that kills every worker fails
    maxStalledCount: 10,
  });
  worker.on('error', () => {});
  const publish = () => redis.set(workerKey(name), JSON.stringify(beat), 'PX', lockMs * 3);
  await publish();
  const timer = setInterval(() => void publish().catch(() => {}), lockMs / 4);

  let done: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (done = resolve));
  let stopPromise: Promise<void> | null = null;
  const stop = () => {
    stopPromise ??= (async () => {
      stopping = true;
      if (beat.running.length) log(`handing back ${beat.running.length} running task(s)`);
      const closing = worker.close();
      await pool.close();
      await closing;
      clearInterval(timer);
      await redis.del(workerKey(name)).catch(() => {});
      redis.disconnect();
      workerConnection.disconnect();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done();
    })();
    return stopPromise;
  };
  const onSignal = () => void stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(
    `worker ${name}: taking tasks from ${shownUrl(options.url)} (${concurrency} at a time, ` +
      `${describeBuild(build)})`,
  );
  return { stop, stopped };
}
