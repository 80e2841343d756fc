// Making folders, and checking a run's output folder before any work: Node's recursive mkdir
// loops forever under some special file systems (a path under /proc), so folders are made one
// level at a time, and a folder that cannot be made or written to is one clear error.
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.js';

/** Makes `dir` and its missing parents, one level at a time; throws the system's error. */
export function makeDir(dir: string): void {
  const full = resolve(dir);
  if (existsSync(full)) return;
  const parent = dirname(full);
  if (parent !== full) makeDir(parent);
  try {
    mkdirSync(full);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * Checks that `dir` can hold a run's results, making it if needed: not a file, creatable, and
 * writable. `flag` names the option the folder came from, for the message.
 */
export function checkOutputDir(dir: string, flag = '--out'): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(`${flag} ${dir} is a file, not a folder; name a folder for the results`);
  }
  try {
    makeDir(dir);
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.prunelab-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UserError(
      `${flag} ${dir} cannot be created or written to (${code}); choose a folder you can write to`,
    );
  }
}

/**
 * Runs `work` with `dir` checked and made (checkOutputDir); when the work fails and `dir` did not
 * exist before and is still empty, removes it: a failed run leaves nothing behind.
 */
export async function inOutputDir<T>(
  dir: string,
  flag: string,
  work: () => Promise<T>,
  ignore: (file: string) => boolean = () => false,
): Promise<T> {
  const existed = existsSync(dir);
  checkOutputDir(dir, flag);
  try {
    return await work();
  } catch (err) {
    if (!existed && readdirSync(dir).every(ignore)) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * `runs/<prefix>-<yyyymmdd-hhmmss>` (UTC) under the working directory, for a run given no --out;
 * `-2`, `-3`, ... after it when a run started in the same second has the name.
 */
export function timestampedRunDir(prefix: string, now = new Date(), root = 'runs'): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const base = join(root, `${prefix}-${stamp}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}
