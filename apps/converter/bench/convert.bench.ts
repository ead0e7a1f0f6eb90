/**
 * Scale benchmark: generate a TF checkpoint of at least 4 GiB (TFW_BENCH_GIB, default 4.25),
 * convert it to .npz and to .h5 with the real CLI in a child process, and compare throughput
 * with `cp` of the same data file in the same run (plain, and followed by `sync` of the copy:
 * our outputs are fsynced before they are renamed into place, so that is the like-for-like
 * ceiling); report each child's peak RSS against 2 × largest tensor + 150 MiB.
 * Targets: checkpoint → .npz ≥ 70 % of cp + sync.
 * Run: pnpm --filter @tfweights/converter bench   (TFW_BENCH_DIR picks the scratch folder)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTensor, type TensorInfo } from '@tfweights/core';
import { defaultRegistry } from 'tfweights';

const MiB = 2 ** 20;
const GIB = Number(process.env.TFW_BENCH_GIB ?? 4.25);
const TENSOR_MIB = Number(process.env.TFW_BENCH_TENSOR_MIB ?? 128);
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(process.env.TFW_BENCH_DIR ?? tmpdir(), 'tfw-bench-'));

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function generate(prefix: string): Promise<{ bytes: number; largest: number }> {
  const registry = defaultRegistry();
  const adapter = registry.get('checkpoint');
  if (!adapter?.create) throw new Error('the checkpoint format cannot be written in this build');
  const perTensor = TENSOR_MIB * MiB;
  const count = Math.ceil((GIB * 1024 * MiB) / perTensor);
  const elements = perTensor / 4;
  const plan: TensorInfo[] = Array.from({ length: count }, (_, i) => ({
    key: `layer_${String(i).padStart(3, '0')}/kernel`, name: `layer_${String(i).padStart(3, '0')}/kernel`,
    dtype: 'float32', shape: [elements / 1024, 1024], byteLength: perTensor,
  }));
  const writer = await adapter.create(prefix, { overwrite: false, plan, extra: { style: 'tf1' } });
  const values = new Float32Array(elements);
  for (let i = 0; i < elements; i++) values[i] = Math.sin(i) * 0.05;
  const data = new Uint8Array(values.buffer);
  for (const info of plan) {
    values[0] = plan.indexOf(info); // tensors differ
    await writer.write(makeTensor(info.key, 'float32', info.shape, data));
  }
  await writer.finish();
  return { bytes: count * perTensor, largest: perTensor };
}

/** The built CLI when `pnpm build` made one (what users run), else the sources through tsx. */
const BUILT = join(appDir, 'dist/bin.js');
const CLI = statSafe(BUILT) && process.env.TFW_BENCH_SOURCE === undefined
  ? [BUILT]
  : ['--conditions=source', '--import', 'tsx', join(appDir, 'src/bin.ts')];

interface Run { seconds: number; maxRssBytes: number; status: number | null; stderr: string }

/** Run the CLI in a child under /usr/bin/time -v when present (peak RSS of the child). */
function runCli(args: string[]): Run {
  const node = [process.execPath, ...CLI, ...args];
  const useTime = statSafe('/usr/bin/time');
  const cmd = useTime ? ['/usr/bin/time', '-v', ...node] : node;
  let r!: ReturnType<typeof spawnSync>;
  const s = seconds(() => {
    r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: appDir, encoding: 'utf8', maxBuffer: 64 * MiB });
  });
  const stderr = String(r.stderr ?? '');
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { seconds: s, maxRssBytes: m ? Number(m[1]) * 1024 : NaN, status: r.status, stderr };
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

function statSafe(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((s, n) => s + sizeOf(join(path, n)), 0);
}

const fmt = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(0).padStart(6)} MiB/s`;

try {
  const prefix = join(work, 'big', 'ckpt');
  console.log(`CLI: node ${CLI.join(' ')}`);
  console.log(`generating a ${GIB} GiB checkpoint of ${TENSOR_MIB} MiB float32 tensors in ${work} …`);
  const tg = Number(process.hrtime.bigint());
  const gen = await generate(prefix);
  console.log(`  written in ${((Number(process.hrtime.bigint()) - tg) / 1e9).toFixed(1)} s`);
  const dataFile = `${prefix}.data-00000-of-00001`;
  const dataBytes = sizeOf(dataFile);

  // Flush what generating left dirty, so every measurement starts from the same state.
  spawnSync('sync');
  const copy = join(work, 'copy.bin');
  const tcp = seconds(() => run('cp', [dataFile, copy]));
  rmSync(copy);
  spawnSync('sync');
  // Our outputs are fsynced before the rename (atomic and durable), so the like-for-like
  // ceiling is a copy that is also on disk when it returns: cp, then sync of that file. The
  // disk's speed drifts, so it is measured again right before each conversion.
  const cpSync = (): number => {
    spawnSync('sync');
    const s = seconds(() => {
      run('cp', [dataFile, copy]);
      run('sync', [copy]);
    });
    rmSync(copy);
    spawnSync('sync');
    return s;
  };
  const limit = 2 * gen.largest + 150 * MiB;
  const rows: string[] = [
    `cp of the data file            ${fmt(dataBytes, tcp)}  (${(dataBytes / 2 ** 30).toFixed(2)} GiB in ${tcp.toFixed(1)} s; into the page cache, not yet on disk)`,
  ];
  let ok = true;
  for (const [label, out, target] of [['checkpoint → .npz', join(work, 'out.npz'), 0.7], ['checkpoint → .h5', join(work, 'out.h5'), 0]] as const) {
    const tcpSync = cpSync();
    const cpRate = dataBytes / tcpSync;
    rows.push(`  cp + sync of the copy        ${fmt(dataBytes, tcpSync)}  (${tcpSync.toFixed(1)} s, measured just before)`);
    const r = runCli(['convert', prefix, out]);
    spawnSync('sync');
    if (r.status !== 0) {
      rows.push(`${label.padEnd(30)} FAILED: ${r.stderr.split('\n').find((l) => l.startsWith('tfweights:')) ?? r.stderr.slice(0, 300)}`);
      ok = false;
      continue;
    }
    const rate = dataBytes / r.seconds;
    const ratio = rate / cpRate;
    const rssOk = !(r.maxRssBytes > limit);
    const rateOk = ratio >= target;
    ok &&= rssOk && rateOk;
    rows.push(`${label.padEnd(30)} ${fmt(dataBytes, r.seconds)}  ${(ratio * 100).toFixed(0).padStart(3)} % of cp+sync${target ? ` (target ≥ ${target * 100} %: ${rateOk ? 'met' : 'MISSED'})` : ''}` +
      `  peak RSS ${(r.maxRssBytes / MiB).toFixed(0)} MiB (limit ${(limit / MiB).toFixed(0)} MiB: ${rssOk ? 'met' : 'MISSED'})  output ${(sizeOf(out) / 2 ** 30).toFixed(2)} GiB`);
    rmSync(out, { recursive: true, force: true });
  }
  console.log(rows.join('\n'));
  if (!ok) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
