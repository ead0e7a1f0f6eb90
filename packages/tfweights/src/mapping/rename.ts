/**
 * --rename rules: `old=new` regular expressions (JavaScript syntax, `$1` in the replacement)
 * applied in order to each readable name, or a JSON file holding them:
 * `{"old": "new", …}` or `[["old", "new"], …]` or `[{"from": "old", "to": "new"}, …]`.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@tfweights/core';
import type { RenameRule } from './rename-rule.js';

export { applyRenames, type RenameRule } from './rename-rule.js';


function rule(from: string, to: string, where: string): RenameRule {
  try {
    return { pattern: new RegExp(from), replacement: to, text: `${from}=${to}` };
  } catch (cause) {
    throw new InvalidArgumentError(`bad --rename pattern '${from}' in ${where}: ${(cause as Error).message}`);
  }
}

/** Split `old=new` at the first `=` not escaped with a backslash. */
export function parseRuleText(text: string): RenameRule {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '=') return rule(text.slice(0, i).replace(/\\=/g, '='), text.slice(i + 1), `'${text}'`);
  }
  throw new InvalidArgumentError(`--rename '${text}' is neither old=new nor a .json file`);
}

/** Rules from parsed JSON (the rules file format). */
export function rulesFromJson(json: unknown, file: string): RenameRule[] {
  const bad = () => new InvalidArgumentError('rename rules must be {"old": "new"}, [["old", "new"]] or [{"from", "to"}]', { file });
  if (Array.isArray(json)) {
    return json.map((item) => {
      if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string') return rule(item[0], item[1], file);
      if (item && typeof item === 'object' && typeof item.from === 'string' && typeof item.to === 'string') return rule(item.from, item.to, file);
      throw bad();
    });
  }
  if (json && typeof json === 'object') {
    return Object.entries(json as Record<string, unknown>).map(([k, v]) => {
      if (typeof v !== 'string') throw bad();
      return rule(k, v, file);
    });
  }
  throw bad();
}

/** Parse every --rename argument: `*.json` files are read, anything else is `old=new`. */
export function parseRenameArgs(args: readonly string[]): RenameRule[] {
  const out: RenameRule[] = [];
  for (const a of args) {
    if (a.toLowerCase().endsWith('.json') && !a.includes('=')) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(a, 'utf8'));
      } catch (cause) {
        throw new InvalidArgumentError(`cannot read rename rules: ${(cause as Error).message}`, { file: a });
      }
      out.push(...rulesFromJson(json, a));
    } else out.push(parseRuleText(a));
  }
  return out;
}
