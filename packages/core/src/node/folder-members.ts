/**
 * The members of an AtomicFolder's temporary folder. The folder is swapped in as a whole, so a
 * member is written under its own name (no temporary name and rename of its own), and at most
 * MAX_OPEN members hold a descriptor at once: opening one more parks the oldest (flushed and
 * closed; reopened if written again). A folder of 10^5 `.npy` files never meets EMFILE.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ByteSink } from '../byte-sink.js';
import { IoError } from '../errors.js';
import { BufferedFile } from './buffered-file.js';

const MAX_OPEN = 8;

export class FolderMembers {
  private readonly members: FolderMember[] = [];
  /** Members holding a descriptor, oldest first. */
  private readonly open: FolderMember[] = [];
  /** `temp`: the folder written into; `dir`: the folder it becomes (named in messages). */
  constructor(private readonly temp: string, private readonly dir: string) {}

  /** A sink for the member `name` (a path relative to the folder, already checked by the caller). */
  async sink(name: string): Promise<ByteSink> {
    await this.makeRoom();
    let file: BufferedFile;
    try {
      const path = join(this.temp, name);
      // tfjs shard paths may name a subfolder (`shards/group1-shard1of1.bin`).
      if (dirname(path) !== this.temp) await mkdir(dirname(path), { recursive: true });
      file = await BufferedFile.create(path);
    } catch (cause) {
      throw new IoError(`cannot create output: ${(cause as Error).message}`, { file: join(this.dir, name), cause });
    }
    const m = new FolderMember(join(this.dir, name), file, this);
    this.members.push(m);
    this.open.push(m);
    return m;
  }

  /** Park the oldest open members until one more descriptor fits. */
  private async makeRoom(): Promise<void> {
    while (this.open.length >= MAX_OPEN) {
      const oldest = this.open.shift()!;
      // Parked unconditionally: a member reopened by a small write holds buffered bytes (and
      // its buffer) before it holds a descriptor again.
      await oldest.guard(() => oldest.file.park());
    }
  }

  /** Called before a parked member's file reopens. */
  async reopening(m: FolderMember): Promise<void> {
    if (m.file.isOpen || this.open.includes(m)) return;
    await this.makeRoom();
    this.open.push(m);
  }

  /**
   * Flush, fsync and close every member before the folder is swapped in. The fsyncs run
   * MAX_OPEN at a time: the file system commits concurrent ones together, which matters for
   * 10^5 tiny files.
   */
  async finishAll(): Promise<void> {
    for (const m of this.open.splice(0)) await m.guard(() => m.file.park());
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.members.length) {
        const m = this.members[next++]!;
        await m.guard(async () => {
          await m.file.sync();
          await m.file.close();
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_OPEN, this.members.length) }, worker));
  }

  /** Close every member without writing more (the folder is about to be removed). */
  async closeAll(): Promise<void> {
    this.open.length = 0;
    for (const m of this.members) await m.file.close().catch(() => undefined);
  }
}

class FolderMember implements ByteSink {
  constructor(readonly name: string, readonly file: BufferedFile, private readonly members: FolderMembers) {}

  get position(): number {
    return this.file.size;
  }

  /** Run a file operation; a failure closes the file and names the member. */
  async guard(op: () => Promise<void>, offset?: number): Promise<void> {
    try {
      await op();
    } catch (cause) {
      await this.file.close().catch(() => undefined);
      throw new IoError(`write failed: ${(cause as Error).message}`, { file: this.name, ...(offset !== undefined ? { offset } : {}), cause });
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.members.reopening(this);
    await this.guard(() => this.file.write(bytes), this.file.size);
  }

  async patch(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset < 0 || offset + bytes.byteLength > this.file.size) throw new IoError('patch outside what was written', { file: this.name, offset });
    await this.members.reopening(this);
    await this.guard(() => this.file.patch(offset, bytes), offset);
  }

  /** The folder's commit finishes every member. */
  async finish(): Promise<void> {}

  /** The folder's abort removes every member. */
  async abort(): Promise<void> {
    await this.file.close().catch(() => undefined);
  }
}
