// `prunelab status`: what a queue holds — each study submitted to it with its tasks waiting,
// running, done and failed, and each live worker with its build and what it is running.
import { Queue } from 'bullmq';
import type { Build } from './compat.js';
import { checkReachable, connect, KEY_PREFIX, shownUrl } from './connection.js';
import { QUEUE_NAME, STUDIES_KEY } from './jobs.js';
import type { WorkerBeat } from './worker.js';

export interface StudyStatus {
  key: string;
  name: string;
  dir: string;
  host: string;
  since: string;
  build: Build;
  tasks: Record<string, number>;
  failed: { task: string; error: string }[];
}

export interface QueueStatus {
  url: string;
  counts: Record<string, number>;
  studies: StudyStatus[];
  workers: WorkerBeat[];
}

const STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;

export async function queueStatus(url: string): Promise<QueueStatus> {
  await checkReachable(url);
  const redis = connect(url, 'prunelab-status');
  const queueConnection = connect(url, 'prunelab-status-queue');
  const queue = new Queue(QUEUE_NAME, { connection: queueConnection });
  try {
    const counts = await queue.getJobCounts(...STATES);
    const studies: StudyStatus[] = [];
    for (const [key, text] of Object.entries(await redis.hgetall(STUDIES_KEY))) {
      const entry = JSON.parse(text) as Omit<StudyStatus, 'key' | 'tasks' | 'failed'>;
      const tasks: Record<string, number> = {};
      const failed: StudyStatus['failed'] = [];
      for (const id of await redis.smembers(`${STUDIES_KEY}:${key}:tasks`)) {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'lost';
        tasks[state] = (tasks[state] ?? 0) + 1;
        if (state === 'failed' && job) failed.push({ task: job.name, error: job.failedReason });
      }
      studies.push({ key, ...entry, tasks, failed });
    }
    const workers: WorkerBeat[] = [];
    for (const key of await redis.keys(`${KEY_PREFIX}worker:*`)) {
      const text = await redis.get(key);
      if (text) workers.push(JSON.parse(text) as WorkerBeat);
    }
    studies.sort((a, b) => a.since.localeCompare(b.since));
    workers.sort((a, b) => a.name.localeCompare(b.name));
    return { url: shownUrl(url), counts, studies, workers };
  } finally {
    await queue.close();
    queueConnection.disconnect();
    redis.disconnect();
  }
}

export function statusText(s: QueueStatus): string {
  const counts = STATES.map((state) => `${s.counts[state] ?? 0} ${state}`).join(', ');
  const lines = [`queue at ${s.url}: ${counts}`];
  lines.push(s.studies.length ? 'studies:' : 'studies: none');
  for (const study of s.studies) {
    const tasks = Object.entries(study.tasks)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    lines.push(
      `  ${study.name} (${study.host}:${study.dir}, since ${study.since}): ${tasks || 'no tasks'}`,
    );
    for (const f of study.failed) lines.push(`    failed ${f.task}: ${f.error}`);
  }
  lines.push(s.workers.length ? 'workers:' : 'workers: none connected');
  for (const w of s.workers) {
    const running = w.running.map((r) => `${r.study} ${r.task} (step ${r.step})`).join(', ');
    lines.push(
      `  ${w.name} prunelab ${w.build.version} (${w.build.kernels}), ${w.concurrency} at a ` +
        `time, ${w.done} done, ${w.failed} failed; ${running ? `running ${running}` : 'idle'}`,
    );
  }
  return lines.join('\n');
}
