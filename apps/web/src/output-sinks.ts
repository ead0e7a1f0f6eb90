/**
 * Where a converted file goes, as a core ByteSink (visible only on finish, dropped on abort):
 * - a file the user picks (File System Access `showSaveFilePicker`: written in place, the
 *   browser swaps it in on close);
 * - else the origin-private file system (on disk, no dialog), then offered as a download;
 * - else memory, refused above MAX_MEMORY_OUTPUT_BYTES.
 * Folders (tfjs, checkpoints) become one zip (`ZipFolderOutput`), streamed into the same sink.
 */
import { InvalidArgumentError, LimitExceededError, ZipWriter, type ByteSink } from '@tfweights/core';

/** Largest output built in memory when the browser has no file system access at all. */
export const MAX_MEMORY_OUTPUT_BYTES = 1536 * 1024 * 1024;

/** A finished output: a Blob to offer as a download, or already on disk. */
export interface Saved {
  readonly name: string;
  readonly size: number;
  readonly blob?: Blob;
}

export interface OutputSink extends ByteSink {
  /** After finish(): what was saved. */
  saved(): Promise<Saved>;
}

type Writable = { write(b: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> };

/** Writes go to the browser in slices this large: each write is copied across to the browser process. */
const WRITE_SLICE = 8 * 1024 * 1024;

class WritableSink implements OutputSink {
  position = 0;
  private done = false;
  constructor(readonly name: string, private readonly w: Writable, private readonly after: () => Promise<Saved>) {}
  async write(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.byteLength; at += WRITE_SLICE) await this.w.write(bytes.subarray(at, Math.min(bytes.byteLength, at + WRITE_SLICE)));
    this.position += bytes.byteLength;
  }
  async finish(): Promise<void> {
    await this.w.close();
    this.done = true;
  }
  async abort(): Promise<void> {
    if (!this.done) await this.w.abort().catch(() => undefined);
  }
  saved(): Promise<Saved> {
    return this.after();
  }
}

/** Collects the output as Blob parts (no final concatenation), up to a limit. */
export class BlobSink implements OutputSink {
  position = 0;
  private parts: BlobPart[] = [];
  constructor(readonly name: string, private readonly limit = MAX_MEMORY_OUTPUT_BYTES) {}
  async write(bytes: Uint8Array): Promise<void> {
    if (this.position + bytes.byteLength > this.limit) {
      throw new LimitExceededError(`the output passes ${Math.round(this.limit / 2 ** 20)} MiB, the most this browser can build in memory; use a browser with the File System Access API, or the tfweights CLI`, { file: this.name });
    }
    this.parts.push(bytes.slice());
    this.position += bytes.byteLength;
  }
  async finish(): Promise<void> {}
  async abort(): Promise<void> {
    this.parts = [];
  }
  async saved(): Promise<Saved> {
    return { name: this.name, size: this.position, blob: new Blob(this.parts) };
  }
}

interface PickerWindow {
  showSaveFilePicker?: (o: { suggestedName: string }) => Promise<FileSystemFileHandle>;
}

/** Whether the page can ask for a file to write into (Chromium browsers). */
export function canPickSaveFile(): boolean {
  return typeof (globalThis as PickerWindow).showSaveFilePicker === 'function';
}

/** Ask the user where to save (must run in a click handler). */
export async function pickedFileSink(name: string): Promise<OutputSink> {
  const handle = await (globalThis as PickerWindow).showSaveFilePicker!({ suggestedName: name });
  const w = (await handle.createWritable()) as unknown as Writable;
  return new WritableSink(name, w, async () => ({ name, size: (await handle.getFile()).size }));
}

