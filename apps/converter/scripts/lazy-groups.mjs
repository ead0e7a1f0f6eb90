/**
 * An esbuild plugin that gathers the bundle's lazy `import()`s of our own modules into a few
 * chunks, one per group (a codec package, the CLI's commands), instead of esbuild's one chunk
 * per set of importers. Node's ES module loader costs about 1–2 ms of CPU per module (resolve,
 * read, link), more than parsing a few hundred KiB of code, and plain code splitting gave
 * `ls ckpt` about 25 modules; grouped, it loads three or four.
 *
 * How: a first build (`lazyImportsOf`, nothing written) lists every `import('…')` whose target
 * is our code and not already loaded at start-up. In the real build each such call becomes
 * `import('tfw-lazy:<group>').then((m) => m['<target>'])`, where the virtual module
 * `tfw-lazy:<group>` imports every target of that group as a namespace. A group's modules are
 * then evaluated together, when any of them is first needed, so a group must only hold code
 * that does no work at import (all of ours: codecs start h5wasm, tfjs-core … when used).
 * Third-party `import()`s (h5wasm, fflate, pako, snappyjs, the AWS SDK) are left alone.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, relative, resolve, sep } from 'node:path';

const NAMESPACE = 'tfw-lazy';

/**
 * Which group a lazily imported file of ours joins: its package's (a SavedModel's variables are
 * a checkpoint; the Keras → tfjs translation goes with tfjs), or `commands` for the CLI's own.
 */
const SAME_GROUP = { savedmodel: 'checkpoint', tfweights: 'tfjs' };
function groupOf(root, file) {
  const rel = relative(root, file).split(sep);
  if (rel[0] === 'packages') return SAME_GROUP[rel[1]] ?? rel[1];
  return 'commands';
}

/**
 * From the analysis build's metafile: the dynamic imports of our code that start-up does not
 * already load (importer → [{ original, target, group }]), each group's members, and what every
 * group also imports so that esbuild makes few chunks (`pinned`, below).
 */
export function lazyImportsOf(metafile, { root, cwd, entry }) {
  const abs = (p) => resolve(cwd, p);
  const inputs = metafile.inputs;
  const ours = (p) => !p.includes('node_modules') && !p.includes(':') && inputs[p] !== undefined;
  /** Our modules `from` loads by static imports (stopping at `stop`). */
  const closure = (from, stop = new Set()) => {
    const seen = new Set();
    const todo = [...from];
    while (todo.length > 0) {
      const f = todo.pop();
      if (seen.has(f) || stop.has(f)) continue;
      seen.add(f);
      for (const i of inputs[f].imports) if (i.kind !== 'dynamic-import' && ours(i.path)) todo.push(i.path);
    }
    return seen;
  };
  const entryKey = Object.keys(inputs).find((k) => abs(k) === entry);
  // What esbuild really emitted (tree-shaking drops modules nothing uses): pinning more would
  // force dropped modules back in. `emittedAtStart`: the modules in the chunks bin.js imports.
  const outputs = metafile.outputs;
  const emitted = new Set(Object.values(outputs).flatMap((o) => Object.keys(o.inputs ?? {})));
  const startChunks = new Set();
  const chunkTodo = Object.keys(outputs).filter((o) => outputs[o].entryPoint === entryKey);
  while (chunkTodo.length > 0) {
    const o = chunkTodo.pop();
    if (startChunks.has(o)) continue;
    startChunks.add(o);
    for (const i of outputs[o].imports) if (i.kind === 'import-statement' && !i.external) chunkTodo.push(i.path);
  }
  const emittedAtStart = new Set([...startChunks].flatMap((o) => Object.keys(outputs[o].inputs)));
  const eager = new Set([...closure([entryKey])].filter((f) => emittedAtStart.has(f)));
  const sites = new Map();
  const members = new Map();
  for (const [file, input] of Object.entries(inputs)) {
    for (const i of input.imports) {
      if (i.kind !== 'dynamic-import' || !ours(i.path) || eager.has(i.path) || i.original === undefined) continue;
      const group = groupOf(root, abs(i.path));
      if (!members.has(group)) members.set(group, new Set());
      members.get(group).add(i.path);
      if (!sites.has(abs(file))) sites.set(abs(file), []);
      sites.get(abs(file)).push({ original: i.original, target: abs(i.path), group });
    }
  }
  // esbuild puts each module in the chunk of the exact set of entries (bin, each group) that
  // reach it: dozens of small chunks. Every group therefore also imports (a) what start-up
  // loads anyway, so that all of it forms one chunk beside bin.js, and (b) what two groups or
  // more share, so that it forms one chunk loaded with the first group.
  const reached = new Map();
  for (const [group, m] of members) for (const f of closure(m, eager)) if (emitted.has(f)) reached.set(f, [...(reached.get(f) ?? []), group]);
  const shared = [...reached].filter(([, gs]) => gs.length > 1).map(([f]) => f);
  const pinned = [...eager].filter((f) => f !== entryKey).concat(shared).map(abs);
  const groups = new Map([...members].map(([g, m]) => [g, [...m].map(abs)]));
  return { sites, groups, pinned };
}

