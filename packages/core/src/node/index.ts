/**
 * Node-only parts of the core: local files as ByteSources, atomic file sinks, and the
 * hardware CRC-32C (installed as a side effect of importing this module, loaded on first use).
 */
import { installNativeCrc32cOnFirstUse } from './native-crc32c.js';

installNativeCrc32cOnFirstUse();

export { FileSource, openFile } from './file-source.js';
export {
  AtomicFileSet, AtomicFileSink, AtomicFolder, checkWritableTarget, createFileSink, refuseOverwritingInput, staleTempsFor, tempPathFor, uniqueSuffix, writeAtomically,
  type AtomicOptions,
} from './atomic.js';
export { installNativeCrc32c, installNativeCrc32cOnFirstUse } from './native-crc32c.js';
export { critically, liveTemps, makeTrackedTempDir, removeLiveTemps, trackTemp, untrackTemp } from './temp-registry.js';
export {
  appendToLocation, basenameLocation, dirnameLocation, isFileLocation, joinLocation, listLocation, openLocation, readLocation, requireWritable, statLocation, withBasenameLocation,
  type LocationStat,
} from './locations.js';
export { remoteOptions, setRemoteOptions, type RemoteOptions } from './remote-options.js';
export { closeRemoteClients, S3Source, S3UploadSink, s3Delete, s3List, s3Size } from './s3.js';
export { commitRemoteSinks, uploadLocalPath } from './upload.js';
