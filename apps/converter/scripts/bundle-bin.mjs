/**
 * Bundle the `tfweights` executable (dist/bin.js) with esbuild after `tsc` has built dist/:
 * our own code (every `@tfweights/*` package and `tfweights`, from their built dist/) goes
 * into one file, so start-up loads one module instead of about 80; what a command loads only
 * when it needs it (`import()` of the codecs, h5wasm, protobuf, zip) stays lazy in separate
 * chunks (dist/bin-chunk-*.js, beside bin.js so `import.meta.url` paths stay right). Every
 * third-party package stays external and is resolved from this package's folder at run
 * time, so each must be a direct dependency here: the script fails when one is not.
 */
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '../..');
const ours = (name) => name === 'tfweights' || name.startsWith('@tfweights/');
const manifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

// Third-party packages our code imports: the runtime dependencies of every workspace package.
const workspace = [app, ...['packages'].flatMap((d) => readdirSync(join(root, d)).map((n) => join(root, d, n)))];
const thirdParty = new Set();
for (const dir of workspace) {
  let m;
  try {
    m = manifest(dir);
  } catch {
    continue;
  }
  if (m.name === '@tfweights/testkit') continue;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const name of Object.keys(m[field] ?? {})) if (!ours(name) && !name.startsWith('@types/')) thirdParty.add(name);
  }
}
const own = manifest(app);
const declared = new Set(Object.keys({ ...own.dependencies, ...own.optionalDependencies, ...own.devDependencies }));
// Optional at run time (loaded by import() with a message when absent), so not required here.
const optional = new Set(['@aws-sdk/client-s3', '@tensorflow/tfjs-core']);
const missing = [...thirdParty].filter((n) => !declared.has(n) && !optional.has(n));
if (missing.length > 0) {
  console.error(`bundle-bin: ${missing.join(', ')} must be direct dependencies of ${own.name} (the bundle resolves them from here)`);
  process.exit(1);
}

// protobufjs/minimal is about 20 small CommonJS files: loading them one by one cost `ls` of a
// checkpoint about half of node's own start-up, inlined it costs almost nothing. It is pure JS
// (no assets, no paths of its own), so bundling it changes nothing else.
const INLINED = new Set(['protobufjs']);

for (const f of readdirSync(join(app, 'dist'))) if (f.startsWith('bin-chunk-')) rmSync(join(app, 'dist', f));
const result = await build({
  entryPoints: {
    bin: join(app, 'src/bin.ts'),
    // The Keras reader starts its HDF5 metadata walk as a worker thread from
    // `new URL('./h5-walk-worker.js', import.meta.url)`: inlined, that URL is this folder, so the
    // worker is bundled beside bin.js under that name.
    'h5-walk-worker': join(root, 'packages/keras/dist/node/h5-walk-worker.js'),
  },
  outdir: join(app, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'bin-chunk-[hash]',
  external: [...thirdParty].filter((n) => !INLINED.has(n)).flatMap((n) => [n, `${n}/*`]),
  // Whitespace and syntax only (names stay, for readable stack traces): about 5 % less start-up CPU.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
  // h5wasm's reload imports a computed URL on purpose (a fresh instance after a wasm abort).
  logOverride: { 'unsupported-dynamic-import': 'silent' },
});
if (result.errors.length > 0) process.exit(1);
