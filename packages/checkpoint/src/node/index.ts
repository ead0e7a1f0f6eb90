/**
 * @tfweights/checkpoint/node: checkpoints from paths (prefix, .index, .data-*, directory with a
 * `checkpoint` state file) and atomic writes. Importing it installs the hardware CRC-32C.
 */
import '@tfweights/core/node';

export { openCheckpoint, resolveCheckpointPath, type OpenCheckpointOptions, type OpenedCheckpoint } from './open-checkpoint.js';
export { readCheckpointState, parseCheckpointState, type CheckpointState } from './checkpoint-state.js';
export { writeCheckpoint, type WriteCheckpointOptions, type WrittenCheckpoint } from './write-checkpoint.js';
export * from '../index.js';
