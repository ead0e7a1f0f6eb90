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
import { readFile } from 'node:fs/promises';
import { lazyGroups, lazyImportsOf } from './lazy-groups.mjs';
import { H5WASM_COPY_ENTRY, writeH5wasmCopy } from './h5wasm-copy.mjs';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
// checkpoint about half of node's own start-up, inlined it costs almost nothing. commander, the
// argument parser every command loads, is 6 CommonJS files: through node's CommonJS loader
// (and its ESM wrapper's export scan) it cost about 35 ms of CPU, a quarter of `node -e 0`;
// inlined, about 10. Both are pure JS (no assets, no paths of their own), so bundling them
// changes nothing else.
const INLINED = new Set(['protobufjs', 'commander']);

for (const f of readdirSync(join(app, 'dist'))) if (f.startsWith('bin-chunk-')) rmSync(join(app, 'dist', f));
writeH5wasmCopy(app, join(app, 'dist'));
const common = {
  // Paths in the metafile (which lazy-groups reads) are relative to this folder, wherever the script runs from.
  absWorkingDir: app,
  outdir: join(app, 'dist'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...thirdParty].filter((n) => !INLINED.has(n)).flatMap((n) => [n, `${n}/*`]),
  // Whitespace and syntax only (names stay, for readable stack traces): about 5 % less start-up CPU.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  // Inlined CommonJS calls require() for node's built-ins (commander: node:events, node:fs …);
  // an ES module has no require, so each file gets one (resolving from this folder, as before).
  banner: { js: "import { createRequire as __tfwCreateRequire } from 'node:module'; const require = __tfwCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  // h5wasm's reload imports a computed URL on purpose (a fresh instance after a wasm abort).
  logOverride: { 'unsupported-dynamic-import': 'silent' },
  // h5wasm loads from its copy beside the bundle, whose wasm is a file of its own (h5wasm-copy.mjs).
  define: { __TFW_H5WASM_COPY__: JSON.stringify(H5WASM_COPY_ENTRY) },
};
// commander requires node:child_process at import, for executable subcommands (`git-style`
// separate programs) that tfweights has none of; loading it (and net, dgram … behind it) cost
// about 5 ms of every start-up. It is required on first use instead.
const lazyChildProcess = {
  name: 'tfw-commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`bundle-bin: ${args.path} no longer has "${eager}": update this plugin`);
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};
const entry = join(app, 'src/bin.ts');
// Pass 1 (nothing written): which of our modules are imported lazily, to group them.
const analysis = await build({ ...common, entryPoints: { bin: entry }, splitting: true, write: false, metafile: true, logLevel: 'error' });
const lazy = lazyImportsOf(analysis.metafile, { root, cwd: app, entry });
const result = await build({
  ...common,
  entryPoints: { bin: entry },
  splitting: true,
  chunkNames: 'bin-chunk-[hash]',
  plugins: [lazyGroups(lazy, root), lazyChildProcess],
  metafile: true,
});
if (result.errors.length > 0) process.exit(1);
// TFW_BUNDLE_META=file.json: what went into which chunk (for start-up work; esbuild's analyzer reads it).
if (process.env.TFW_BUNDLE_META) writeFileSync(process.env.TFW_BUNDLE_META, JSON.stringify(result.metafile));
// The Keras reader starts its HDF5 metadata walk as a worker thread from
// `new URL('./h5-walk-worker.js', import.meta.url)`: inlined, that URL is this folder, so the
// worker is bundled beside bin.js under that name, in one file of its own (a worker shares no
// modules with the main thread, and one file is the cheapest for it to load).
const worker = await build({ ...common, entryPoints: { 'h5-walk-worker': join(root, 'packages/keras/dist/node/h5-walk-worker.js') }, splitting: false });
if (worker.errors.length > 0) process.exit(1);
