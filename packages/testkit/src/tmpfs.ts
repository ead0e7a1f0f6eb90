/**
 * A small tmpfs for full-disk tests: writers must fail with one ENOSPC line and leave
 * nothing when the disk fills. Mounting needs root; where it is not permitted the helper
 * says so once and `mounted` is false (tests skip with that message).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallTmpfs {
  /** The mount point (an empty folder when mounting failed). */
  readonly path: string;
  /** True when `path` is a tmpfs of the asked size. */
  readonly mounted: boolean;
  /** Unmount (lazily) and remove the mount point. */
  cleanup(): void;
}

/** Mount a `sizeMiB` tmpfs on a fresh folder under the system temp folder. */
export function smallTmpfs(sizeMiB = 8, prefix = 'tfw-fulldisk-'): SmallTmpfs {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', path], { stdio: 'ignore' }).status === 0;
  if (!mounted) console.warn(`[tfweights] cannot mount a ${sizeMiB} MiB tmpfs (not root?): the full-disk tests are SKIPPED`);
  return {
    path,
    mounted,
    cleanup() {
      // Lazy: libhdf5 may still hold a descriptor of an abandoned file until the process ends.
      if (mounted) spawnSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
