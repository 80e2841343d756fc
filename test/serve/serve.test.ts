// `prunelab serve` in a real browser (Debian's Chromium through playwright-core): the runs page
// lists the runs (an unreadable one with its reason, markup in a name shown as text), a run page
// draws every chart with no console error and no request leaving the machine, a study started
// during the test appears and its steps show up live within two seconds, compare draws two runs,
// and requests for files outside the folder are refused. Screenshots of each page are written to
// test-results/serve/ (not committed) for a person to look at.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../../src/serve/server.js';
import { hasChromium, launchChromium, watchPage } from '../browser/chromium.js';

if (!hasChromium) process.stderr.write('web view tests SKIPPED: /usr/bin/chromium is missing\n');
const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const SHOTS = join(__dirname, '..', '..', 'test-results', 'serve');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-serve-'));
const root = join(tmp, 'runs');
const SMALL = ['--train-size', '400', '--val-size', '100', '--test-size', '200', '--epochs', '2'];
const MARKUP = '<img src=x onerror=alert(1)>';
let served: Served;
let browser: BrowserContext;
/** Every page opened: closed after each test (each holds a live connection to the server). */
const pages: Page[] = [];

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

function stepsOnDisk(dir: string): number {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      runs: { steps: unknown[] }[];
      control: { steps: unknown[] }[];
    };
    const count = (xs: { steps: unknown[] }[]) => xs.reduce((n, x) => n + x.steps.length, 0);
    return count(r.runs) + count(r.control);
  } catch {
    return -1;
  }
}

