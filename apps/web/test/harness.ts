/**
 * What every end-to-end test file shares: the built site and the fixtures served from a
 * range-capable server on 127.0.0.1, one Chromium context, and the page helpers (open the
 * page, wait for a file to open, run a conversion and save its download).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { fixturesRoot, haveFixtures, tempDir } from '@tfweights/testkit';
import { chromiumMissing, launch } from './browser.js';
import { startServer, type TestServer } from './server.js';

export const APP = resolve(import.meta.dirname, '..');

/** Why the browser tests cannot run here (no Chromium, no fixtures), or undefined. */
export const missing = chromiumMissing() ?? (haveFixtures() ? undefined : 'SKIPPED: no fixtures (../shared/fixtures)');
if (missing) console.warn(`[web e2e] ${missing}`);

/** The site as `pnpm build` makes it; built here when absent (running a test file alone). */
function ensureBuilt(): void {
  if (!existsSync(join(APP, 'dist/index.html'))) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: APP, stdio: 'inherit' });
}

export interface Harness {
  readonly server: TestServer;
  readonly context: BrowserContext;
  /** Scratch folder, served at /gen/. */
  readonly tmp: ReturnType<typeof tempDir>;
  /** A new page at the site (with `?query`); `init` runs in the page before its own scripts. */
  openPage(query?: string, init?: () => void): Promise<Page>;
}

/** Start the server and the browser before the file's tests, stop them after. */
export function useHarness(): Harness {
  let server: TestServer;
  let context: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  const tmp = tempDir('tfw-web-e2e-');
  beforeAll(async () => {
    if (missing) return;
    ensureBuilt();
    server = await startServer({ '/fx/': fixturesRoot!, '/gen/': tmp.path, '/': join(APP, 'dist') });
    ({ context, close: closeBrowser } = await launch());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
    tmp.cleanup();
  });
  return {
    get server() {
      return server;
    },
    get context() {
      return context;
    },
    tmp,
    async openPage(query = '', init?: () => void) {
      const page = await context.newPage();
      if (init) await page.addInitScript(init);
      page.on('pageerror', (e) => console.error('[page error]', e.message));
      await page.goto(`${server.url}/${query}`);
      return page;
    },
  };
}

/** Wait until the page opened something (or showed an error); returns the error text or ''. */
export async function opened(page: Page, before = ''): Promise<string> {
  await page.waitForFunction((b) => (document.body.dataset.opened ?? '') !== b || !document.getElementById('error')!.hidden, before, { timeout: 60_000 });
  return (await page.locator('#error').isVisible()) ? ((await page.textContent('#error')) ?? '') : '';
}

/** Convert what is open to output `to`; fails the test on a conversion error. */
export async function convertIn(page: Page, to: string): Promise<void> {
  const before = await page.evaluate(() => document.body.dataset.converted ?? '');
  await page.selectOption('#to', to);
  await page.click('#convert-go');
  await page.waitForFunction((b) => (document.body.dataset.converted ?? '') !== b || document.querySelector('#convert-log .error'), before, { timeout: 120_000 });
  expect(await page.locator('#convert-log .error').count(), (await page.textContent('#convert-log')) ?? '').toBe(0);
  expect(await page.getAttribute('#progress', 'value')).toBe('1');
}

/** Convert, then save the offered download into `dir`; returns its path. */
export async function convertAndSave(page: Page, to: string, dir: string): Promise<string> {
  await convertIn(page, to);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}
