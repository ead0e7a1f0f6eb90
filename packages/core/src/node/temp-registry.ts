/**
 * Every temporary path tfweights creates, process-wide, so that an interrupted conversion
 * leaves nothing behind: on SIGINT, SIGTERM and SIGHUP (and on exit) every live temporary file
 * or folder is removed (or, for an old output moved aside during a commit, put back), then the
 * process exits 130 / 143 / 129 when no one else listens for that signal. Commits of
 * multi-file outputs run as critical sections: a signal arriving during the few renames is
 * held until they are done, so a catchable signal never leaves a mix of old and new files.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Live {
  /** Put this path back here instead of removing it (an old output moved aside). */
  restoreTo?: string;
}

const live = new Map<string, Live>();
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type Sig = keyof typeof SIGNALS;
let installed = false;
let critical = 0;
let pending: Sig | undefined;

/** Track a temporary path (file or folder) until {@link untrackTemp}; installs the handlers once. */
export function trackTemp(path: string, restoreTo?: string): void {
  live.set(path, restoreTo !== undefined ? { restoreTo } : {});
  install();
}

/** Stop tracking a path (it was renamed into place or removed). */
export function untrackTemp(path: string): void {
  live.delete(path);
}

/** Temporary paths alive now (for tests and diagnostics). */
export function liveTemps(): string[] {
  return [...live.keys()];
}

/** Remove every live temporary path now, synchronously (restoring moved-aside outputs). */
export function removeLiveTemps(): void {
  for (const [path, l] of live) {
    try {
      if (l.restoreTo !== undefined && !existsSync(l.restoreTo) && existsSync(path)) renameSync(path, l.restoreTo);
      // Retried: a file the thread pool was creating in a temporary folder when the signal
      // came can land between the listing and the rmdir (ENOTEMPTY), leaving the folder.
      else rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 10 });
    } catch {
      // Best effort: the process is going away.
    }
  }
  live.clear();
}

/** Run `fn` with signals held: a SIGINT during it takes effect right after. */
export async function critically<T>(fn: () => Promise<T>): Promise<T> {
  install();
  critical++;
  try {
    return await fn();
  } finally {
    critical--;
    if (critical === 0 && pending) onSignal(pending);
  }
}

function onSignal(sig: Sig): void {
  if (critical > 0) {
    pending = sig;
    return;
  }
  removeLiveTemps();
  // Only end the process when tfweights' handler is the only one (an application that
  // listens for the signal decides itself what happens next).
  if (process.listenerCount(sig) <= 1) process.exit(128 + SIGNALS[sig]);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const sig of Object.keys(SIGNALS) as Sig[]) process.on(sig, () => onSignal(sig));
  process.on('exit', removeLiveTemps);
}

/** A fresh folder under the OS temp folder, tracked until `remove()` (or the process ends). */
export async function makeTrackedTempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  trackTemp(path);
  return {
    path,
    async remove(): Promise<void> {
      await rm(path, { recursive: true, force: true });
      untrackTemp(path);
    },
  };
}
