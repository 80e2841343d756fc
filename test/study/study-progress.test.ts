// A study's progress (src/study/study-progress.ts): one bar over all its work in images, which
// ends exactly at its total; work restored from checkpoints counts as done but not as computed,
// so that the ETA comes from this session's rate; one line per finished pruning run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStudyConfig } from '../../src/config.js';
import { resumeStudy, runStudy } from '../../src/study/study.js';
import { silentProgress, type ProgressReporter } from '../../src/util/progress.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function recorder() {
  const seen = { total: 0, done: 0, computed: 0, lines: [] as string[] };
  const reporter: ProgressReporter = {
    ...silentProgress,
    start: (_label, total) => (seen.total = total),
    update: (done, _status, computed = done) => {
      seen.done = done;
      seen.computed = computed;
    },
    info: (line) => seen.lines.push(line),
  };
  return { seen, reporter };
}

describe('study progress', () => {
  it('counts every unit of work once, and says when each pruning run is done', async () => {
    const cfg = parseStudyConfig({
      trainSize: 200,
      valSize: 50,
      testSize: 50,
      epochs: 2,
      maxPruned: 3,
      criterion: ['paper', 'random'],
      patterns: 100,
      out: join(tmp, 'study'),
    });
    const first = recorder();
    await runStudy(cfg, first.reporter);
    // the total: 2 baseline epochs of 3 x 200 + 50 images, evaluations, 3 steps of 3 tasks
    expect(first.seen.total).toBeGreaterThan(2 * (3 * 200 + 50));
    expect(first.seen.done).toBe(first.seen.total);
    expect(first.seen.computed).toBe(first.seen.total);
    expect(
      first.seen.lines.filter((l) => /^ {2}(paper|random) s1 done: knee \d+ of 84/.test(l)),
    ).toHaveLength(2);
    const again = recorder();
    await resumeStudy(join(tmp, 'study'), again.reporter);
    expect(again.seen.done).toBe(again.seen.total);
    expect(again.seen.computed).toBe(0); // everything came from the checkpoints
  });
});
