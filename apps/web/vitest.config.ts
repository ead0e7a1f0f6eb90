// The end-to-end tests drive a real Chromium; they run through the shared config so
// scripts/count-tests.mjs counts them from test-results/vitest.json.
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(shared, defineConfig({ test: { include: ['test/**/*.test.ts'], fileParallelism: false } }));
