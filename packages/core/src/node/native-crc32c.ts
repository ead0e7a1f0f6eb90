/** Installs the hardware CRC-32C and zip CRC-32 of `@node-rs/crc32` when it loads on this platform. */
import { createRequire } from 'node:module';
import { useCrc32cImplementation } from '../crc32c.js';
import { useCrc32Implementation } from '../zip/crc32.js';

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
