/**
 * Globs for --include / --exclude: `*` matches within one path segment, `**` across
 * segments, `?` one character, `{a,b}` alternatives, `[abc]` a class. A glob matches a
 * tensor when it matches its readable name or its key.
 */
import { InvalidArgumentError, type TensorInfo } from '@tfweights/core';
import { readableName } from './normalise.js';

export function globToRegExp(glob: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        // `**/` also matches nothing, so `**/kernel` matches `kernel`.
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) throw new InvalidArgumentError(`unclosed '[' in glob '${glob}'`);
      const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  if (depth !== 0) throw new InvalidArgumentError(`unclosed '{' in glob '${glob}'`);
  return new RegExp(`^${re}$`);
}

export interface FilterOptions {
  include?: readonly string[];
  exclude?: readonly string[];
  /** Drop optimizer state and bookkeeping (roles `optimizer` and `bookkeeping`: slots, iteration counters, save_counter, global_step). */
  dropOptimizer?: boolean;
}

/** A predicate applying include globs (any), then exclude globs (none), then --drop-optimizer. */
export function makeFilter(opts: FilterOptions): (info: TensorInfo) => boolean {
  const inc = (opts.include ?? []).map(globToRegExp);
  const exc = (opts.exclude ?? []).map(globToRegExp);
  const hits = (res: RegExp[], info: TensorInfo) => {
    const name = readableName(info);
    return res.some((r) => r.test(name) || r.test(info.key));
  };
  return (info) => {
    if (opts.dropOptimizer && (info.role === 'optimizer' || info.role === 'bookkeeping')) return false;
    if (inc.length > 0 && !hits(inc, info)) return false;
    if (exc.length > 0 && hits(exc, info)) return false;
    return true;
  };
}
