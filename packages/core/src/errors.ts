/**
 * One tagged error family for every codec. Each error names the file (or URL) it is
 * about, so a CLI can print `err.message` as one line and a program can branch on `err.code`.
 */

export type TfwErrorCode =
  | 'NotThisFormat'
  | 'CorruptData'
  | 'ChecksumMismatch'
  | 'TensorNotFound'
  | 'UnsupportedDtype'
  | 'LimitExceeded'
  | 'InvalidArgument'
  | 'Refused'
  | 'IoError';

const TFW_ERROR = Symbol.for('tfweights.error');

export interface TfwErrorDetails {
  /** File path or URL the error is about. */
  file?: string;
  /** Byte offset inside the file, when known. */
  offset?: number;
  /** Entry (tensor key, zip member, HDF5 path) the error is about. */
  entry?: string;
  /** What the reader expected to find. */
  expected?: string;
  /** What it found instead. */
  found?: string;
  cause?: unknown;
}

/** Base class of every error tfweights throws on purpose. */
export class TfwError extends Error {
  readonly [TFW_ERROR] = true;
  readonly code: TfwErrorCode;
  readonly file: string | undefined;
  readonly offset: number | undefined;
  readonly entry: string | undefined;
  readonly expected: string | undefined;
  readonly found: string | undefined;

  constructor(code: TfwErrorCode, problem: string, details: TfwErrorDetails = {}) {
    super(formatMessage(problem, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = code;
    this.code = code;
    this.file = details.file;
    this.offset = details.offset;
    this.entry = details.entry;
    this.expected = details.expected;
    this.found = details.found;
  }
}

/** Longest entry / expected / found echoed into a message (a hostile 64 KiB key stays out of it). */
const MAX_PART = 200;

function clip(v: string, max = MAX_PART): string {
  return v.length > max ? `${v.slice(0, max)}… (${v.length} characters)` : v;
}

function formatMessage(problem: string, d: TfwErrorDetails): string {
  const where: string[] = [];
  if (d.file !== undefined) where.push(d.file);
  if (d.entry !== undefined) where.push(`entry '${clip(d.entry)}'`);
  if (d.offset !== undefined) where.push(`offset ${d.offset}`);
  let msg = where.length > 0 ? `${where.join(', ')}: ${clip(problem, 4 * MAX_PART)}` : clip(problem, 4 * MAX_PART);
  if (d.expected !== undefined) msg += ` (expected ${clip(d.expected)}`;
  if (d.found !== undefined) msg += d.expected !== undefined ? `, found ${clip(d.found)})` : ` (found ${clip(d.found)})`;
  else if (d.expected !== undefined) msg += ')';
  return msg;
}

/** The file is not of the format that was asked for (says what it looks like instead). */
export class NotThisFormatError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('NotThisFormat', problem, details);
  }
}

/** Structure of the file is broken: truncated, bad magic, impossible sizes, bad encodings. */
export class CorruptDataError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('CorruptData', problem, details);
  }
}

/** A stored checksum does not match the bytes. */
export class ChecksumMismatchError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('ChecksumMismatch', problem, details);
  }
}

/** A tensor was asked for by a name the file does not hold. */
export class TensorNotFoundError extends TfwError {
  readonly suggestions: string[];
  constructor(key: string, available: readonly string[], details: TfwErrorDetails = {}) {
    const suggestions = nearestNames(key, available);
    const hint = suggestions.length > 0 ? `; nearest: ${suggestions.map((s) => `'${s}'`).join(', ')}` : '';
    super('TensorNotFound', `no tensor named '${key}'${hint}`, details);
    this.suggestions = suggestions;
  }
}

/** A dtype the format or the operation cannot represent. */
export class UnsupportedDtypeError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('UnsupportedDtype', problem, details);
  }
}

/** A declared size, count or depth is beyond what the file or a safe limit allows. */
export class LimitExceededError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('LimitExceeded', problem, details);
  }
}

/** The caller passed something unusable (shape mismatch, unknown option, output over input). */
export class InvalidArgumentError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('InvalidArgument', problem, details);
  }
}

/**
 * The input asks for something a reader will not do on a stranger's file: read another file
 * (HDF5 external storage, external links, virtual datasets, `..` shard paths) or write outside
 * the output (zip member names with `..`, absolute paths, NUL).
 */
export class RefusedError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('Refused', problem, details);
  }
}

/** The operating system or network refused a read or write. */
export class IoError extends TfwError {
  constructor(problem: string, details: TfwErrorDetails = {}) {
    super('IoError', problem, details);
  }
}

/** True for every error tfweights throws on purpose, across package copies. */
export function isTfwError(err: unknown): err is TfwError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[TFW_ERROR] === true;
}

/** Up to `max` names closest to `key` by edit distance (case-insensitive), best first. */
export function nearestNames(key: string, names: readonly string[], max = 3): string[] {
  const k = key.toLowerCase();
  const limit = Math.max(3, Math.floor(k.length / 2));
  return names
    .map((n) => ({ n, d: n.toLowerCase().includes(k) ? 0 : editDistance(k, n.toLowerCase(), limit + 1) }))
    .filter((x) => x.d <= limit)
    // Code-unit order for ties: localeCompare's first call loads ICU's collator (~5 ms).
    .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0))
    .slice(0, max)
    .map((x) => x.n);
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length]!;
}
