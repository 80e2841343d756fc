// The figures and the HTML report: PNGs decode at the expected size, the summary sentences carry
// the numbers of results.json, user strings are escaped, an unfinished run reports what is done,
// and the page renders in a real browser (Debian's Chromium via playwright-core) without errors.
import { mkdtempSync, readFileSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, watchPage } from '../browser/chromium.js';
import { silentProgress } from '../../src/util/progress.js';
import { parseStudyConfig } from '../../src/config.js';
import { runStudy } from '../../src/study/study.js';
import type { StudyResults } from '../../src/study/results.js';
import { writeReport } from '../../src/report/report.js';
import { summarySentences } from '../../src/report/summary.js';

const tmp = mkdtempSync(join(tmpdir(), 'prunelab-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'study');
let results: StudyResults;

beforeAll(async () => {
  const run = await runStudy(
    parseStudyConfig({
      trainSize: 300,
      valSize: 100,
      testSize: 200,
      epochs: 3,
      maxPruned: 5,
      criterion: ['paper', 'random', 'merge'],
      seeds: 2,
      patterns: 200,
      out: dir,
    }),
    silentProgress,
  );
  results = run.results;
  await writeReport(run.dir);
}, 120_000);

describe('figures and report', () => {
  it('writes every figure as SVG and as a PNG that decodes at twice the SVG size', async () => {
    const names = ['accuracy', 'damage', 'training', 'classes', 'cosine', 'parameters', 'speed'];
    for (const name of names) {
      const svg = readFileSync(join(dir, 'figures', `${name}.svg`), 'utf8');
      const w = Number(/<svg[^>]*width="(\d+)"/.exec(svg)![1]),
        h = Number(/<svg[^>]*height="(\d+)"/.exec(svg)![1]);
      const meta = await sharp(join(dir, 'figures', `${name}.png`)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(2 * w);
      expect(meta.height).toBe(2 * h);
    }
    const acc = readFileSync(join(dir, 'figures', 'accuracy.svg'), 'utf8');
    // in each of the two panels (all, zoomed): one line per criterion plus the control, and a
    // band per series (2 seeds)
    expect(acc.match(/class="mark-line role-mark/g)).toHaveLength(
      2 * (results.summary.criteria.length + 1),
    );
    expect(acc.match(/class="mark-area role-mark/g)).toHaveLength(
      2 * (results.summary.criteria.length + 1),
    );
    expect(acc).toContain('zoomed');
    // the training figure has a legend naming the two splits
    const training = readFileSync(join(dir, 'figures', 'training.svg'), 'utf8');
    expect(training).toMatch(/role-legend/);
    expect(training).toContain('validation');
    expect(acc).toContain('neurons pruned from fc2');
  });

  it('writes a summary whose numbers are those of results.json', () => {
    const text = summarySentences(results).join(' ');
    expect(text).toContain(`Baseline test accuracy is ${results.baseline.testAccuracy.toFixed(3)}`);
    for (const c of results.summary.criteria) {
      expect(text).toContain(`\`${c.criterion}\``);
      expect(text).toContain(`${c.immediateDamage.mean.toFixed(2)} points with \`${c.criterion}\``);
    }
    // one sentence for the knees: their range, the table has each, against the control
    const byKnee = [...results.summary.criteria].sort((a, b) => a.knee - b.knee);
    const [low, high] = [byKnee[0], byKnee[byKnee.length - 1]];
    // the mean curves' band: the test set's noise, or the 2 seeds' spread of the baseline if wider
    // (here it is: 3.2 points against 3.1)
    const wide = 100 * Math.max(results.summary.tolerance, results.baseline.testAccuracySpread);
    for (const c of results.summary.criteria) expect(100 * c.kneeTolerance!).toBeCloseTo(wide, 9);
    expect(text).toContain(`within ${wide.toFixed(wide % 1 ? 1 : 0)} point`);
    expect(text).toContain(
      `of the control's until between ${low.knee} (\`${low.criterion}\`) and ${high.knee} (\`${high.criterion}\`) ` +
        'of the 84 neurons are pruned',
    );
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain(results.baseline.testAccuracy.toFixed(3));
    // the bundled sets are not augmented: the configuration says so instead of "flip 0.5"
    expect(html).toContain('<td>augment</td><td>not applied (only image datasets are augmented)');
    // a 0 that means "decide for me" shows what was decided
    const noise = (100 * results.summary.tolerance).toFixed(1);
    expect(html).toContain(`<td>tolerance</td><td>0: the test set&#39;s noise, ${noise} points`);
    expect(html).toMatch(/<td>threads<\/td><td>0: one per core \(\d+\)/);
    expect(html).toContain('<td>saveSteps</td><td>none');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('warns, with no control, when the retrained curves climb above the baseline', async () => {
    const { summaryText } = await import('../../src/study/summary-text.js');
    const tolerance = results.summary.tolerance;
    const withRise = (points: number): StudyResults => ({
      ...results,
      summary: {
        ...results.summary,
        control: [],
        criteria: results.summary.criteria.map((c, i) => ({
          ...c,
          steps: c.steps.map((s, j) => ({
            ...s,
            testAccuracy: {
              ...s.testAccuracy,
              mean:
                i === 1 && j === 2
                  ? results.baseline.testAccuracy + points / 100
                  : Math.min(s.testAccuracy.mean, results.baseline.testAccuracy),
            },
          })),
        })),
      },
    });
    const climbing = withRise(100 * tolerance + 4);
    const where = `\`${results.summary.criteria[1].criterion}\` at 3 pruned`;
    const climb = (100 * tolerance + 4).toFixed(1);
    expect(summarySentences(climbing).join(' ')).toContain(
      `There is no control, and the retrained curves climb up to ${climb} points above the ` +
        `baseline (${where})`,
    );
    expect(summaryText(climbing, 'run')).toContain(`warning: accuracy climbs ${climb} points`);
    expect(summarySentences(climbing).join(' ')).toMatch(/points of the baseline until between/);
    // within the tolerance: nothing to warn about
    const flat = withRise(100 * tolerance - 0.1);
    expect(summarySentences(flat).join(' ')).not.toContain('There is no control');
    expect(summaryText(flat, 'run')).not.toContain('warning');
    // with a control, the control's sentence says it instead
    expect(summarySentences(results).join(' ')).not.toContain('There is no control');
  });

  it("ends the damage figure's axis at the layer's units, and says 'one seed' for one seed", async () => {
    const { damageSpec } = await import('../../src/report/figures.js');
    const { renderHtml } = await import('../../src/report/html.js');
    const spec = damageSpec(results) as unknown as {
      encoding: { x: { scale: { domain: number[] } } };
    };
    expect(spec.encoding.x.scale.domain).toEqual([0, 84]);
    const oneSeed: StudyResults = {
      ...results,
      config: { ...results.config, seeds: 1 },
      summary: {
        ...results.summary,
        criteria: results.summary.criteria.map((c) => ({ ...c, seeds: 1 })),
      },
    };
    const html = renderHtml(oneSeed, []);
    expect(html).toContain('<td>one seed</td>');
    expect(html).not.toMatch(/± 0\.0</);
  });

  it('escapes a hostile class name and run name', async () => {
    const evil = join(tmp, 'evil<img src=x>');
    cpSync(dir, evil, { recursive: true });
    const r = JSON.parse(readFileSync(join(evil, 'results.json'), 'utf8')) as StudyResults;
    r.data.classes[3] = '<script>alert(1)</script>';
    r.name = '<b>run</b>';
    writeFileSync(join(evil, 'results.json'), JSON.stringify(r));
    const html = readFileSync(await writeReport(evil), 'utf8');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;run&lt;/b&gt;');
  });

  it('reads results written before version 0.2 (schema prunelab.study/1)', async () => {
    const old = join(tmp, 'old');
    cpSync(dir, old, { recursive: true });
    const text = readFileSync(join(old, 'results.json'), 'utf8')
      .replace('"schema": "prunelab.study/2"', '"schema": "prunelab.study/1"')
      .replace(/"criterion":/g, '"strategy":')
      .replace(/"score":/g, '"similarity":')
      .replace(/"scoreKind": "[a-z-]+",?/g, '');
    writeFileSync(join(old, 'results.json'), text);
    const html = readFileSync(await writeReport(old), 'utf8');
    for (const c of results.summary.criteria) expect(html).toContain(`<td>${c.criterion}</td>`);
    expect(html).toContain(`<td>${results.summary.criteria[0].knee}</td>`);
  });

  it('reports an interrupted run with what is finished', async () => {
    const part = join(tmp, 'partial');
    cpSync(dir, part, { recursive: true });
    const r = JSON.parse(readFileSync(join(part, 'results.json'), 'utf8')) as StudyResults;
    r.status = 'interrupted';
    r.runs = r.runs.map((x) => ({ ...x, complete: false, steps: x.steps.slice(0, 2) }));
    r.summary.criteria = r.summary.criteria.map((c) => ({ ...c, steps: c.steps.slice(0, 2) }));
    writeFileSync(join(part, 'results.json'), JSON.stringify(r));
    const html = readFileSync(await writeReport(part), 'utf8');
    expect(html).toMatch(/Status: interrupted/);
    expect(html).toMatch(
      /This run is interrupted: the figures and tables show the steps finished so far/,
    );
  });

  it.skipIf(!hasChromium)(
    'renders in headless Chromium: every figure, no console errors, a screenshot',
    async () => {
      const browser = await launchChromium(mkdtempSync(join(tmp, 'chromium-')));
      try {
        const page = await browser.newPage();
        const { errors } = watchPage(page);
        await page.goto('file://' + join(dir, 'report.html'));
        const figs = await page.$$eval('figure[data-figure]', (els) =>
          els.map((e) => ({
            name: e.getAttribute('data-figure'),
            w: e.querySelector('svg')!.getBoundingClientRect().width,
            marks: e.querySelectorAll('svg .role-mark').length,
          })),
        );
        expect(figs.map((f) => f.name).sort()).toEqual([
          'accuracy',
          'classes',
          'cosine',
          'damage',
          'network',
          'oneShot',
          'parameters',
          'speed',
          'training',
        ]);
        for (const f of figs) {
          expect(f.w).toBeGreaterThan(200);
          expect(f.marks).toBeGreaterThan(0);
        }
        // one line per criterion plus the control in each panel of the main figure
        const series = await page.$$eval('#fig-accuracy svg g.mark-line', (p) => p.length);
        expect(series).toBe(2 * (results.summary.criteria.length + 1));
        await page.screenshot({ path: join(tmp, 'report.png'), fullPage: true });
        expect((await sharp(join(tmp, 'report.png')).metadata()).height).toBeGreaterThan(1000);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
