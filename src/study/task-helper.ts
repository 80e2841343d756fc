// A pruning or control run's data-parallel helper thread: its own when the study gave it a spare
// core from the start, or one borrowed between steps from a core an idle pool worker has left free
// (spare-cores.ts) and given back when the pool needs that core again. Either way the helper is the
// one the thread's last task parked, when there is one, and is parked again when the run ends. A
// run's numbers are the same with a helper or without, so when it has one does not matter to them.
import type { Network } from '../nn/network.js';
import { parkHelper, takeHelper } from '../train/helper-reuse.js';
import type { DataParallel } from '../train/parallel.js';
import { spareCores, type SpareCores } from './spare-cores.js';
import type { StudyTaskRequest } from './task.js';

/** The helper a task's request gives it from the start (the thread's parked one when it fits). */
export async function ownHelper(
  request: StudyTaskRequest,
  net: Network,
): Promise<DataParallel | null> {
  return request.helpers > 0 ? takeHelper(net, request.cfg.batch) : null;
}

export class TaskHelper {
  private borrowed = false;

  private constructor(
    public parallel: DataParallel | null,
    private readonly batch: number,
    private readonly cores: SpareCores | null,
  ) {}

  /**
   * The run's helper at its start: its own, if the study gave it one. A run that retrains after
   * every step may borrow one later; one that does not has steps too short to gain from a thread.
   */
  static async start(request: StudyTaskRequest, net: Network): Promise<TaskHelper> {
    const own = await ownHelper(request, net);
    const mayBorrow = !own && request.cfg.retrainEpochs > 0;
    return new TaskHelper(own, request.cfg.batch, mayBorrow ? spareCores() : null);
  }

  /**
   * Before a step on `net`: borrows a helper when a core is spare, gives a borrowed one back when
   * the pool wants its core. Returns the helper for the step (null: this thread alone).
   */
  async beforeStep(net: Network): Promise<DataParallel | null> {
    const cores = this.cores;
    if (!cores) return this.parallel;
    if (this.borrowed && cores.returnIfWanted()) {
      this.borrowed = false;
      await parkHelper(this.parallel);
      this.parallel = null;
    } else if (!this.borrowed && cores.borrow()) {
      this.borrowed = true;
      this.parallel = await takeHelper(net, this.batch);
    }
    return this.parallel;
  }

  /** At the run's end (or failure): the helper parked for the thread's next task, a loan repaid. */
  async end(): Promise<void> {
    await parkHelper(this.parallel);
    this.parallel = null;
    if (this.borrowed) this.cores?.giveBack();
    this.borrowed = false;
  }
}
