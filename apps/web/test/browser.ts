/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download is not
 * available here): headless, no sandbox (root in CI), no network chatter, a fresh profile.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.TFW_CHROMIUM ?? '/usr/bin/chromium';

/** Undefined when there is no Chromium, with the message tests print when they skip. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `SKIPPED: no Chromium at ${CHROMIUM} (scripts/setup.sh installs Debian's chromium with apt)`;
}

export async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'tfw-web-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