/** A sink on disk in the origin-private file system, when there is one; memory otherwise. */
export async function scratchSink(name: string): Promise<OutputSink> {
  try {
    const root = await navigator.storage.getDirectory();
    const scratch = `tfweights-${Date.now()}-${name}`;
    const handle = await root.getFileHandle(scratch, { create: true });
    const w = (await handle.createWritable()) as unknown as Writable;
    const remove = () => root.removeEntry(scratch).catch(() => undefined);
    const sink = new WritableSink(name, {
      write: (b) => w.write(b), close: () => w.close(), abort: async () => {
        await w.abort();
        await remove();
      },
    }, async () => {
      const file = await handle.getFile();
      return { name, size: file.size, blob: file };
    });
    return sink;
  } catch {
    return new BlobSink(name);
  }
}

/** Old scratch files of earlier conversions in this origin (downloads already offered). */
export async function clearScratch(): Promise<void> {
  try {
    const root = await navigator.storage.getDirectory() as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };
    for await (const k of root.keys()) if (k.startsWith('tfweights-')) await root.removeEntry(k).catch(() => undefined);
  } catch {
    // no origin-private file system
  }
}

/**
 * A folder written as a zip into one sink, streamed: a member is started when its first byte
 * arrives and ends when another file starts being written, so writers that fill their files
 * one after another (tfjs shards, a checkpoint's data then index) need no buffering.
 */
export class ZipFolderOutput {
  private readonly zip: ZipWriter;
  private active: { name: string; push: (b: Uint8Array | null) => Promise<void>; done: Promise<void> } | undefined;
  private readonly closed = new Set<string>();
  private readonly empty = new Set<string>();

  constructor(private readonly sink: ByteSink, private readonly folder: string) {
    this.zip = new ZipWriter(sink);
  }

  /** A sink for `name` inside the folder. */
  file(name: string): ByteSink {
    const self = this;
    this.empty.add(name);
    return {
      name: `${this.folder}/${name}`,
      position: 0,
      async write(bytes: Uint8Array) {
        await self.writeTo(name, bytes);
        (this as { position: number }).position += bytes.byteLength;
      },
      finish: async () => undefined,
      abort: async () => this.abort(),
    };
  }

  private async writeTo(name: string, bytes: Uint8Array): Promise<void> {
    this.empty.delete(name);
    if (this.active?.name !== name) {
      if (this.closed.has(name)) throw new InvalidArgumentError('internal: a file of the folder was written again after another one (cannot stream into a zip)', { file: this.sink.name, entry: name });
      await this.endActive();
      this.active = this.startMember(name);
    }
    await this.active!.push(bytes.slice());
  }

  private startMember(name: string) {
    // A one-slot channel: each pushed chunk resolves once the zip writer has taken it.
    let give: ((v: IteratorResult<Uint8Array>) => void) | undefined;
    let queued: { v: IteratorResult<Uint8Array>; taken: () => void } | undefined;
    const chunks: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Uint8Array>>((resolve) => {
          if (queued) {
            const q = queued;
            queued = undefined;
            resolve(q.v);
            q.taken();
          } else give = resolve;
        }),
      }),
    };
    const done = this.zip.addChunks(`${this.folder}/${name}`, chunks);
    const push = (b: Uint8Array | null) => new Promise<void>((taken, fail) => {
      done.catch(fail);
      const v: IteratorResult<Uint8Array> = b ? { value: b, done: false } : { value: undefined, done: true };
      if (give) {
        const g = give;
        give = undefined;
        g(v);
        taken();
      } else queued = { v, taken };
    });
    return { name, push, done };
  }

  private async endActive(): Promise<void> {
    if (!this.active) return;
    const a = this.active;
    this.active = undefined;
    this.closed.add(a.name);
    await a.push(null);
    await a.done;
  }

  /** Close the last member, add files that were created but never written, and finish the zip and its sink. */
  async commit(): Promise<void> {
    await this.endActive();
    for (const name of this.empty) await this.zip.addBytes(`${this.folder}/${name}`, new Uint8Array(0));
    await this.zip.finish();
  }

  async abort(): Promise<void> {
    this.active = undefined;
    await this.sink.abort();
  }
}
