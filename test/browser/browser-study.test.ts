// The in-browser study in a real browser (Debian's Chromium through playwright-core): the page
// served by `prunelab serve` runs the paper's study with prunelab's kernels in Web Workers, its
// curve growing step by step, in a cross-origin-isolated page that requests nothing from
// elsewhere, and its numbers equal those of the CLI command the page shows, on the fused kernels
// and on the plain SIMD ones. A screenshot goes to test-results/browser/ (not committed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../../src/serve/server.js';
import type { StudyResults } from '../../src/study/results.js';
import { hasChromium, launchChromium, watchPage } from './chromium.js';

if (!hasChromium) process.stderr.write('in-browser study tests SKIPPED: no /usr/bin/chromium\n');
const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const SHOTS = join(__dirname, '..', '..', 'test-results', 'browser');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-browser-'));
let served: Served;
let browser: BrowserContext;

/** The page's settings for a small study: the paper's criterion only, a few steps. */
const SMALL = { trainSize: '300', epochs: '3', maxPruned: '5' };

/** The page, with its console errors, failed responses and requests that left the server. */
async function open(path: string) {
  const page = await browser.newPage();
  const { errors, outside } = watchPage(page, served.url);
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.goto(served.url + path);
  return { page, errors, outside };
}

/** Fills the form for SMALL, starts the study and waits for its end; returns its results. */
async function runInPage(
  page: Page,
  dataset = 'fashion-mnist',
): Promise<{ results: StudyResults; kernels: string }> {
  await page.selectOption('[name=dataset]', dataset);
  for (const box of await page.locator('[name=criterion]').all()) {
    await box.setChecked((await box.getAttribute('value')) === 'paper');
  }
  for (const [name, value] of Object.entries(SMALL)) await page.fill(`[name=${name}]`, value);
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', null, {
    timeout: 120_000,
  });
  expect(await page.locator('#error').textContent()).toBe('');
  return page.evaluate(
    () =>
      (window as unknown as { browserStudy: { results: StudyResults; kernels: string } })
        .browserStudy,
  );
}

/** Runs the command the page shows (npx prunelab -> this build) and reads its results. */
function runCommand(command: string, out: string, env: Record<string, string> = {}): StudyResults {
  const args = command.replace(/^npx prunelab /, '').split(' ');
  const r = spawnSync(process.execPath, [CLI, ...args, '--out', out, '--quiet'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as StudyResults;
}

/** What must be equal: the baseline, every step of every run and the control, the knees. */
function numbers(r: StudyResults) {
  return {
    baseline: r.baseline.perSeed.map((b) => [b.testAccuracy, b.valAccuracy, b.history.length]),
    steps: r.runs.map((run) =>
      run.steps.map((s) => [
        s.removed,
        s.mergedInto,
        s.score,
        s.testAccuracyBeforeRetrain,
        s.testAccuracy,
        s.valAccuracy,
        s.testLoss,
      ]),
    ),
    control: r.control.map((c) => c.steps.map((p) => [p.testAccuracy, p.valAccuracy])),
    knees: r.summary.criteria.map((c) => [c.criterion, c.knee]),
  };
}

beforeAll(async () => {
  if (!hasChromium) return;
  const root = join(tmp, 'runs');
  mkdirSync(root);
  served = await serve({ root, port: 0 });
  browser = await launchChromium(mkdtempSync(join(tmp, 'chromium-')));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('the study in the browser', () => {
  it("runs in Web Workers, growing step by step, with the CLI's numbers", async () => {
    const { page, errors, outside } = await open('browser');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // every count of steps the chart showed, as it showed them
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const shown = document.body.dataset.shownSteps;
        if (shown && seen.at(-1) !== shown) seen.push(shown);
      }).observe(document.body, { attributes: true });
    });
    const { results, kernels } = await runInPage(page);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.length, `the chart showed ${seen.join(', ')} steps`).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe('5');
    expect(results.status).toBe('complete');
    expect(results.environment.kernels).toBe(`wasm-${kernels}`);
    for (const chart of ['accuracy', 'damage', 'oneShot']) {
      const marks = await page.locator(`#${chart} svg .role-mark`).count();
      expect([chart, marks > 0]).toEqual([chart, true]);
    }
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'browser.png'), fullPage: true });
    const command = (await page.locator('#command').textContent())!;
    expect(command).toBe(
      'npx prunelab study --criterion paper --train-size 300 --epochs 3 --max-pruned 5',
    );
    const env: Record<string, string> = kernels === 'simd' ? { PRUNELAB_FMA: '0' } : {};
    const cli = runCommand(command, join(tmp, 'cli-auto'), env);
    expect(numbers(results)).toEqual(numbers(cli));
    // a second study in the same page starts afresh, to the same numbers
    const again = await runInPage(page);
    expect(numbers(again.results)).toEqual(numbers(cli));
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 240_000);

  it('runs the plain SIMD kernels when asked, on MNIST with two seeds, with the numbers of PRUNELAB_FMA=0', async () => {
    const { page, errors } = await open('browser?kernels=simd');
    await page.fill('[name=seeds]', '2');
    const { results, kernels } = await runInPage(page, 'mnist');
    expect(kernels).toBe('simd');
    expect(results.data.name).toBe('mnist');
    const command = (await page.locator('#command').textContent())!;
    expect(command).toMatch(/ --dataset mnist .*--seeds 2 /);
    expect(results.baseline.perSeed.map((b) => b.seed)).toEqual([1, 2]);
    const cli = runCommand(command, join(tmp, 'cli-simd'), { PRUNELAB_FMA: '0' });
    expect(cli.environment.kernels).toBe('wasm-simd');
    expect(numbers(results)).toEqual(numbers(cli));
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('sends the bundled sets only, and the bundle and kernels from the package', async () => {
    for (const [path, status] of [
      ['api/datasets/fashion-mnist', 200],
      ['api/datasets/vehicle-x', 404],
      ['api/datasets/..%2f..%2fetc', 404],
      ['app/study-page.js', 200],
      ['app/..%2f..%2fpackage.json', 404],
      ['kernels/kernels.wasm', 200],
      ['kernels/../package.json', 404],
    ] as const) {
      expect([path, (await fetch(served.url + path)).status]).toEqual([path, status]);
    }
  });
});
