/** `--json` errors: one object on stdout, so `tfweights … --json | jq` sees failures too. */
import { isTfwError } from '@tfweights/core';

export function errorJson(err: unknown, line: string): Record<string, unknown> {
  if (isTfwError(err)) {
    const details = Object.fromEntries(
      (['file', 'offset', 'entry', 'expected', 'found'] as const).filter((k) => err[k] !== undefined).map((k) => [k, err[k]]),
    );
    return { error: { code: err.code, message: line, ...details, ...('suggestions' in err ? { suggestions: err.suggestions } : {}) } };
  }
  const e = err as NodeJS.ErrnoException | undefined;
  return { error: { code: e?.code ?? 'error', message: line, ...(e?.path ? { file: e.path } : {}) } };
}
