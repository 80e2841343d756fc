// One writer per run folder: a study takes DIR/.lock (holding its process id) before it writes,
// and refuses a folder whose lock belongs to a live process; a lock left by a process that died
// (kill -9, a crash) is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';

const LOCK = '.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `dir`, or says which live process holds it. Returns the release. */
export function lockRunDir(dir: string): () => void {
  const file = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new UserError(
        `${dir} is being written by another prunelab (process ${holder}); ` +
          'wait for it to finish or stop it, or choose another --out',
      );
    }
    rmSync(file, { force: true }); // a stale lock: its process is gone
  }
  throw new UserError(`${dir}: could not take its lock (${file}); remove the file and retry`);
}
