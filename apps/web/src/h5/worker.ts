/**
 * h5wasm in a worker: each opened HDF5 file is a Blob mounted in Emscripten's WORKERFS, which
 * reads it with FileReaderSync slice by slice, so a large .h5 (or the weights member of a
 * .keras, mounted as a slice of the archive) is never copied whole into the wasm heap.
 * The page's RemoteKerasReader forwards list/read/close here; `KerasReader` does the work.
 */
import h5wasm from 'h5wasm';
import { isTfwError } from '@tfweights/core';
import { KerasReader, type H5Api } from '@tfweights/keras';
import type { H5Request, H5Response } from './protocol.js';
import { RangeFile } from './range-file.js';
import { chunkOfOutput, createOutput, finishOutput, releaseOutput, writeOutput } from './worker-writers.js';

let api: Promise<H5Api> | undefined;
const readers = new Map<number, KerasReader>();
let next = 1;

function h5Api(): Promise<H5Api> {
  api ??= h5wasm.ready.then((module) => ({ h5: h5wasm, module }));
  return api;
}

async function handle(req: H5Request): Promise<H5Response> {
  const { module } = await h5Api();
  if (req.op === 'open') {
    const handle = next++;
    const dir = `/in${handle}`;
    const fs = module.FS as unknown as { mkdir(p: string): void; mount(type: unknown, opts: unknown, p: string): void; unmount(p: string): void; rmdir(p: string): void; filesystems: { WORKERFS: unknown } };
    fs.mkdir(dir);
    const data = req.blob instanceof Blob ? req.blob : new RangeFile(req.blob, req.name);
    fs.mount(fs.filesystems.WORKERFS, { blobs: [{ name: 'file.h5', data }] }, dir);
    try {
      const reader = KerasReader.open(await h5Api(), `${dir}/file.h5`, {
        name: req.name,
        ...(req.config !== undefined ? { config: req.config } : {}),
        ...(req.metadata ? { metadata: req.metadata } : {}),
        onClose: () => {
          fs.unmount(dir);
          fs.rmdir(dir);
        },
      });
      readers.set(handle, reader);
      return {
        id: req.id, ok: true,
        opened: { handle, format: reader.format, source: reader.source, metadata: { ...reader.metadata }, list: [...reader.list()], layers: [...reader.layers()] },
      };
    } catch (err) {
      fs.unmount(dir);
      fs.rmdir(dir);
      throw err;
    }
  }
  if (req.op === 'create') {
    const handle = next++;
    createOutput(await h5Api(), handle, req.options, req.name);
    return { id: req.id, ok: true, handle };
  }
  if (req.op === 'write') {
    await writeOutput(req.handle, req.tensor);
    return { id: req.id, ok: true };
  }
  if (req.op === 'finish') return { id: req.id, ok: true, ...(await finishOutput(await h5Api(), req.handle)) };
  if (req.op === 'chunk') return { id: req.id, ok: true, bytes: chunkOfOutput(await h5Api(), req.handle, req.offset, req.length) };
  if (req.op === 'release') {
    releaseOutput(await h5Api(), req.handle);
    return { id: req.id, ok: true };
  }
  const reader = readers.get(req.handle);
  if (!reader) throw new Error(`no open HDF5 file #${req.handle}`);
  if (req.op === 'read') return { id: req.id, ok: true, tensor: await reader.read(req.key) };
  readers.delete(req.handle);
  await reader.close();
  return { id: req.id, ok: true };
}

self.onmessage = async (ev: MessageEvent<H5Request>) => {
  let res: H5Response;
  try {
    res = await handle(ev.data);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    res = { id: ev.data.id, ok: false, error: { ...(isTfwError(err) ? { code: err.code } : {}), message } };
  }
  const transfer = res.ok && res.tensor ? [res.tensor.data.buffer as ArrayBuffer] : res.ok && res.bytes ? [res.bytes.buffer as ArrayBuffer] : [];
  (self as unknown as Worker).postMessage(res, transfer);
};
