// Regenerates docs/web-view.png (the README's picture of the web view) from a study folder: serves
// its parent with `prunelab serve`'s own server, opens the run's page in Debian's Chromium
// (playwright-core), hovers the paper criterion's point at 79 neurons pruned for its tooltip, and
// keeps the accuracy chart. Run by scripts/docs-figure.sh after the quick study.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../dist/serve/server.js';

const run = resolve(process.argv[2] ?? 'runs/readme');
const out = process.argv[3] ?? 'docs/web-view.png';
const served = await serve({ root: dirname(run), port: 0 });
const profile = mkdtempSync(join(tmpdir(), 'prunelab-docs-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1100, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-background-networking'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${served.url}run?name=${encodeURIComponent(basename(run))}`);
  await page.waitForSelector('#oneShot svg.marks');
  const chart = await page.locator('#accuracy').boundingBox();
  // the point's place on the page, from the datum Vega keeps on its mark
  const point = await page.evaluate(() => {
    for (const path of document.querySelectorAll('#accuracy g.mark-symbol path')) {
      const datum = /** @type {any} */ (path).__data__?.datum;
      if (datum?.series === 'paper' && datum.pruned === 79) {
        const r = path.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      }
    }
    return null;
  });
  if (!chart || !point) throw new Error(`no accuracy chart with paper's step 79 in ${run}`);
  await page.mouse.move(point.x, point.y);
  await page.waitForSelector('#vg-tooltip-element.visible');
  await page.screenshot({ path: out, clip: { x: 0, y: chart.y - 20, width: 1100, height: 560 } });
  console.log(`${out} updated from ${run}`);
} finally {
  await browser.close();
  await served.close();
  rmSync(profile, { recursive: true, force: true });
}
