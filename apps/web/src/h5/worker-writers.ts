/**
 * Keras outputs written by the worker's h5wasm: `@tfweights/keras`'s streaming writers (the
 * ones the CLI's Node writers wrap) write a file in Emscripten's MEMFS, each tensor as it
 * arrives; `finish` closes it (and, for a legacy `.h5`, applies the same NULLPAD string patch
 * as the CLI, through the in-worker file system); the page then reads it back in slices
 * (`chunk`) into its sink and `release`s it. MEMFS keeps the file in memory: the page bounds
 * the output size (MAX_WORKER_OUTPUT_BYTES in remote-reader.ts).
 */
import { emscriptenPatchFile, Keras3WeightsStream, LegacyH5Stream, markFixedStringsNullPad, type H5Api } from '@tfweights/keras';
import type { Tensor } from '@tfweights/core';
import type { WorkerWriterOptions } from './protocol.js';

interface MemFs {
  open(path: string, flags: string): unknown;
  read(stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number): number;
  write(stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number): number;
  close(stream: unknown): void;
  stat(path: string): { size: number };
  unlink(path: string): void;
}

interface Output {
  readonly path: string;
  readonly stream: LegacyH5Stream | Keras3WeightsStream;
  finished: boolean;
}

const outputs = new Map<number, Output>();

const fsOf = (api: H5Api) => api.module.FS as unknown as MemFs;

/** Start a `.h5` (legacy) or `.weights.h5` (Keras 3, also the weights member of a `.keras`) in MEMFS. */
export function createOutput(api: H5Api, handle: number, o: WorkerWriterOptions, name: string): void {
  const path = `/out${handle}.h5`;
  const opts = {
    classes: o.classes,
    ...(o.layout ? { layout: o.layout } : {}),
    ...(o.modelConfig !== undefined ? { modelConfig: o.modelConfig } : {}),
    ...(o.trainingConfig !== undefined ? { trainingConfig: o.trainingConfig } : {}),
    ...(o.kerasVersion !== undefined ? { kerasVersion: o.kerasVersion } : {}),
  };
  const stream = o.kind === 'keras-h5' ? LegacyH5Stream.create(api, path, opts, name) : Keras3WeightsStream.create(api, path, opts, name);
  outputs.set(handle, { path, stream, finished: false });
}

function output(handle: number): Output {
  const o = outputs.get(handle);
  if (!o) throw new Error(`no open output #${handle}`);
  return o;
}

export async function writeOutput(handle: number, tensor: Tensor): Promise<void> {
  await output(handle).stream.write(tensor);
}

/** Close the file; returns its size and its layers (for a `.keras` default config). */
export async function finishOutput(api: H5Api, handle: number): Promise<{ size: number; layers: { name: string; className?: string }[] }> {
  const o = output(handle);
  const fs = fsOf(api);
  o.stream.finish();
  o.finished = true;
  if (o.stream instanceof LegacyH5Stream) {
    const file = emscriptenPatchFile(fs, o.path);
    try {
      await markFixedStringsNullPad(file, o.stream.h5);
    } finally {
      file.close();
    }
  }
  return { size: fs.stat(o.path).size, layers: o.stream.layerList() };
}

/** Bytes [offset, offset + length) of a finished output. */
export function chunkOfOutput(api: H5Api, handle: number, offset: number, length: number): Uint8Array {
  const o = output(handle);
  if (!o.finished) throw new Error(`output #${handle} is not finished`);
  const fs = fsOf(api);
  const stream = fs.open(o.path, 'r');
  try {
    const buf = new Uint8Array(length);
    return buf.subarray(0, fs.read(stream, buf, 0, length, offset));
  } finally {
    fs.close(stream);
  }
}

/** Drop an output (aborting it when unfinished) and its MEMFS file. */
export function releaseOutput(api: H5Api, handle: number): void {
  const o = outputs.get(handle);
  if (!o) return;
  outputs.delete(handle);
  try {
    if (!o.finished) o.stream.abort();
  } catch {
    // a failed finish already closed it
  }
  try {
    fsOf(api).unlink(o.path);
  } catch {
    // never created
  }
}
