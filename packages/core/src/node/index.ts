/**
 * Node-only parts of the core: local files as ByteSources, atomic file sinks, and the
 * hardware CRC-32C (installed as a side effect of importing this module, loaded on first use).
 */
import { installNativeCrc32cOnFirstUse } from './native-crc32c.js';

installNativeCrc32cOnFirstUse();

export { FileSource, openFile } from './file-source.js';
export {
  AtomicFileSet, AtomicFileSink, checkWritableTarget, createFileSink, refuseOverwritingInput, tempPathFor, writeAtomically,
  type AtomicOptions,
} from './atomic.js';
export { installNativeCrc32c, installNativeCrc32cOnFirstUse } from './native-crc32c.js';
