/**
 * The `checkpoint` state file: CheckpointState in protobuf text format
 * (tensorflow/python/training/checkpoint_state.proto, checkpoint_management.py; FORMATS.md §2.8).
 */
import { isAbsolute } from 'node:path';
import { CorruptDataError, isRemoteLocation } from '@tfweights/core';
import { joinLocation, readLocation } from '@tfweights/core/node';

export interface CheckpointState {
  /** Directory holding the state file. */
  readonly dir: string;
  /** `model_checkpoint_path` as written (often relative). */
  readonly modelCheckpointPath: string;
  /** `all_model_checkpoint_paths` as written, oldest first. */
  readonly allModelCheckpointPaths: readonly string[];
  readonly allModelCheckpointTimestamps: readonly number[];
  readonly lastPreservedTimestamp?: number;
  /** Prefix of the latest checkpoint, joined to `dir` when relative. */
  readonly latest: string;
  /** Prefixes of every listed checkpoint, oldest first, joined to `dir` when relative. */
  readonly all: readonly string[];
}

/** Decode a text-format string literal body (C escapes, octal bytes) as UTF-8. */
function unquote(body: string, file: string, line: number): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...enc.encode(c));
      continue;
    }
    const n = body[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "'": 39, '\\': 92, a: 7, b: 8, f: 12, v: 11, '?': 63 };
    if (n !== undefined && n in simple) bytes.push(simple[n]!);
    else if (n !== undefined && /[0-7]/.test(n)) {
      let oct = n;
      while (oct.length < 3 && /[0-7]/.test(body[i + 1] ?? '')) oct += body[++i];
      bytes.push(parseInt(oct, 8) & 0xff);
    } else if (n === 'x' && /[0-9a-fA-F]/.test(body[i + 1] ?? '')) {
      let hex = '';
      while (hex.length < 2 && /[0-9a-fA-F]/.test(body[i + 1] ?? '')) hex += body[++i];
      bytes.push(parseInt(hex, 16));
    } else throw new CorruptDataError('bad escape in checkpoint state file', { file, offset: line, found: `\\${n ?? ''}` });
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** Parse the text of a `checkpoint` file. */
export function parseCheckpointState(text: string, dir: string, file = joinLocation(dir, 'checkpoint')): CheckpointState {
  let model: string | undefined;
  const all: string[] = [];
  const stamps: number[] = [];
  let preserved: number | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([a-z_]+)\s*:\s*(.*)$/.exec(line);
    if (!m) throw new CorruptDataError('unreadable line in checkpoint state file', { file, offset: i + 1, found: line.slice(0, 80) });
    const [, field, value] = m as unknown as [string, string, string];
    const str = (): string => {
      const q = /^"((?:[^"\\]|\\.)*)"$/.exec(value) ?? /^'((?:[^'\\]|\\.)*)'$/.exec(value);
      if (!q) throw new CorruptDataError(`${field} is not a quoted string`, { file, offset: i + 1, found: value.slice(0, 80) });
      return unquote(q[1]!, file, i + 1);
    };
    const num = (): number => {
      const v = Number(value);
      if (!Number.isFinite(v)) throw new CorruptDataError(`${field} is not a number`, { file, offset: i + 1, found: value.slice(0, 80) });
      return v;
    };
    if (field === 'model_checkpoint_path') model = str();
    else if (field === 'all_model_checkpoint_paths') all.push(str());
    else if (field === 'all_model_checkpoint_timestamps') stamps.push(num());
    else if (field === 'last_preserved_timestamp') preserved = num();
  });
  if (model === undefined) throw new CorruptDataError('checkpoint state file has no model_checkpoint_path', { file });
  // Absolute paths in a remote state file are the writer's local paths: keep their last part beside it.
  const abs = (p: string): string => (isAbsolute(p) ? (isRemoteLocation(dir) ? joinLocation(dir, p.split('/').pop()!) : p) : joinLocation(dir, p));
  const allPaths = all.length > 0 ? all : [model];
  return {
    dir, modelCheckpointPath: model, allModelCheckpointPaths: allPaths, allModelCheckpointTimestamps: stamps,
    ...(preserved !== undefined ? { lastPreservedTimestamp: preserved } : {}), latest: abs(model), all: allPaths.map(abs),
  };
}

/** Read `<dir>/checkpoint` (a local folder or a remote location). */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const file = joinLocation(dir, 'checkpoint');
  const text = new TextDecoder().decode(await readLocation(file, 64 * 1024 * 1024));
  return parseCheckpointState(text, dir, file);
}
