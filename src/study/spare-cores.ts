// Cores the local pool's idle workers leave free, lent to running tasks as data-parallel helper
// threads. When a study's last tasks run on fewer workers than the pool has (three criteria on two
// cores, or the last run of a study), a running task takes a helper for its next steps instead of
// leaving a core idle, and gives it back when the pool hands the idle worker a new task. The
// numbers do not change: a task computes the same on one thread or two. The pool (main thread)
// and the tasks (its worker threads) share three counters in a SharedArrayBuffer.

const IDLE = 0;
const LENT = 1;
const LOANS = 2;

export class SpareCores {
  private readonly counts: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(3 * 4)) {
    this.counts = new Int32Array(buffer);
  }

  /** The pool: how many of its workers have no task and none waiting for them. */
  setIdle(workers: number): void {
    Atomics.store(this.counts, IDLE, workers);
  }

  /** A task: takes a spare core when more workers are idle than cores are lent. */
  borrow(): boolean {
    for (;;) {
      const lent = Atomics.load(this.counts, LENT);
      if (lent >= Atomics.load(this.counts, IDLE)) return false;
      if (Atomics.compareExchange(this.counts, LENT, lent, lent + 1) === lent) {
        Atomics.add(this.counts, LOANS, 1);
        return true;
      }
    }
  }

  /**
   * A task holding a lent core: gives it back when the pool wants it (more cores lent than workers
   * idle, since a task reached an idle worker); true if it did.
   */
  returnIfWanted(): boolean {
    for (;;) {
      const lent = Atomics.load(this.counts, LENT);
      if (lent <= Atomics.load(this.counts, IDLE)) return false;
      if (Atomics.compareExchange(this.counts, LENT, lent, lent - 1) === lent) return true;
    }
  }

  /** A task done with a lent core. */
  giveBack(): void {
    Atomics.sub(this.counts, LENT, 1);
  }

  /** Cores lent at this moment. */
  get lent(): number {
    return Atomics.load(this.counts, LENT);
  }

  /** Loans made so far (a core lent, given back and lent again counts twice). */
  get loans(): number {
    return Atomics.load(this.counts, LOANS);
  }
}

let shared: SpareCores | null = null;

/** A worker thread of the local pool: the pool's counters (none elsewhere: nothing is lent). */
export function useSpareCores(cores: SpareCores | null): void {
  shared = cores;
}

export function spareCores(): SpareCores | null {
  return shared;
}
