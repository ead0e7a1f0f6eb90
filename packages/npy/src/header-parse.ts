/**
 * The `.npy` header is a Python dict literal (NEP 1; numpy/lib/_format_impl.py
 * `_read_array_header` uses `ast.literal_eval`). This is a tiny literal parser for the subset
 * NumPy writes — strings, ints, True/False/None, tuples, lists, dicts — never `eval`.
 * Every loop advances through the text, so hostile input cannot make it hang.
 */
import { CorruptDataError } from '@tfweights/core';

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

const MAX_DEPTH = 32;

/** Parse a header dict; throws CorruptDataError naming the file and the column on any error. */
export function parsePyLiteral(text: string, file: string, entry?: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new CorruptDataError(`bad .npy header: ${what} at column ${i}`, { file, entry, found: JSON.stringify(text.slice(Math.max(0, i - 10), i + 20)) });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') return str();
    if (c === '{') return dict(depth);
    if (c === '(' || c === '[') return seq(depth, c === '(' ? ')' : ']');
    if (/[-+0-9]/.test(c)) return int();
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`unexpected character '${c}'`);
  };
  const str = (): string => {
    const q = text[i]!;
    i++;
    let out = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') {
        const n = text[i + 1];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
        if (n !== undefined && n in simple) {
          out += simple[n];
          i += 2;
          continue;
        }
        if (n === 'x' || n === 'u' || n === 'U') {
          const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) fail('bad escape');
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff) fail('bad escape');
          out += String.fromCodePoint(cp);
          i += 2 + len;
          continue;
        }
        fail('unsupported escape');
      }
      out += text[i];
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return out;
  };
  const int = (): number => {
    const m = /^[-+]?\d+L?/.exec(text.slice(i, i + 40));
    if (!m) return fail('bad number');
    i += m[0].length;
    const v = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(v)) fail('integer beyond 2^53');
    return v;
  };
  const seq = (depth: number, close: string): PyValue[] => {
    i++;
    const out: PyValue[] = [];
    for (;;) {
      ws();
      if (text[i] === close) {
        i++;
        return out;
      }
      out.push(value(depth + 1));
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
  };
  const dict = (depth: number): { [key: string]: PyValue } => {
    i++;
    const out: { [key: string]: PyValue } = Object.create(null) as { [key: string]: PyValue };
    for (;;) {
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      const k = value(depth + 1);
      if (typeof k !== 'string') fail('dict key is not a string');
      ws();
      if (text[i] !== ':') fail("expected ':'");
      i++;
      out[k as string] = value(depth + 1);
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== '}') fail("expected ',' or '}'");
    }
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}
