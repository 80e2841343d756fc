// The queue runner: the study's coordinator side of a study on many machines. It carries out each
// task the study loop gives it (the same TaskRunner contract as the local pool) by submitting it
// as a BullMQ job with a deterministic id, streams the job's steps back as task events (each step
// once, in order, whichever worker ran it and however often it was taken over), and, when the job
// ends, downloads the task's folder into the run folder: the run folder of a queue study is the
// one a local study writes.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { StudyConfig } from '../config.js';
import { loadRaw } from '../data/index.js';
import { encodeRawDataset } from '../data/raw-file.js';
import { taskFolder } from '../study/checkpoint.js';
import type { ControlPoint, StepRecord } from '../study/records.js';
import type { TaskRunner } from '../study/runner.js';
import type { OneShotPoint } from '../study/one-shot.js';
import { isSweepRequest, taskId, type TaskEvent } from '../study/task.js';
import type { TaskOutcome, TaskRequest } from '../study/task.js';
import { InterruptedError } from '../util/errors.js';
import { EventStream } from './event-stream.js';
import { putBlob } from './blobs.js';
import { describeBuild, sameBuild, thisBuild } from './compat.js';
import { checkReachable, connect, KEY_PREFIX, shownUrl } from './connection.js';
import type { WorkerBeat } from './worker.js';
import { downloadFolder, filesKey, FolderUpload, readTaskFile } from './task-files.js';
import {
  failureError,
  jobId,
  QUEUE_NAME,
  STUDIES_KEY,
  studyKey,
  type QueueJobData,
} from './jobs.js';

/** Datasets every worker has in its own installation: never published. */
const BUNDLED = new Set(['fashion-mnist', 'mnist']);

type Blobs = Pick<QueueJobData, 'dataBlob' | 'modelBlob'>;

interface Submitted {
  data: QueueJobData;
  /** The run folder, which holds the finished tasks' folders. */
  dir: string;
  reject: (err: Error) => void;
}

export class QueueRunner implements TaskRunner {
  private readonly redis: Redis;
  /** BullMQ leaves connections it was given open: they are closed here. */
  private readonly connections: Redis[];
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly blobs = new Map<string, Promise<Blobs>>();
  private readonly streams = new Map<string, EventStream>();
  private readonly submitted = new Map<string, Submitted>();
  private readonly registered = new Set<string>();
  private closed = false;

  /** Connects to the queue at `url`; an unreachable Redis is one clear error. */
  static async open(url: string): Promise<QueueRunner> {
    await checkReachable(url);
    const runner = new QueueRunner(url);
    await runner.events.waitUntilReady();
    return runner;
  }

  get where(): string {
    return `on the workers of the queue at ${shownUrl(this.url)}`;
  }

