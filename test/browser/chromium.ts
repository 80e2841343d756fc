// Debian's Chromium for the tests that need a real browser (the report, the web view, the study
// in the browser), through playwright-core: whether it is there, one way to launch it (headless, a
// fresh profile, nothing fetched from outside), and a page's console errors, failed responses and
// requests that leave the server.
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Chromium with a fresh profile in `profileDir`. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * What goes wrong on `page` from now on: console errors, page errors and failed responses, and,
 * given the server's address, every request that is not to it (data: and blob: URLs aside).
 */
export function watchPage(page: Page, server?: string): { errors: string[]; outside: string[] } {
  const errors: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  page.on('request', (r) => {
    if (server && !r.url().startsWith(server) && !/^(data|blob):/.test(r.url())) {
      outside.push(r.url());
    }
  });
  return { errors, outside };
}
