/**
 * Remote locations as strings: `http(s)://…`, `s3://bucket/key`, `gs://bucket/key` and
 * Hugging Face `hf://owner/repo/path[@rev]` or `hf://owner/repo@rev/path` (huggingface_hub's
 * HfFileSystem form; `datasets/` and `spaces/` before the owner for those repository kinds).
 * Siblings and children are found by joining on the path part (a revision stays where it was
 * written: after the repository, or after the last segment, for every sibling), and gs:// /
 * hf:// map to the HTTPS URLs their services answer on. Browser-safe: no Node imports.
 *
 * An `@` in the last segment of an hf:// path always starts a revision. A file whose name has
 * an `@` is reached by naming the revision after the repository: `hf://o/r@main/a@b.bin`.
 * A revision with a `/` (`refs/pr/1`) is written URL-encoded: `@refs%2Fpr%2F1`.
 */
import { InvalidArgumentError } from '../errors.js';

/** Schemes tfweights reads from besides local paths. */
export type RemoteScheme = 'http' | 'https' | 's3' | 'gs' | 'hf';

const SCHEME = /^(https?|s3|gs|hf):\/\//i;

/** True when `loc` is a URL of a scheme tfweights reads remotely (not a local path). */
export function isRemoteLocation(loc: string): boolean {
  return SCHEME.test(loc);
}

/** The scheme of a remote location (lower case), or undefined for a local path. */
export function remoteScheme(loc: string): RemoteScheme | undefined {
  const m = SCHEME.exec(loc);
  return m ? (m[1]!.toLowerCase() as RemoteScheme) : undefined;
}

interface Split {
  /** `scheme://authority` (for hf: `hf://owner/repo`). */
  root: string;
  /** Path segments after the root. */
  segments: string[];
  /** Everything after the path: `?query`, or `@rev` for hf. */
  tail: string;
  /** Whether the path ended with `/`. */
  slash: boolean;
}

/** Repository kinds that the Hub's URLs and HfFileSystem paths prefix (models have none). */
const HF_KINDS = new Set(['datasets', 'spaces']);

