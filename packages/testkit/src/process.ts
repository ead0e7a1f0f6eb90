/**
 * Child processes for tests, awaited instead of run synchronously. A synchronous spawn blocks
 * the vitest worker's event loop: past 60 s (a slow CLI run on a loaded 2-core machine) the
 * worker's own RPC to vitest times out on resuming ("Timeout calling onTaskUpdate") and the run
 * fails though every test passed.
 */
import { spawn, type SpawnOptions } from 'node:child_process';

/** What a finished child left: like spawnSync's result, with text output. */
export interface ProcessResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `cmd` with `args` to its end; stdout and stderr are collected (stdin is closed). */
export function runProcess(cmd: string, args: readonly string[], opts: Omit<SpawnOptions, 'stdio'> & { input?: string } = {}): Promise<ProcessResult> {
  const { input, ...spawnOpts } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...spawnOpts, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Like {@link runProcess}, but a non-zero exit rejects with the command's stderr; resolves to stdout. */
export async function runChecked(cmd: string, args: readonly string[], opts: Omit<SpawnOptions, 'stdio'> & { input?: string } = {}): Promise<string> {
  const r = await runProcess(cmd, args, opts);
  if (r.status !== 0) {
    const e = new Error(`Command failed (${r.signal ?? `exit ${r.status}`}): ${cmd} ${args.slice(0, 2).join(' ')}…\n${r.stderr}`) as Error & { status: number | null; stderr: string; stdout: string };
    e.status = r.status;
    e.stderr = r.stderr;
    e.stdout = r.stdout;
    throw e;
  }
  return r.stdout;
}
