import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** FileHandle's prototype (Node does not export the class), for spying on its writes and syncs. */
export async function fileHandleProto(dir: string): Promise<FileHandle> {
  const h = await open(join(dir, 'proto-probe'), 'w');
  await h.close();
  return Object.getPrototypeOf(h) as FileHandle;
}
