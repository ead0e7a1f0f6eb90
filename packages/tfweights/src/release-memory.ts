/**
 * Big tensors are ArrayBuffers outside the JS heap; V8 frees them only at its next major GC,
 * which a small heap rarely triggers, so a streaming conversion would otherwise keep the last
 * few large tensors alive. After writing a large tensor we ask for a GC (a few ms on this
 * small heap), which keeps peak memory at about two tensors while reading ahead.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Tensors at least this large trigger a collection once written. */
export const RELEASE_THRESHOLD = 32 * 1024 * 1024;

let collect: (() => void) | undefined | null = null;

function collector(): (() => void) | undefined {
  if (collect === null) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = undefined;
    }
  }
  return collect;
}

/** Free the buffers of tensors no longer referenced, when `bytes` were just released. */
export function releaseMemory(bytes: number): void {
  if (bytes >= RELEASE_THRESHOLD) collector()?.();
}
