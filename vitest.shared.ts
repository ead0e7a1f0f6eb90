// Shared by every package's vitest.config.ts: resolve workspace packages to their TypeScript
// sources (the `source` export condition), and leave a JSON result for scripts/test.sh to count.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { Reporter } from 'vitest/reporters';

/**
 * Vitest's JSON report says nothing of errors thrown outside tests (an unhandled rejection, a
 * worker that missed an RPC deadline): this reporter writes them beside it, and
 * scripts/count-tests.mjs counts each as a failure.
 */
class UnhandledErrorsReporter implements Reporter {
  onFinished(_files: unknown, errors: readonly unknown[] = []): void {
    mkdirSync('test-results', { recursive: true });
    const messages = errors.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String((e as { message?: unknown })?.message ?? e)));
    writeFileSync(join('test-results', 'unhandled-errors.json'), JSON.stringify({ count: errors.length, messages }, null, 2));
  }
}

/** Console lines that are known noise, not information (tfjs-core's advert for tfjs-node). */
const NOISE = [/looks like you are running TensorFlow\.js in Node\.js/];

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // CI is a 2-core machine running two packages at once (turbo --concurrency=2): one forked
    // worker per package keeps every worker's event loop answering vitest's RPC in time.
    pool: 'forks',
    maxWorkers: 1,
    minWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    onConsoleLog: (log) => (NOISE.some((re) => re.test(log)) ? false : undefined),
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }], new UnhandledErrorsReporter()],
  },
});