/** A page that records console errors and every request that is not to the server. */
async function open(path: string) {
  const page = await browser.newPage();
  const { errors, outside } = watchPage(page, served.url);
  pages.push(page);
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(served.url + path.replace(/^\//, ''));
  return { page, errors, outside };
}

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(root);
  const a = cli(
    'study',
    ...SMALL,
    '--max-pruned',
    '6',
    '--criterion',
    'merge,random',
    '--seeds',
    '2',
    '--out',
    join(root, 'fashion-a'),
    '--quiet',
  );
  if (a.status !== 0) throw new Error(a.stderr);
  const b = cli(
    'study',
    ...SMALL,
    '--max-pruned',
    '6',
    '--criterion',
    'merge',
    '--seed',
    '5',
    '--lr',
    '0.02',
    '--out',
    join(root, 'fashion-b'),
    '--quiet',
  );
  if (b.status !== 0) throw new Error(b.stderr);
  mkdirSync(join(root, 'broken'));
  writeFileSync(join(root, 'broken', 'results.json'), '{"schema": "prunelab.study/2", "runs": [');
  mkdirSync(join(root, MARKUP));
  writeFileSync(
    join(root, MARKUP, 'results.json'),
    readFileSync(join(root, 'fashion-b', 'results.json')),
  );
  writeFileSync(join(tmp, 'secret.txt'), 'outside the runs folder');
  symlinkSync(tmp, join(root, 'link-out'));
  served = await serve({ root, port: 0 });
  browser = await launchChromium(mkdtempSync(join(tmp, 'chromium-')));
}, 120_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('prunelab serve', () => {
  it('binds 127.0.0.1 and says when a port is taken', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const port = Number(new URL(served.url).port);
    await expect(serve({ root, port })).rejects.toThrow(`port ${port} on 127.0.0.1 is in use`);
    const r = cli('serve', root, '--port', String(port));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('lists the runs, the unreadable one with its reason, names with markup as text', async () => {
    const { page, errors, outside } = await open('/');
    await page.waitForSelector('tr[data-run="fashion-b"]');
    const text = await page.locator('#runs').innerText();
    expect(text).toContain('fashion-a');
    expect(text).toContain('merge, random');
    expect(text).toMatch(/unreadable: results\.json is unreadable/);
    expect(text).toContain(MARKUP);
    expect(await page.locator('#runs img').count()).toBe(0);
    await page.fill('#filter', 'random');
    await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 1);
    await page.fill('#filter', '');
    await shot(page, 'runs');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('draws every chart of a run, with its knees and files, and nothing from elsewhere', async () => {
    const { page, errors, outside } = await open('/run?name=fashion-a');
    await page.waitForSelector('#training svg');
    for (const id of ['accuracy', 'damage', 'oneShot', 'training']) {
      expect(await page.locator(`#${id} svg.marks`).count()).toBe(1);
    }
    expect(await page.locator('#knees').innerText()).toMatch(/merge\s+\d+/);
    expect(await page.locator('#files a', { hasText: 'merge-s1/knee.safetensors' }).count()).toBe(
      1,
    );
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // hover a point: its step, the neuron removed, its partner, the accuracies
    await page.locator('#accuracy g.mark-symbol path').nth(3).hover({ force: true });
    await page.waitForSelector('#vg-tooltip-element.visible');
    const tip = await page.locator('#vg-tooltip-element').innerText();
    expect(tip).toMatch(/neuron removed \(id\)/);
    expect(tip).toMatch(/accuracy before retraining/);
    await shot(page, 'run');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    const broken = await open('/run?name=broken');
    await broken.page.waitForFunction(() => document.getElementById('error')!.textContent !== '');
    expect(await broken.page.locator('#error').innerText()).toMatch(
      /cannot be shown: results\.json is unreadable/,
    );
    await page.close();
    await broken.page.close();
  });

  it("gives each criterion the report's colour on every chart of the page", async () => {
    const { page, errors } = await open('/run?name=fashion-a');
    await page.waitForSelector('#oneShot svg.marks');
    const legends = await page.evaluate(() =>
      ['accuracy', 'damage', 'oneShot'].map((id) => {
        const chart = document.getElementById(id)!;
        // a line's legend symbol is stroked, a point's filled
        const paint = (p: Element) =>
          [p.getAttribute('fill'), p.getAttribute('stroke')].find(
            (c) => c && c !== 'transparent' && c !== 'none',
          );
        const fills = [...chart.querySelectorAll('.role-legend-symbol path')].map(paint);
        const labels = [...chart.querySelectorAll('.role-legend-label text')].map(
          (t) => t.textContent,
        );
        return Object.fromEntries(labels.map((label, i) => [label, fills[i]]));
      }),
    );
    const { COLOR } = await import('../../src/report/figure-style.js');
    expect(legends[0]).toEqual({
      merge: COLOR.merge,
      random: COLOR.random,
      control: COLOR.control,
    });
    expect(legends[1]).toEqual({ merge: COLOR.merge, random: COLOR.random });
    expect(legends[2]).toEqual({ merge: COLOR.merge, random: COLOR.random });
    expect(errors).toEqual([]);
  });

  it('shows a study started now, and each new step within two seconds', async () => {
    const runs = await open('/');
    await runs.page.waitForSelector('tr[data-run="fashion-a"]');
    const dir = join(root, 'live');
    const study = spawn(process.execPath, [
      CLI,
      'study',
      '--train-size',
      '1500',
      '--val-size',
      '100',
      '--test-size',
      '200',
      '--epochs',
      '1',
      '--max-pruned',
      '25',
      '--criterion',
      'merge',
      '--no-control',
      '--out',
      dir,
      '--quiet',
    ]);
    const ended = new Promise((r) => study.once('exit', r));
    // the new run appears on the open runs page, with no reload
    await runs.page.waitForSelector('tr[data-run="live"]', { timeout: 20_000 });
    const { page, errors } = await open('/run?name=live');
    const delays: number[] = [];
    let seen = 0;
    const until = Date.now() + 60_000;
    while (delays.length < 4 && Date.now() < until) {
      const onDisk = stepsOnDisk(dir);
      if (onDisk > seen && onDisk > 0) {
        const written = Date.now();
        await page.waitForFunction(
          (n) => Number(document.body.dataset.shownSteps ?? -1) >= n,
          onDisk,
          { timeout: 5000, polling: 20 },
        );
        delays.push(Date.now() - written);
        seen = onDisk;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(delays.length).toBe(4);
    for (const delay of delays) expect(delay).toBeLessThan(2000);
    await shot(page, 'live');
    await ended;
    expect(errors).toEqual([]);
    await page.close();
    await runs.page.close();
  });

  it('compares two runs on one chart and in one table, from a link', async () => {
    const { page, errors, outside } = await open('/compare?run=fashion-a&run=fashion-b');
    await page.waitForSelector('#curves svg');
    await page.waitForFunction(() => document.body.dataset.shownRuns === '2');
    const legend = await page.locator('#curves').innerText();
    expect(legend).toContain('fashion-a · merge');
    expect(legend).toContain('fashion-b · merge');
    expect(await page.locator('#table tr').count()).toBe(1 + 3);
    await shot(page, 'compare');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
    // the same selection as a list, and no selection said in words instead of an empty chart
    const list = await open('/compare?runs=fashion-a,fashion-b');
    await list.page.waitForFunction(() => document.body.dataset.shownRuns === '2');
    const none = await open('/compare');
    await none.page.waitForFunction(() => document.getElementById('error')!.textContent !== '');
    expect(await none.page.locator('#error').innerText()).toMatch(/^No runs to compare: tick two/);
    expect(none.errors).toEqual([]);
  });

  it('serves nothing outside the runs folder', async () => {
    const get = async (path: string) => (await fetch(served.url + path)).status;
    expect(await get('files/fashion-a/results.json')).toBe(200);
    for (const path of [
      'files/../secret.txt',
      'files/%2e%2e/secret.txt',
      'files/fashion-a/%2e%2e/%2e%2e/secret.txt',
      'files/fashion-a/..%2f..%2fsecret.txt',
      'files/%2Fetc%2Fpasswd',
      'files//etc/passwd',
      'files/link-out/secret.txt',
      'files/fashion-a%5c..%5c..%5csecret.txt',
      'api/runs/..%2f/results',
      'api/runs/%2e%2e/files',
      'web/../package.json',
      'web/%2e%2e/package.json',
    ]) {
      expect([path, await get(path)]).toEqual([path, 404]);
    }
    // a raw request, not normalised by a client
    const { request } = await import('node:http');
    const raw = await new Promise<number>((resolve) => {
      const url = new URL(served.url);
      request({ host: url.hostname, port: url.port, path: '/files/../../secret.txt' }, (res) =>
        resolve(res.statusCode ?? 0),
      ).end();
    });
    expect(raw).toBe(404);
    const files = (await (await fetch(served.url + 'api/runs/link-out/files')).json()) as unknown[];
    expect(files).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('study --serve', () => {
  it("serves the study's own live page, and stops on Ctrl-C", async () => {
    const out = join(tmp, 'served-runs', 'mine');
    const study = spawn(process.execPath, [
      CLI,
      'study',
      ...SMALL,
      '--max-pruned',
      '3',
      '--criterion',
      'random',
      '--no-control',
      '--serve',
      '--out',
      out,
    ]);
    let text = '';
    study.stdout.on('data', (d: Buffer) => (text += d.toString()));
    study.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const ended = new Promise<number | null>((r) => study.once('exit', (code) => r(code)));
    const until = Date.now() + 60_000;
    while (!/still serving/.test(text) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const page = /this study, live: (http:\/\/127\.0\.0\.1:\d+\/)run\?name=mine/.exec(text);
    expect(page, text).not.toBeNull();
    const results = await fetch(`${page![1]}api/runs/mine/results`);
    expect(results.status).toBe(200);
    expect(((await results.json()) as { status: string }).status).toBe('complete');
    study.kill('SIGINT');
    expect(await ended).toBe(0);
  });
});
