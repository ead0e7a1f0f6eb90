/**
 * h5wasm in a worker: each opened HDF5 file is a Blob mounted in Emscripten's WORKERFS, which
 * reads it with FileReaderSync slice by slice, so a large .h5 (or the weights member of a
 * .keras, mounted as a slice of the archive) is never copied whole into the wasm heap.
 * The page's RemoteKerasReader forwards list/read/close here; `KerasReader` does the work.
 */
import h5wasm from 'h5wasm';
import { isTfwError } from '@tfweights/core';
import { Keras3WeightsStream, KerasReader, type H5Api } from '@tfweights/keras';
import type { H5Request, H5Response } from './protocol.js';

let api: Promise<H5Api> | undefined;
const readers = new Map<number, KerasReader>();
const writers = new Map<number, { stream: Keras3WeightsStream; path: string }>();
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
    fs.mount(fs.filesystems.WORKERFS, { blobs: [{ name: 'file.h5', data: req.blob }] }, dir);
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
    // Written in MEMFS (wasm memory): the finished file is handed back whole to the page.
    const handle = next++;
    const path = `/out${handle}.weights.h5`;
    writers.set(handle, { stream: Keras3WeightsStream.create(await h5Api(), path, { classes: req.classes }, req.name), path });
    return { id: req.id, ok: true, handle };
  }
  if (req.op === 'write' || req.op === 'finish' || req.op === 'abort') {
    const w = writers.get(req.handle);
    if (!w) throw new Error(`no open output #${req.handle}`);
    const fs = module.FS as unknown as { readFile(p: string): Uint8Array; unlink(p: string): void };
    if (req.op === 'write') {
      w.stream.write(req.tensor);
      return { id: req.id, ok: true };
    }
    writers.delete(req.handle);
    try {
      if (req.op === 'abort') {
        w.stream.abort();
        return { id: req.id, ok: true };
      }
      w.stream.finish();
      return { id: req.id, ok: true, bytes: fs.readFile(w.path) };
    } finally {
      try {
        fs.unlink(w.path);
      } catch {
        // never created
      }
    }
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
