// Adds up the vitest JSON results every package left in test-results/ and prints the
// closing line "N passed, N failed, N skipped". A package whose tests did not run at all,
// or whose test file failed to load, counts as failed; so does each error vitest caught outside a
// test (vitest.shared.ts writes them to test-results/unhandled-errors.json: the JSON report has none).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0, failed = 0, skipped = 0;
const rows = [];
const dirs = [...['packages', 'apps'].flatMap((g) => readdirSync(g).sort().map((n) => join(g, n))), 'examples'];
{
  for (const dir of dirs) {
    const pkg = join(dir, 'package.json');
    if (!existsSync(pkg) || !JSON.parse(readFileSync(pkg, 'utf8')).scripts?.test) continue;
    const file = join(dir, 'test-results', 'vitest.json');
    if (!existsSync(file)) {
      rows.push(`${dir}: no test results (the test run crashed or did not start)`);
      failed += 1;
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const suiteFailures = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed')).length;
    const unhandledFile = join(dir, 'test-results', 'unhandled-errors.json');
    const unhandled = existsSync(unhandledFile) ? JSON.parse(readFileSync(unhandledFile, 'utf8')) : { count: 0, messages: [] };
    const p = r.numPassedTests, f = r.numFailedTests + suiteFailures + unhandled.count, s = r.numPendingTests + (r.numTodoTests ?? 0);
    rows.push(`${dir}: ${p} passed, ${f} failed, ${s} skipped${unhandled.count > 0 ? ` (${unhandled.count} unhandled error(s): ${unhandled.messages.join('; ')})` : ''}`);
    passed += p; failed += f; skipped += s;
  }
}
console.log('\n' + rows.join('\n'));
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
