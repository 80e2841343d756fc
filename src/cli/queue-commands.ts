// The commands of a study on many machines: `prunelab worker` (take tasks from a queue and run
// them) and `prunelab status` (what a queue holds), and the queue runner `study --queue` hands to
// the study loop. BullMQ loads only when a queue is used: a local study starts as fast as before.
import type { Command } from 'commander';
import type { TaskRunner } from '../study/runner.js';
import { num } from './options.js';

/** The queue runner for `study --queue URL`, with a line on the workers it will find. */
export async function queueRunner(url: string, info: (line: string) => void): Promise<TaskRunner> {
  const { QueueRunner } = await import('../queue/runner.js');
  const runner = await QueueRunner.open(url);
  info(await runner.workersNote());
  return runner;
}

export function addQueueCommands(program: Command): void {
  program
    .command('worker')
    .description(
      "run study tasks from a queue (Redis): start one on every machine that should share a study's work",
    )
    .requiredOption('--queue <url>', 'the Redis of the queue, e.g. redis://host:6379')
    .option(
      '--concurrency <n>',
      'tasks at a time (default: one per core)',
      num('--concurrency', 'int'),
    )
    .option('--threads <n>', 'threads in all (default: one per core)', num('--threads', 'int'))
    .option('--name <name>', 'how `prunelab status` shows this worker (default: host-pid)')
    .option(
      '--lock-seconds <s>',
      "seconds without a sign of life after which this worker's task goes to another (default: 10)",
      num('--lock-seconds', 'int'),
    )
    .action(async (opts: Record<string, unknown>) => {
      const { startQueueWorker } = await import('../queue/worker.js');
      const worker = await startQueueWorker({
        url: opts.queue as string,
        concurrency: opts.concurrency as number | undefined,
        threads: opts.threads as number | undefined,
        name: opts.name as string | undefined,
        lockSeconds: opts.lockSeconds as number | undefined,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      await worker.stopped;
    });

  program
    .command('status')
    .description('what a queue holds: its studies, their tasks, and the workers connected')
    .requiredOption('--queue <url>', 'the Redis of the queue, e.g. redis://host:6379')
    .option('--log-json', 'print the status as JSON')
    .action(async (opts: Record<string, unknown>) => {
      const { queueStatus, statusText } = await import('../queue/status.js');
      const status = await queueStatus(opts.queue as string);
      process.stdout.write(
        opts.logJson ? JSON.stringify(status, null, 2) + '\n' : statusText(status) + '\n',
      );
    });
}