/**
 * One value a module exports, to pin it by (`import { name }`): a namespace import would do,
 * but esbuild then builds that module's namespace object at start-up (about 100 of them, 5 ms).
 */
function exportedName(file) {
  const text = readFileSync(file, 'utf8');
  const decl = /^export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)/m.exec(text);
  if (decl) return decl[1];
  const list = /^export\s*\{\s*(?!type\s)([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?/m.exec(text);
  return list ? (list[2] ?? list[1]) : undefined;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The plugin for the real build, from {@link lazyImportsOf}'s result. */
export function lazyGroups({ sites, groups, pinned }, root) {
  // Members are named by their path in the repository (no build machine's paths in the output).
  const key = (file) => relative(root, file).split(sep).join('/');
  return {
    name: 'tfw-lazy-groups',
    setup(build) {
      build.onResolve({ filter: /^tfw-lazy:/ }, (args) => ({ path: args.path.slice(NAMESPACE.length + 1), namespace: NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const members = groups.get(args.path) ?? [];
        const imports = (names, list) => list.map((m, i) => `import * as ${names}${i} from ${JSON.stringify(m)};`).join('\n');
        const pins = pinned.map((m, i) => {
          const name = exportedName(m);
          return name === undefined || name === 'default' ? `import * as p${i} from ${JSON.stringify(m)};` : `import { ${name} as p${i} } from ${JSON.stringify(m)};`;
        }).join('\n');
        return {
          contents: `${imports('m', members)}\n${pins}\n` +
            `export default { ${members.map((m, i) => `${JSON.stringify(key(m))}: m${i}`).join(', ')} };\n` +
            // Used, so that esbuild keeps the imports (and with them the chunk layout above).
            `export const pinned = [${pinned.map((_, i) => `p${i}`).join(', ')}];\n`,
          resolveDir: '/',
          loader: 'js',
        };
      });
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
        const here = sites.get(args.path);
        if (!here) return undefined;
        let text = await readFile(args.path, 'utf8');
        for (const { original, target, group } of here) {
          const call = new RegExp(`import\\(\\s*(['"])${escape(original)}\\1\\s*\\)`, 'g');
          const before = text;
          text = text.replace(call, () => `import(${JSON.stringify(`${NAMESPACE}:${group}`)}).then((g) => g.default[${JSON.stringify(key(target))}])`);
          if (text === before) throw new Error(`lazy-groups: no import('${original}') found in ${args.path} to rewrite`);
        }
        const ext = extname(args.path);
        return { contents: text, loader: ext === '.ts' || ext === '.mts' || ext === '.cts' ? 'ts' : 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}
