// Worker-thread entry: runs study tasks sent by the pool (src/prune/pool.ts) and posts their
// events back. One task at a time per worker; errors go back as messages, never as crashes.
import { parentPort } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
import { runTask, type Task } from './tasks.js';
import type { StudyConfig } from '../config.js';

parentPort!.on(
  'message',
  async (msg: { id: number; cfg: StudyConfig; dir: string; task: Task; helpers: number }) => {
    try {
      const result = await runTask(
        {
          cfg: msg.cfg,
          dir: msg.dir,
          helpers: msg.helpers,
          emit: (e) => parentPort!.postMessage({ id: msg.id, event: e }),
        },
        msg.task,
      );
      parentPort!.postMessage({ id: msg.id, result });
    } catch (err) {
      const e = err as Error;
      parentPort!.postMessage({
        id: msg.id,
        error: { message: e.message, name: e.name, user: err instanceof UserError, stack: e.stack },
      });
    }
  },
);
