/**
 * Remake docs/screenshot.png: the built site with a Keras fixture open and one tensor shown.
 * Run: pnpm --filter @tfweights/web screenshot   (after `build`)
 */
import { join, resolve } from 'node:path';
import { fixture } from '@tfweights/testkit';
import { launch } from './browser.js';
import { startServer } from './server.js';

const app = resolve(import.meta.dirname, '..');
const server = await startServer({ '/': join(app, 'dist') });
const { context, close } = await launch();
try {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.goto(`${server.url}/`);
  await page.setInputFiles('#pick-files', fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'));
  await page.waitForFunction(() => document.body.dataset.opened);
  await page.check('#hide-optimizer');
  await page.locator('button.tensor-name', { hasText: 'Dense_1/kernel' }).click();
  await page.waitForSelector('svg.histogram');
  await page.locator('#model').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(app, 'docs/screenshot.png') });
} finally {
  await close();
  await server.close();
}