  private constructor(readonly url: string) {
    this.redis = connect(url, 'prunelab-coordinator');
    const queueConnection = connect(url, 'prunelab-coordinator-queue');
    const eventsConnection = connect(url, 'prunelab-coordinator-events');
    this.connections = [this.redis, queueConnection, eventsConnection];
    this.queue = new Queue(QUEUE_NAME, { connection: queueConnection });
    this.events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection });
    this.events.on('progress', ({ jobId: id, data }) => {
      this.streams.get(id)?.push(data as unknown as TaskEvent);
    });
    // a Redis that restarted empty lost the jobs: submit the unfinished ones again
    let first = true;
    this.redis.on('ready', () => {
      if (first) first = false;
      else void this.resubmit();
    });
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
  }

  async run(request: TaskRequest, onEvent: (event: TaskEvent) => void): Promise<TaskOutcome> {
    if (isSweepRequest(request)) throw new Error('learning-rate sweeps run on this machine');
    if (this.closed) throw new InterruptedError('the queue runner is closed');
    const { task, cfg, dir } = request;
    const blobs = await this.publish(cfg);
    const build = thisBuild();
    const study = studyKey(cfg, build, blobs);
    const id = jobId(study, task);
    const files = filesKey(study, taskId(task));
    const name = dir.split(/[\\/]/).pop() ?? dir;
    const data: QueueJobData = { build, study, name, task, cfg, ...blobs };
    await this.register(study, name, dir);
    const stream = new EventStream(task, onEvent, () => this.storedRecords(files));
    // what finished before this coordinator attached (a resumed study) is shown first
    stream.fill(await this.storedRecords(files));
    const oneShot = await readTaskFile(this.redis, files, 'one-shot.json');
    if (oneShot && task.kind === 'prune') {
      const curve = JSON.parse(oneShot.toString()) as OneShotPoint[];
      stream.push({ type: 'one-shot', task, curve, restored: true });
    }
    this.streams.set(id, stream);
    try {
      const job = await this.submit(id, data);
      const outcome = await new Promise<TaskOutcome>((resolve, reject) => {
        this.submitted.set(id, { data, dir, reject });
        job.waitUntilFinished(this.events).then(resolve, (err: Error) => {
          reject(this.closed ? new InterruptedError('stopped') : failureError(err.message));
        });
      });
      if (outcome.kind === 'prune') stream.fill(outcome.steps);
      if (outcome.kind === 'control') stream.fill(outcome.points);
      await stream.settled();
      await downloadFolder(this.redis, files, taskFolder(dir, task));
      return outcome;
    } finally {
      this.streams.delete(id);
      this.submitted.delete(id);
    }
  }

  /** Adds the job, or finds it (finished, running, or failed before: then it runs again). */
  private async submit(id: string, data: QueueJobData): Promise<Job> {
    const existing = await this.queue.getJob(id);
    if (existing) {
      if (await existing.isFailed()) await existing.retry('failed');
      return existing;
    }
    await this.redis.sadd(`${STUDIES_KEY}:${data.study}:tasks`, id);
    return this.queue.add(taskId(data.task), data, {
      jobId: id,
      attempts: 1,
      removeOnComplete: false,
      removeOnFail: false,
    });
  }

  /**
   * After Redis came back: what it lost (a server without persistence loses everything) is put
   * back — the files, the seeds' baselines from the run folder, the jobs not finished.
   */
  private async resubmit(): Promise<void> {
    this.blobs.clear();
    for (const [id, { data, dir, reject }] of this.submitted) {
      try {
        const blobs = await this.publish(data.cfg);
        await this.register(data.study, data.name, dir, true);
        if (await this.queue.getJob(id)) continue;
        if (data.task.kind !== 'baseline') {
          const baseline = { kind: 'baseline' as const, seed: data.task.seed };
          const key = filesKey(data.study, taskId(baseline));
          const upload = new FolderUpload(this.redis, key, taskFolder(dir, baseline));
          if (!(await this.redis.exists(key))) await upload.upload();
        }
        await this.submit(id, { ...data, ...blobs });
      } catch (err) {
        reject(err as Error);
      }
    }
  }

  /** The dataset (unless workers have it) and the --model file, published once by their hash. */
  private publish(cfg: StudyConfig): Promise<Blobs> {
    const key = JSON.stringify([cfg.dataset, cfg.data, cfg.model, cfg.ids, cfg.firstIds]);
    let blobs = this.blobs.get(key);
    if (!blobs) {
      blobs = (async () => {
        const published: Blobs = {};
        if (!BUNDLED.has(cfg.dataset)) {
          published.dataBlob = await putBlob(this.redis, encodeRawDataset(await loadRaw(cfg)));
        }
        if (cfg.model) published.modelBlob = await putBlob(this.redis, readFileSync(cfg.model));
        return published;
      })();
      this.blobs.set(key, blobs);
    }
    return blobs;
  }

  private async register(study: string, name: string, dir: string, force = false): Promise<void> {
    if (this.registered.has(study) && !force) return;
    this.registered.add(study);
    const entry = {
      name,
      dir,
      host: hostname(),
      pid: process.pid,
      since: new Date().toISOString(),
    };
    await this.redis.hset(STUDIES_KEY, study, JSON.stringify({ ...entry, build: thisBuild() }));
  }

  private async storedRecords(files: string): Promise<StepRecord[] | ControlPoint[]> {
    const checkpoint = await readTaskFile(this.redis, files, 'checkpoint.json');
    if (!checkpoint) return [];
    return (JSON.parse(checkpoint.toString()) as { records: StepRecord[] }).records;
  }

  /** A line on the workers connected now: how many, or why none of them will take the tasks. */
  async workersNote(): Promise<string> {
    const build = thisBuild();
    const beats: WorkerBeat[] = [];
    for (const key of await this.redis.keys(`${KEY_PREFIX}worker:*`)) {
      const text = await this.redis.get(key);
      if (text) beats.push(JSON.parse(text) as WorkerBeat);
    }
    const url = shownUrl(this.url);
    const able = beats.filter((w) => sameBuild(w.build, build));
    if (able.length) {
      const slots = able.reduce((n, w) => n + w.concurrency, 0);
      return `tasks go to the queue at ${url}: ${able.length} worker(s), ${slots} task(s) at a time`;
    }
    const start = `start \`prunelab worker --queue ${url}\` on any machine (the study waits)`;
    if (!beats.length)
      return `tasks go to the queue at ${url}; no worker is connected yet: ${start}`;
    const others = beats.map((w) => `${w.name}: ${describeBuild(w.build)}`).join('; ');
    return (
      `tasks go to the queue at ${url}, but no worker there runs ${describeBuild(build)} ` +
      `(${others}); ${start} of this version`
    );
  }

  /** Stops waiting (the jobs go on on the workers: --resume attaches to them again). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { reject } of this.submitted.values()) reject(new InterruptedError('stopped'));
    await this.events.close();
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }
}
