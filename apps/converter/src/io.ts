/** Where the CLI writes: injectable so tests run commands in-process and read the output. */
export interface Io {
  /** Write to standard output (text already ends with a newline where one is wanted). */
  out(text: string): void;
  /** Write to standard error. */
  err(text: string): void;
  /** True when stderr is a terminal: only then are progress bars drawn. */
  readonly stderrIsTTY: boolean;
  /** Stream for progress bars (process.stderr in the real CLI). */
  readonly progressStream?: NodeJS.WritableStream;
}

/** The process's own stdout/stderr. */
export function processIo(): Io {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    progressStream: process.stderr,
  };
}

/** An Io that collects everything, for tests. */
export function memoryIo(): Io & { stdout: () => string; stderr: () => string } {
  let o = '';
  let e = '';
  return { out: (t) => { o += t; }, err: (t) => { e += t; }, stderrIsTTY: false, stdout: () => o, stderr: () => e };
}
