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

const NONE: Progress = { start() {}, advance() {}, stop() {} };

export function makeProgress(io: Io, enabled: boolean): Progress {
  if (!enabled || !io.stderrIsTTY || !io.progressStream) return NONE;
  // Loaded only when a bar is shown: start-up of every command pays for what it uses.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar({
    stream: io.progressStream,
    format: '{label} [{bar}] {percentage}% | {done} / {size} | {detail}',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  let done = 0;
  let total = 0;
  return {
    start(t, label) {
      total = Math.max(1, t);
      done = 0;
      bar.start(total, 0, { label, done: formatBytes(0), size: formatBytes(t), detail: '' });
    },
    advance(bytes, detail = '') {
      done += bytes;
      bar.update(Math.min(done, total), { done: formatBytes(done), detail: detail.length > 40 ? `…${detail.slice(-39)}` : detail });
    },
    stop() {
      bar.stop();
    },
  };
}
