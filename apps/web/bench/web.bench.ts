/**
 * Scale benchmark of the web app in Debian's Chromium: generate a 2 GiB TF checkpoint
 * (TFW_BENCH_GIB, 16 × 128 MiB float32 by default), open it through the file input and time
 * the listing as the page reports it (target ≤ 2 s), then convert it to .safetensors in the
 * page (streamed into the origin-private file system) while sampling the resident memory of
 * the browser's renderer processes; target: the growth over the page's own footprint stays far
 * below the file size: ≤ 1/4 of it, and ≤ 4 × the largest tensor (tensors pass in 8 MiB chunks
 * read into reused buffers, src/file-source.ts; the bound leaves room for the garbage collector).
 * Run: pnpm --filter @tfweights/web bench   (TFW_BENCH_DIR picks the scratch folder)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTensor } from '@tfweights/core';
import { writeCheckpoint } from '@tfweights/checkpoint/node';
import { chromiumMissing, launch } from '../test/browser.js';
import { startServer } from '../test/server.js';

const MiB = 2 ** 20;
const GIB = Number(process.env.TFW_BENCH_GIB ?? 2);
const TENSOR_MIB = 128;
const app = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Resident bytes of every Chromium renderer process (the tabs and their workers). */
function rendererRss(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium') || !cmd.includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // the process ended
    }
  }
  return total;
}

async function main(): Promise<number> {
  const missing = chromiumMissing();
  if (missing) {
    console.log(`web bench ${missing}`);
    return 0;
  }
  if (!existsSync(join(app, 'dist/index.html'))) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'inherit' });
  const work = mkdtempSync(join(process.env.TFW_BENCH_DIR ?? tmpdir(), 'tfw-web-bench-'));
  const server = await startServer({ '/': join(app, 'dist') });
  const { context, close } = await launch();
  let failed = 0;
  try {
    const count = Math.ceil((GIB * 1024) / TENSOR_MIB);
    const prefix = join(work, 'big');
    const elements = (TENSOR_MIB * MiB) / 4;
    async function* tensors() {
      for (let i = 0; i < count; i++) {
        const data = new Uint8Array(TENSOR_MIB * MiB);
        const f = new Float32Array(data.buffer);
        for (let j = 0; j < f.length; j += 4096) f[j] = Math.sin(i + j);
        yield makeTensor(`layer_${String(i).padStart(3, '0')}/kernel`, 'float32', [elements / 1024, 1024], data);
      }
    }
    await writeCheckpoint(prefix, tensors());
    const files = readdirSync(work).filter((f) => f.startsWith('big.')).map((f) => join(work, f));
    const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
    console.log(`web bench: generated ${count} × ${TENSOR_MIB} MiB float32 checkpoint, ${(bytes / 2 ** 30).toFixed(2)} GiB`);

    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.setInputFiles('#pick-files', files);
    await page.waitForFunction(() => document.body.dataset.opened || !document.getElementById('error')!.hidden, null, { timeout: 120_000 });
    const status = (await page.textContent('#status')) ?? '';
    const ms = Number(/in (\d+) ms/.exec(status)?.[1] ?? NaN);
    const listOk = ms <= 2000;
    if (!listOk) failed++;
    console.log(`web bench: listing ${count} tensors took ${ms} ms in the page (target ≤ 2000 ms) ${listOk ? 'OK' : 'MISSED'}`);

    const base = rendererRss();
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, rendererRss())), 100);
    const t0 = Date.now();
    await page.selectOption('#to', 'safetensors');
    await page.click('#convert-go');
    await page.waitForFunction(() => document.body.dataset.converted || document.querySelector('#convert-log .error'), null, { timeout: 1_200_000 });
    clearInterval(timer);
    const secs = (Date.now() - t0) / 1000;
    const err = await page.locator('#convert-log .error').textContent().catch(() => null);
    if (err) throw new Error(`conversion failed in the page: ${err}`);
    const limit = Math.min(bytes / 4, 4 * TENSOR_MIB * MiB);
    const memOk = peak - base <= limit;
    if (!memOk) failed++;
    console.log(`web bench: checkpoint → .safetensors in the page: ${secs.toFixed(1)} s (${(bytes / MiB / secs).toFixed(0)} MiB/s); renderer RSS before ${(base / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB: +${((peak - base) / MiB).toFixed(0)} MiB for a ${(bytes / MiB).toFixed(0)} MiB file (target ≤ +${(limit / MiB).toFixed(0)} MiB) ${memOk ? 'OK' : 'MISSED'}`);
    console.log(`web bench: ${(await page.textContent('#convert-status')) ?? ''}`);
  } finally {
    await close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
