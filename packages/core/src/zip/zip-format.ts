/**
 * Zip record signatures and limits (PKWARE APPNOTE.TXT §4.3; CPython Lib/zipfile.py for the
 * choices Python writers make, which NumPy's np.savez and Keras's .keras go through).
 */
export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DATA_DESCRIPTOR = 0x08074b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
/** EOCD (22 bytes) plus the longest comment (65535). */
export const MAX_EOCD_SEARCH = EOCD_SIZE + 0xffff;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_UTF8 = 0x0800;

export const EXTRA_ZIP64 = 0x0001;

/** CPython zipfile.ZIP64_LIMIT: sizes and offsets above it get Zip64 fields. */
export const PY_ZIP64_LIMIT = 2 ** 31 - 1;
/** CPython zipfile.ZIP_FILECOUNT_LIMIT. */
export const PY_FILECOUNT_LIMIT = 0xffff;
/** zipfile.DEFAULT_VERSION (2.0) and ZIP64_VERSION (4.5). */
export const VERSION_DEFAULT = 20;
export const VERSION_ZIP64 = 45;
/** create_system 3 = Unix, as CPython writes on POSIX systems. */
export const SYSTEM_UNIX = 3;
/** DOS date of 1980-01-01 (zipfile.ZipInfo's default date_time), time 00:00:00. */
export const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;
/** zipfile's default external attributes for members opened for writing: `0o600 << 16`. */
export const EXTERNAL_ATTR_600 = 0o600 * 65536;

/** Largest ratio of inflated to deflated size deflate can reach (258 bytes per 2 bits, rounded up). */
export const MAX_DEFLATE_RATIO = 1032;

/**
 * Why a member name is unsafe to extract or copy (undefined when it is safe): absolute paths,
 * drive letters, `..` segments, backslashes and NUL let an extractor write outside its folder
 * (the "zip slip"); Python's zipfile strips such parts on extract, we refuse them.
 */
export function unsafeMemberName(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.includes('\0')) return 'holds a NUL character';
  if (name.includes('\\')) return 'holds a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').some((s) => s === '..')) return "has a '..' segment";
  return undefined;
}
