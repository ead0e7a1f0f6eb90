/**
 * The main entries of the browser-safe packages must bundle for a browser: no `node:` module,
 * no Node-only dependency reachable from them (DESIGN.md: Node file access sits behind `./node`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/index.js';

const BROWSER_SAFE = ['core', 'npy', 'checkpoint', 'safetensors'];

describe('browser bundles', () => {
  for (const pkg of BROWSER_SAFE) {
    const entry = join(repoRoot, 'packages', pkg, 'src', 'index.ts');
    it.skipIf(!existsSync(entry))(`@tfweights/${pkg} main entry bundles for the browser`, async () => {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        platform: 'browser',
        format: 'esm',
        conditions: ['source'],
        logLevel: 'silent',
        metafile: true,
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.filter((p) => p.startsWith('node:') || p.includes('/node/'))).toEqual([]);
      expect(result.outputFiles[0]!.text.length).toBeGreaterThan(1000);
    });
  }

  it('the core package keeps Node code behind ./node', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'packages/core/package.json'), 'utf8'));
    expect(pkg.exports['./node'].source).toBe('./src/node/index.ts');
  });
});
