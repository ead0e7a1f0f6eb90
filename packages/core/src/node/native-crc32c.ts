/** Installs the hardware CRC-32C and zip CRC-32 of `@node-rs/crc32` when it loads on this platform. */
import { createRequire } from 'node:module';
import { crc32c, crc32cPortable, useCrc32cImplementation } from '../crc32c.js';
import { crc32, crc32Portable, useCrc32Implementation } from '../zip/crc32.js';

type NativeCrc = (input: Uint8Array, initial?: number) => number;

const view = (d: Uint8Array) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

/** Try to switch CRC-32C to the native implementation; returns whether it did. */
export function installNativeCrc32c(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@node-rs/crc32') as { crc32c: NativeCrc; crc32: NativeCrc };
    // @node-rs/crc32 wants a Buffer; wrap the view without copying.
    useCrc32cImplementation((data, crc = 0) => mod.crc32c(view(data), crc) >>> 0, '@node-rs/crc32 (hardware)');
    // Zip's CRC-32 (polynomial 0xEDB88320) from the same package.
    useCrc32Implementation((data, crc = 0) => mod.crc32(view(data), crc) >>> 0);
    return true;
  } catch {
    return false;
  }
}

/** Inputs from this size on load the addon (below it the portable code is cheaper than loading it). */
const NATIVE_FROM = 64 * 1024;

/**
 * Install the native CRCs on first use instead of at import: loading the addon costs start-up
 * time every command would pay, most of them (`ls`, `--help`) never computing a CRC.
 */
export function installNativeCrc32cOnFirstUse(): void {
  let tried = false;
  const first = () => {
    if (tried) return;
    tried = true;
    if (!installNativeCrc32c()) {
      useCrc32cImplementation(crc32cPortable, 'portable slicing-by-8');
      useCrc32Implementation(crc32Portable);
    }
  };
  // Small inputs (a checkpoint's index blocks for `ls`) take the portable code, same result:
  // loading the addon costs more CPU than it saves on a few KiB.
  useCrc32cImplementation((data, crc = 0) => (!tried && data.byteLength < NATIVE_FROM ? crc32cPortable(data, crc) : (first(), crc32c(data, crc))), '@node-rs/crc32 (hardware, loaded on first use)');
  useCrc32Implementation((data, crc = 0) => (!tried && data.byteLength < NATIVE_FROM ? crc32Portable(data, crc) : (first(), crc32(data, crc))));
}
