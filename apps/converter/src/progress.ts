/** Byte-counting progress bars on stderr; a no-op unless stderr is a terminal and output is not JSON. */
import { createRequire } from 'node:module';
import type { Io } from './io.js';
import { formatBytes } from 'tfweights/cli';

export interface Progress {
  /** Start a bar for `total` bytes. */
  start(total: number, label: string): void;
  advance(bytes: number, detail?: string): void;
  stop(): void;
}

export { networkMeter, type NetworkMeter } from './network-meter.js';
import type { NetworkMeter } from './network-meter.js';

const NONE: Progress = { start() {}, advance() {}, stop() {} };

export function makeProgress(io: Io, enabled: boolean, meter?: NetworkMeter): Progress {
  if (!enabled || !io.stderrIsTTY || !io.progressStream) return NONE;
  // Loaded only when a bar is shown: start-up of every command pays for what it uses.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar({
    stream: io.progressStream,
    format: '{label} [{bar}] {percentage}% | {done} / {size} | {rate}{net} | ETA {eta_formatted} | {detail}',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  let done = 0;
  let total = 0;
  let started = 0;
  const rate = () => {
    const s = (Date.now() - started) / 1000;
    return s > 0 ? `${formatBytes(done / s)}/s` : '';
  };
  const net = () => (meter && meter.total > 0 ? ` | network ${formatBytes(meter.total)} at ${formatBytes(meter.rate())}/s` : '');
  return {
    start(t, label) {
      total = Math.max(1, t);
      done = 0;
      started = Date.now();
      bar.start(total, 0, { label, done: formatBytes(0), size: formatBytes(t), rate: '', net: net(), detail: '' });
    },
    advance(bytes, detail = '') {
      done += bytes;
      bar.update(Math.min(done, total), { done: formatBytes(done), rate: rate(), net: net(), detail: detail.length > 40 ? `…${detail.slice(-39)}` : detail });
    },
    stop() {
      bar.stop();
    },
  };
}
