/** A rename rule and applying rules (browser-safe; parsing rule files is in `rename.ts`). */
export interface RenameRule {
  readonly pattern: RegExp;
  readonly replacement: string;
  /** The rule as the user wrote it, for messages. */
  readonly text: string;
}

/** Apply every rule in order. */
export function applyRenames(name: string, rules: readonly RenameRule[]): string {
  let n = name;
  for (const r of rules) n = n.replace(r.pattern, r.replacement);
  return n;
}
