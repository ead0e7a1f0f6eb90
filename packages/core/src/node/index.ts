/**
 * Node-only parts of the core: local files as ByteSources, atomic file sinks, and the
 * hardware CRC-32C (installed as a side effect of importing this module).
 */
import { installNativeCrc32c } from './native-crc32c.js';

installNativeCrc32c();

export { FileSource, openFile } from './file-source.js';
export {
  AtomicFileSet, AtomicFileSink, AtomicFolder, checkWritableTarget, createFileSink, refuseOverwritingInput, staleTempsFor, tempPathFor, writeAtomically,
  type AtomicOptions,
} from './atomic.js';
export { critically, liveTemps, makeTrackedTempDir, removeLiveTemps, trackTemp, untrackTemp } from './temp-registry.js';
export { installNativeCrc32c } from './native-crc32c.js';
