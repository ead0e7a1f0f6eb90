/**
 * A copy of h5wasm's Node entry for the CLI bundle, with libhdf5's wasm in a file of its own.
 *
 * h5wasm 0.10 is built with Emscripten's SINGLE_FILE: its 3.5 MB of wasm sit in hdf5_util.js
 * as one string literal, which node parses and decodes byte by byte before it can compile
 * anything. That cost every `ls`/`convert` of an .h5 about 50 ms of CPU (a third of h5wasm's
 * whole start-up, in the worker that walks the file). The copy reads the same bytes from
 * dist/h5wasm/hdf5_util.wasm instead; nothing else in h5wasm changes. The bundle points
 * h5wasm-node.ts at it through the `__TFW_H5WASM_COPY__` define.
 */
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the copy's entry is, relative to the bundle's files (all in dist/). */
export const H5WASM_COPY_ENTRY = './h5wasm/hdf5_hl.js';

// Emscripten's SINGLE_FILE loader in hdf5_util.js (this text, or the build stops).
const LOADER_HEAD = 'function findWasmBinary(){return binaryDecode(';
const LOADER_TAIL = ')}';
const READ_WASM = "function findWasmBinary(){return require('node:fs').readFileSync(new URL('./hdf5_util.wasm',import.meta.url))}";

/** Emscripten's binaryDecode: one byte per UTF-16 code unit of the literal. */
function decodeBinaryString(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = (~c >> 8) & c;
  }
  return out;
}

/** Write dist/h5wasm/{hdf5_hl.js, hdf5_util.js, hdf5_util.wasm, LICENSE.txt} from the installed h5wasm. */
export function writeH5wasmCopy(appDir, outDir) {
  // h5wasm's exports map has no ./package.json: look for the folder the way node would.
  const pkg = (createRequire(join(appDir, 'package.json')).resolve.paths('h5wasm') ?? []).map((d) => join(d, 'h5wasm')).find((d) => existsSync(join(d, 'package.json')));
  if (pkg === undefined) throw new Error(`h5wasm-copy: h5wasm is not installed for ${appDir}`);
  const from = join(pkg, 'dist/node');
  const util = readFileSync(join(from, 'hdf5_util.js'), 'utf8');
  const start = util.indexOf(LOADER_HEAD);
  if (start < 0 || util.indexOf(LOADER_HEAD, start + 1) >= 0) {
    throw new Error(`h5wasm-copy: ${from}/hdf5_util.js no longer has one "${LOADER_HEAD}" (not SINGLE_FILE any more?): update this script`);
  }
  const literalStart = start + LOADER_HEAD.length;
  const quote = util[literalStart];
  const literalEnd = util.indexOf(quote + LOADER_TAIL, literalStart + 1);
  if ((quote !== "'" && quote !== '"') || literalEnd < 0) throw new Error(`h5wasm-copy: the wasm in ${from}/hdf5_util.js is not one string literal: update this script`);
  // The literal is JavaScript (escapes and all): let JavaScript read it.
  const wasm = decodeBinaryString(new Function(`return ${util.slice(literalStart, literalEnd + 1)}`)());
  if (!WebAssembly.validate(wasm)) throw new Error(`h5wasm-copy: what ${from}/hdf5_util.js holds did not decode to valid wasm`);
  const to = join(outDir, dirname(H5WASM_COPY_ENTRY));
  mkdirSync(to, { recursive: true });
  writeFileSync(join(to, 'hdf5_util.wasm'), wasm);
  writeFileSync(join(to, 'hdf5_util.js'), util.slice(0, start) + READ_WASM + util.slice(literalEnd + 1 + LOADER_TAIL.length));
  copyFileSync(join(from, 'hdf5_hl.js'), join(to, 'hdf5_hl.js'));
  copyFileSync(join(pkg, 'LICENSE.txt'), join(to, 'LICENSE.txt'));
}
