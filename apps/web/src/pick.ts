/** Files from an <input type=file> (with webkitRelativePath for folders) or a drop (folders walked). */
import type { PickedFile } from './inputs.js';

export function fromInput(input: HTMLInputElement): PickedFile[] {
  return [...(input.files ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

type Entry = FileSystemEntry & Partial<FileSystemFileEntry & FileSystemDirectoryEntry>;

async function walk(entry: Entry, out: PickedFile[]): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((resolve, reject) => entry.file!(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    // readEntries returns at most ~100 entries per call: call until empty.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const e of batch) await walk(e as Entry, out);
    }
  }
}

export async function fromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => Boolean(e));
  if (entries.length === 0) return [...dt.files].map((file) => ({ path: file.name, file }));
  const out: PickedFile[] = [];
  for (const e of entries) await walk(e as Entry, out);
  return out;
}
