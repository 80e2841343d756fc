// The progress bar in a real terminal (a pseudo-terminal from util-linux's `script`): it stays
// through every phase of a study, lines printed above it do not end it, it shows an ETA once work
// has been timed, and it reaches 100%.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/cli/progress.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-tty-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('progress in a terminal', () => {
  it.skipIf(!existsSync('/usr/bin/script'))(
    'keeps the bar through the baseline and every run',
    () => {
      const study = [CLI, 'study', '--train-size', '300', '--val-size', '100', '--test-size', '200']
        .concat(['--epochs', '2', '--max-pruned', '30', '--criterion', 'paper,random'])
        .concat(['--patterns', '200', '--out', join(tmp, 'study')]);
      const command = [process.execPath, ...study].map((a) => `'${a}'`).join(' ');
      const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are stripped
      const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
      const after = screen.slice(screen.indexOf('baseline s1: test'));
      // the bar comes back after the baseline's line, and runs on through the pruning runs
      expect(after).toMatch(/study +\S+ \d+% (paper|random|control) s1 \d+\/84/);
      expect(after).toMatch(/ETA \d+s/);
      expect(screen).toMatch(/ 100% /);
      expect(screen).toMatch(/paper s1 done: knee \d+ of 84/);
      expect(screen).toMatch(/random s1 done: knee \d+ of 84/);
    },
  );

  it('writes durations as people read them', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(formatDuration(Infinity)).toBe('-');
  });
});
