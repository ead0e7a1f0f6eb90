/** Installs the hardware CRC-32C of `@node-rs/crc32` when it loads on this platform. */
import { createRequire } from 'node:module';
import { useCrc32cImplementation } from '../crc32c.js';

type NativeCrc = (input: Uint8Array, initial?: number) => number;

/** Try to switch CRC-32C to the native implementation; returns whether it did. */
export function installNativeCrc32c(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@node-rs/crc32') as { crc32c: NativeCrc };
    const native = mod.crc32c;
    // @node-rs/crc32 wants a Buffer; wrap the view without copying.
    useCrc32cImplementation(
      (data, crc = 0) => native(Buffer.from(data.buffer, data.byteOffset, data.byteLength), crc) >>> 0,
      '@node-rs/crc32 (hardware)',
    );
    return true;
  } catch {
    return false;
  }
}
