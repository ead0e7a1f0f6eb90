/**
 * Remote outputs for writers that produce local files (h5wasm, SavedModel folders): the file or
 * folder is written to a local temporary path, then uploaded object by object (each a
 * multipart upload), the files readers look for first (`.index`, `model.json`,
 * `saved_model.pb`, `index.json`) last. If any upload fails, the objects already completed
 * are deleted again, so the target holds the whole output or nothing.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSink } from '../byte-sink.js';
import { joinRemote } from '../remote/location-url.js';
import { S3UploadSink, s3Delete } from './s3.js';

const UPLOAD_CHUNK = 8 * 1024 * 1024;

/** Files readers open first go last, so they only appear once everything they point to is there. */
export function commitRank(name: string): number {
  return /(\.index|(^|\/)model\.json|(^|\/)saved_model\.pb|(^|\/)index\.json|(^|\/)checkpoint)$/.test(name) ? 1 : 0;
}

/** Files under `dir`, relative, with `/` separators. */
async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else out.push(r);
  }
  return out;
}

async function streamInto(local: string, sink: ByteSink): Promise<void> {
  const h = await open(local, 'r');
  try {
    const buf = new Uint8Array(UPLOAD_CHUNK);
    for (;;) {
      const { bytesRead } = await h.read(buf, 0, buf.byteLength, null);
      if (bytesRead === 0) break;
      await sink.write(buf.subarray(0, bytesRead));
    }
  } finally {
    await h.close();
  }
}

/** Finish sinks data first, index-like files last; on failure abort the rest and delete what was completed. */
export async function commitRemoteSinks(sinks: readonly ByteSink[]): Promise<void> {
  const ordered = [...sinks].sort((a, b) => commitRank(a.name) - commitRank(b.name));
  const done: ByteSink[] = [];
  try {
    for (const s of ordered) {
      await s.finish();
      done.push(s);
    }
  } catch (err) {
    for (const s of ordered) if (!done.includes(s)) await s.abort().catch(() => undefined);
    for (const s of done) await s3Delete(s.name);
    throw err;
  }
}

/** Upload the local file or folder `local` to `target` (s3://). */
export async function uploadLocalPath(local: string, target: string, overwrite: boolean): Promise<void> {
  const st = await stat(local);
  const files = st.isDirectory() ? await walk(local) : [''];
  const sinks: ByteSink[] = [];
  try {
    for (const rel of files) sinks.push(await S3UploadSink.create(rel ? joinRemote(target, rel) : target, { overwrite }));
    for (let i = 0; i < files.length; i++) await streamInto(files[i] ? join(local, files[i]!) : local, sinks[i]!);
  } catch (err) {
    for (const s of sinks) await s.abort().catch(() => undefined);
    throw err;
  }
  await commitRemoteSinks(sinks);
}
