// Writes the boilerplate of a workspace package (package.json, tsconfigs, vitest config).
// Usage: node scripts/new-package.mjs <dir> <name> <description> [dep ...]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, description, ...deps] = process.argv.slice(2);
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
function depEntry(spec) {
  if (spec.startsWith('@tfweights/') || spec === 'tfweights') return [spec, 'workspace:*'];
  const at = spec.lastIndexOf('@');
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, '*'];
}
const depth = dir.split('/').length;
const up = '../'.repeat(depth);
const pkg = {
  name,
  version: '0.1.0',
  description,
  type: 'module',
  license: 'Apache-2.0',
  sideEffects: false,
  exports: {
    '.': { source: './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' },
  },
  files: ['dist', 'src'],
  scripts: {
    build: 'tsc -p tsconfig.build.json',
    lint: 'tsc -p tsconfig.json --noEmit',
    test: 'vitest run',
  },
  dependencies: Object.fromEntries(deps.map(depEntry)),
  engines: { node: '>=20.11' },
};
if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
  extends: `${up}tsconfig.base.json`,
  compilerOptions: { customConditions: ['source'], noEmit: true, types: ['node'] },
  include: ['src', 'test', 'bench', 'examples', '*.ts'],
}, null, 2) + '\n');
writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({
  extends: `${up}tsconfig.base.json`,
  compilerOptions: { rootDir: 'src', outDir: 'dist', types: ['node'] },
  include: ['src'],
}, null, 2) + '\n');
writeFileSync(join(dir, 'vitest.config.ts'), `export { default } from '${up}vitest.shared.js';\n`);