function split(loc: string): Split {
  const scheme = remoteScheme(loc);
  if (!scheme) throw new InvalidArgumentError('not a remote location', { file: loc });
  let rest = loc.slice(scheme.length + 3);
  let tail = '';
  let authorityParts = 1;
  if (scheme === 'hf') {
    authorityParts = HF_KINDS.has(rest.split('/')[0]!) ? 3 : 2;
    const repo = rest.split('/')[authorityParts - 1] ?? '';
    // A revision after the repository (hf://o/r@rev/…) stays in the root; otherwise one after the last segment is the tail.
    const at = repo.includes('@') ? null : /@([^/@]+)\/?$/.exec(rest);
    if (at) {
      tail = `@${at[1]}`;
      rest = rest.slice(0, at.index) + (rest.endsWith('/') ? '/' : '');
    }
  } else {
    const q = rest.search(/[?#]/);
    if (q >= 0) {
      tail = rest.slice(q);
      rest = rest.slice(0, q);
    }
  }
  const parts = rest.split('/');
  const root = `${scheme}://${parts.slice(0, authorityParts).join('/')}`;
  const segments = parts.slice(authorityParts);
  const slash = segments.length > 0 && segments[segments.length - 1] === '';
  return { root, segments: segments.filter((s) => s !== ''), tail, slash };
}

function build(s: Split): string {
  return `${s.root}${s.segments.length > 0 ? '/' : ''}${s.segments.join('/')}${s.slash && s.segments.length > 0 ? '/' : ''}${s.tail}`;
}

/**
 * `parts` joined onto a remote location (`..` and `.` resolved, never above the bucket,
 * host or repository). A part that is itself a URL is refused: siblings stay on one server.
 */
export function joinRemote(base: string, ...parts: string[]): string {
  const s = split(base);
  const segs = [...s.segments];
  let slash = s.slash;
  for (const part of parts) {
    if (isRemoteLocation(part) || part.startsWith('/')) throw new InvalidArgumentError('a sibling path must be relative', { file: base, entry: part });
    for (const seg of part.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (segs.length === 0) throw new InvalidArgumentError('a sibling path leaves the bucket or host', { file: base, entry: part });
        segs.pop();
      } else segs.push(seg);
    }
    slash = part.endsWith('/');
  }
  return build({ ...s, segments: segs, slash });
}

/** `suffix` added to the last segment (`ckpt` → `ckpt.index`), before an hf revision or a query. */
export function appendRemote(loc: string, suffix: string): string {
  const s = split(loc);
  const segs = [...s.segments];
  if (segs.length === 0) throw new InvalidArgumentError('no file name to add to', { file: loc, entry: suffix });
  segs[segs.length - 1] += suffix;
  return build({ ...s, segments: segs, slash: false });
}

/** The folder of a remote location (`…/a/b.bin` → `…/a`). */
export function dirnameRemote(loc: string): string {
  const s = split(loc);
  return build({ ...s, segments: s.segments.slice(0, -1), slash: false });
}

/** The last path segment of a remote location (without an hf revision or a query). */
export function basenameRemote(loc: string): string {
  return split(loc).segments.at(-1) ?? '';
}

/** The location with its last segment replaced by `name` (`…/ckpt.index@v2` → `…/ckpt@v2`), revision and query kept. */
export function withBasenameRemote(loc: string, name: string): string {
  const s = split(loc);
  if (s.segments.length === 0 || name === '' || name.includes('/')) throw new InvalidArgumentError('no file name to replace, or not a plain name', { file: loc, entry: name });
  return build({ ...s, segments: [...s.segments.slice(0, -1), name] });
}

/** Bucket and key of `s3://bucket/key` or `gs://bucket/key` (key without a leading `/`). */
export function bucketAndKey(loc: string): { bucket: string; key: string } {
  const s = split(loc);
  const bucket = s.root.replace(/^[a-z0-9]+:\/\//i, '');
  if (bucket === '') throw new InvalidArgumentError('no bucket in the location', { file: loc, expected: 's3://bucket/key' });
  return { bucket, key: s.segments.join('/') + (s.slash && s.segments.length > 0 ? '/' : '') };
}

/** Parts of an hf:// location (see the module doc); `kind` is `datasets` or `spaces` for those repositories. */
export function parseHfLocation(loc: string): { kind?: 'datasets' | 'spaces'; owner: string; repo: string; path: string; revision: string } {
  const s = split(loc);
  const names = s.root.replace(/^hf:\/\//i, '').split('/');
  const kind = HF_KINDS.has(names[0]!) ? (names.shift() as 'datasets' | 'spaces') : undefined;
  const [owner, repoAt] = names;
  const at = repoAt?.indexOf('@') ?? -1;
  const repo = at >= 0 ? repoAt!.slice(0, at) : repoAt;
  const rev = at >= 0 ? repoAt!.slice(at + 1) : s.tail.slice(1);
  if (!owner || !repo || (at >= 0 && rev === '')) throw new InvalidArgumentError('a Hugging Face location is hf://owner/repo/path[@revision] or hf://owner/repo@revision/path', { file: loc });
  let revision = 'main';
  if (rev !== '') {
    try {
      revision = decodeURIComponent(rev);
    } catch (cause) {
      throw new InvalidArgumentError('bad %-escape in the revision', { file: loc, entry: rev, cause });
    }
  }
  return { ...(kind ? { kind } : {}), owner, repo, path: s.segments.join('/'), revision };
}

/** The HTTPS URL a gs:// or hf:// location is read from (http(s) URLs are returned as they are). */
export function httpUrlOf(loc: string): string {
  const scheme = remoteScheme(loc);
  if (scheme === 'http' || scheme === 'https') return loc;
  if (scheme === 'gs') {
    const { bucket, key } = bucketAndKey(loc);
    // GCS's public XML API endpoint (https://cloud.google.com/storage/docs/request-endpoints).
    return `https://storage.googleapis.com/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }
  if (scheme === 'hf') {
    const { kind, owner, repo, path, revision } = parseHfLocation(loc);
    // The Hub's file URLs, as huggingface_hub's hf_hub_url builds them (file_download.py):
    // <endpoint>/[datasets/|spaces/]<owner>/<repo>/resolve/<revision, all of it %-quoted>/<path>.
    return `${hfEndpoint()}/${kind ? `${kind}/` : ''}${owner}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }
  throw new InvalidArgumentError('no HTTPS URL for this location', { file: loc });
}

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** `HF_ENDPOINT` (as huggingface_hub reads it), else https://huggingface.co. */
function hfEndpoint(): string {
  return (env('HF_ENDPOINT') ?? 'https://huggingface.co').replace(/\/+$/, '');
}

/** Request headers for a location: `Authorization: Bearer $HF_TOKEN` for hf://. */
export function headersFor(loc: string): Record<string, string> {
  const token = remoteScheme(loc) === 'hf' ? (env('HF_TOKEN') ?? env('HUGGING_FACE_HUB_TOKEN')) : undefined;
  return token ? { Authorization: `Bearer ${token}` } : {};
}
