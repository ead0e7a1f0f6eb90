/**
 * The `tfweights` command line. `main(argv, io)` runs one command in-process and returns the
 * exit code: 0 ok / equal, 1 differences (diff), 2 error (bad input or usage).
 */
import { Command, CommanderError, Option } from 'commander';
import { isTfwError, type TensorReader } from '@tfweights/core';
import { setRemoteOptions, type RemoteOptions } from '@tfweights/core/node';
import { defaultRegistry, type AdapterRegistry } from 'tfweights/cli';
import { processIo, type Io } from './io.js';
import { networkMeter } from './network-meter.js';
import { CLI_VERSION } from './version.js';
import { errorJson } from './error-json.js';

// Each command's code (and the pipeline, diff, statistics behind it) loads when that command
// runs: `--help` and `ls` parse only the parser, the registry's sniffers and what they open.
const lsCommand = () => import('./commands/ls.js');
const showCommand = () => import('./commands/show.js');
const diffCommand = () => import('./commands/diff.js');
const convertCommand = () => import('./commands/convert-run.js');
const progressBars = () => import('./progress.js');

export const EXIT_OK = 0;
export const EXIT_DIFFERENT = 1;
export const EXIT_ERROR = 2;

const EXIT_HELP = `
Exit codes:
  0  success (diff: the files are equal)
  1  diff: the files differ
  2  error: unreadable input, bad arguments, refused output`;

export interface MainOptions {
  /** Formats to use (default: every codec in this build). */
  registry?: AdapterRegistry;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function number(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new CommanderError(EXIT_ERROR, 'tfweights.badNumber', `${name} must be a number ≥ 0, got '${v}'`);
    return n;
  };
}

/** Run the CLI with `argv` (arguments after the program name). Never throws; returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo(), options: MainOptions = {}): Promise<number> {
  const registry = options.registry ?? defaultRegistry();
  const meter = networkMeter();
  let code = EXIT_OK;
  const withReader = async <T>(path: string, fn: (r: TensorReader) => Promise<T>, config?: string): Promise<T> => {
    const r = await registry.open(path, config !== undefined ? { config } : {});
    try {
      return await fn(r);
    } finally {
      await r.close();
    }
  };

  const program: Command = new Command('tfweights')
    .description('Inspect, convert and compare TensorFlow, Keras, TF.js, NumPy and safetensors weights (no TensorFlow needed).')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .option('--endpoint <url>', 'S3-compatible endpoint for s3:// locations (MinIO, R2, GCS interoperability …; default $AWS_ENDPOINT_URL)')
    .option('--no-sign-request', 'send s3:// requests unsigned (public buckets), like the AWS CLI')
    .option('--allow-full-download', 'read from HTTP servers that ignore Range requests by downloading (each read streams the object up to what it needs)')
    .option('--timeout <seconds>', 'give up on a remote request after this long without data (default 30)', number('--timeout'))
    .hook('preAction', (): void => setRemoteOptions(remoteFlags(program.opts(), io, meter)))
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: (s, write) => write(s) })
    .addHelpText('after', `
Formats: ${registry.all().map((a) => `${a.id}${a.open ? '' : ' (write only)'}${a.create ? '' : ' (read only)'}`).join(', ')}

Examples:
  tfweights ls model.h5
  tfweights show ckpt/model.ckpt dense/kernel
  tfweights convert ckpt/model.ckpt weights.npz
  tfweights diff model.h5 model.weights.h5

Remote locations (every command; read lazily with ranged requests):
  tfweights ls s3://bucket/run7/ckpt-250000                  AWS credential chain; --endpoint for MinIO/R2
  tfweights ls gs://bucket/model/model.ckpt-1000             public GCS objects over HTTPS
  tfweights ls hf://owner/repo/model.safetensors@main        Hugging Face Hub ($HF_TOKEN for private repos)
  tfweights ls https://example.com/model/model.json
  tfweights convert s3://bucket/ckpt s3://bucket/out.safetensors   multipart upload, completed only at the end
${EXIT_HELP}`);

  program.command('ls')
    .description('list the format and every tensor: key, readable name, dtype, shape, bytes (grouped by layer for Keras)')
    .argument('<path>', 'a file, checkpoint prefix, SavedModel or tfjs directory')
    .option('--json', 'print one JSON object {format, tensors: [{key, name, dtype, shape, bytes, params, role}], layers, params, signatures}')
    .option('--tree', 'print the names as a tree of path segments with parameter counts')
    .option('--include <glob>', 'only tensors whose name or key matches (repeatable)', collect)
    .option('--config <json>', 'Keras model JSON (model.to_json(), config.json) naming a Keras 3 .weights.h5\'s variables')
    .addHelpText('after', `
Layers show their parameter count and the listing ends with the totals (weights, optimizer
state), as Keras's model.summary() counts them; a SavedModel's signatures are listed too.

Examples:
  tfweights ls training/ckpt-2
  tfweights ls model.keras --json
  tfweights ls model.weights.h5 --config model.json --tree
  tfweights ls model.h5 --include 'dense*/**'
${EXIT_HELP}`)
    .action(async (path: string, o: { json?: boolean; tree?: boolean; include?: string[]; config?: string }) => {
      const { runLs } = await lsCommand();
      code = await withReader(path, async (r) => runLs(r, { json: Boolean(o.json), tree: Boolean(o.tree), include: o.include ?? [] }, io), o.config);
    });

  program.command('show')
    .description('one tensor: dtype, shape, statistics (min, max, mean, std, zeros, NaN, Inf), a histogram, the first values')
    .argument('<path>', 'the weights file')
    .argument('<name>', 'the tensor: its key or readable name (as ls prints it)')
    .option('--json', 'print JSON instead of text')
    .option('-n, --head <count>', 'how many leading values to print', number('--head'), 10)
    .option('--bins <count>', 'histogram bins', number('--bins'), 16)
    .option('--config <json>', 'Keras model JSON naming a Keras 3 .weights.h5\'s variables')
    .addHelpText('after', `
Examples:
  tfweights show model.h5 dense/kernel
  tfweights show ckpt 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE' -n 20
${EXIT_HELP}`)
    .action(async (path: string, name: string, o: { json?: boolean; head: number; bins: number; config?: string }) => {
      const { runShow } = await showCommand();
      code = await withReader(path, (r) => runShow(r, name, { json: Boolean(o.json), head: Math.floor(o.head), bins: Math.max(1, Math.floor(o.bins)) }, io), o.config);
    });

  program.command('convert')
    .description('convert weights between formats; the output format comes from OUT\'s extension or --to')
    .argument('<in>', 'input (any readable format)')
    .argument('<out>', 'output file, checkpoint prefix or directory (never the input)')
    .option('--to <format>', `output format: ${registry.writableIds().join(', ')}`)
    .option('--include <glob>', 'only tensors whose name or key matches (repeatable; * within a segment, ** across)', collect)
    .option('--exclude <glob>', 'drop tensors whose name or key matches (repeatable)', collect)
    .option('--drop-optimizer', 'drop optimizer state and bookkeeping (slots, iteration counters, save_counter, global_step)')
    .option('--rename <rule>', 'old=new regular expression applied to names, or a .json file of rules (repeatable)', collect)
    .option('--template <path>', 'a file or directory with the target structure (e.g. the Keras model the weights are for), or a Keras model JSON (model.to_json(), config.json) for names, classes and config only; prints a match report')
    .option('--strict', 'with --template: fail when anything stays unmatched')
    .option('--allow-uncertain-match', 'write a match that is not certain (template pairs made only by order and shape, Keras tensors the model config does not place) instead of failing with the report')
    .option('--cast <from:to>', 'convert dtypes, e.g. float16:float32 (repeatable or comma-separated)', collect)
    .addOption(new Option('--checkpoint-style <style>', 'checkpoint output: tf1 names or tf2 object graph (default: like the input)').choices(['tf1', 'tf2']))
    .addOption(new Option('--bfloat16 <how>', 'bfloat16 into .npz/.npy (NumPy has no bfloat16): float32 widens exactly (default, said in the summary), raw stores the 2-byte values as |V2, refuse stops').choices(['float32', 'raw', 'refuse']))
    .option('--config <json>', 'Keras model JSON naming a Keras 3 .weights.h5 input\'s variables (dense/kernel, not layers/dense/vars/0)')
    .option('-n, --dry-run', 'print the plan (what is written, renamed, left out and why) and write nothing')
    .option('--json', 'print the plan or the result as one JSON object on stdout')
    .addOption(new Option('--keras-layout <layout>', 'Keras input → checkpoint: the object graph of Keras 3 on TensorFlow (model/_operations/<i>/…, from the model config; default) or of tf.keras 2 (layer_with_weights-<i>/…)').choices(['keras3', 'tf-keras-2']))
    .option('-f, --force', 'replace OUT if it exists')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText('after', `
Output formats by extension: ${registry.all().filter((a) => a.create && a.extensions.length > 0).map((a) => `${a.extensions.join(' ')} → ${a.id}`).join('; ')}
(a folder of .npy files: --to npy; a checkpoint prefix: --to checkpoint; a SavedModel: --to savedmodel --template DIR)
Tensors the output cannot hold (strings or complex in .h5/.safetensors, DT_VARIANT outside a
checkpoint, entries the input cannot read) are left out with the reason, like optimizer state
in a weights-only file; the summary lists them.

Examples:
  tfweights convert ckpt/model.ckpt weights.npz
  tfweights convert ckpt/model.ckpt npy_out --to npy
  tfweights convert model.h5 model.weights.h5
  tfweights convert model.h5 tf_ckpt/ckpt --to checkpoint
  tfweights convert model.weights.h5 tf_ckpt/ckpt --to checkpoint --template config.json
  tfweights convert model.h5 tf_ckpt/ckpt --to checkpoint --keras-layout tf-keras-2
  tfweights convert ckpt/model.ckpt model_weights.h5 --template model.h5 --strict
  tfweights convert model.h5 out.npz --include 'dense*/**' --rename '^dense=fc' --cast float32:float16
${EXIT_HELP}`)
    .action(async (input: string, output: string, o: {
      to?: string; include?: string[]; exclude?: string[]; dropOptimizer?: boolean; rename?: string[]; template?: string;
      strict?: boolean; cast?: string[]; checkpointStyle?: string; kerasLayout?: string; allowUncertainMatch?: boolean;
      bfloat16?: string; force?: boolean; quiet?: boolean; config?: string; dryRun?: boolean; json?: boolean;
    }) => {
      const extra = {
        ...(o.checkpointStyle ? { style: o.checkpointStyle } : {}), ...(o.bfloat16 ? { bfloat16: o.bfloat16 } : {}),
        ...(o.kerasLayout ? { kerasLayout: o.kerasLayout } : {}),
      };
      const { convert, formatBytes, makeProgress, outputSize, parseCasts, parseRenameArgs, planReport, planText } = await convertCommand();
      const progress = makeProgress(io, !o.json && !o.dryRun, meter);
      const notes: string[] = [];
      try {
        const result = await convert(registry, input, output, {
          ...(o.to ? { to: o.to } : {}),
          include: o.include ?? [], exclude: o.exclude ?? [], dropOptimizer: Boolean(o.dropOptimizer),
          renames: parseRenameArgs(o.rename ?? []), casts: parseCasts(o.cast ?? []),
          ...(o.template ? { template: o.template } : {}), strict: Boolean(o.strict), force: Boolean(o.force),
          ...(Object.keys(extra).length > 0 ? { extra } : {}),
          ...(o.config ? { config: o.config } : {}), dryRun: Boolean(o.dryRun),
          ...(o.allowUncertainMatch ? { allowUncertainMatch: true } : {}),
          log: (line) => {
            notes.push(line);
            if (!o.json) io.err(line + '\n');
          },
          onStart: (total) => progress.start(total, 'convert'),
          onTensor: (bytes, name) => progress.advance(bytes, name),
        });
        progress.stop();
        const size = o.dryRun ? undefined : outputSize(output);
        if (o.json || o.dryRun) {
          const report = planReport(result, Boolean(o.dryRun), notes, size);
          io.out(o.json ? JSON.stringify(report, null, 2) + '\n' : planText(report));
        } else if (!o.quiet) {
          io.err(`wrote ${output} (${result.to}): ${result.written.length} tensors, ${size === undefined ? '' : `${formatBytes(size)} on disk, `}` +
            `${formatBytes(result.bytes)} of tensor data read${result.skipped.length > 0 ? `; ${result.skipped.length} left out` : ''}\n`);
        }
      } finally {
        progress.stop();
      }
    });

  program.command('diff')
    .description('compare two weight files across formats: tensors only in A or B, shape and dtype mismatches, max abs and rel difference')
    .argument('<a>', 'first file')
    .argument('<b>', 'second file')
    .option('--json', 'print one JSON object')
    .option('--atol <x>', 'absolute tolerance', number('--atol'), 0)
    .option('--rtol <y>', 'relative tolerance', number('--rtol'), 0)
    .option('--all', 'also count optimizer state / bookkeeping that only one side has')
    .option('--config <json>', 'Keras model JSON naming the variables of a Keras 3 .weights.h5 (A, B or both)')
    .addHelpText('after', `
Two tensors are equal when every |a - b| <= atol + rtol * |b| (default: exactly equal) and
their dtypes and shapes agree. Tensors pair by key, then by readable name.

Examples:
  tfweights diff model.h5 model.weights.h5
  tfweights diff ckpt/model.ckpt weights.npz --rtol 1e-6 --json
${EXIT_HELP}`)
    .action(async (a: string, b: string, o: { json?: boolean; atol: number; rtol: number; all?: boolean; config?: string }) => {
      const [{ runDiff }, { makeProgress }] = await Promise.all([diffCommand(), progressBars()]);
      const progress = makeProgress(io, !o.json, meter);
      await withReader(a, (ra) => withReader(b, async (rb) => {
        progress.start(ra.list().reduce((s, t) => s + t.byteLength, 0) + rb.list().reduce((s, t) => s + t.byteLength, 0), 'diff');
        try {
          code = await runDiff(ra, rb, { json: Boolean(o.json), atol: o.atol, rtol: o.rtol, all: Boolean(o.all), onPair: (n, name) => progress.advance(n, name) }, io);
        } finally {
          progress.stop();
        }
      }, kerasOnly(b, o.config)), kerasOnly(a, o.config));
    });

  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      if (err.code === 'tfweights.badNumber') io.err(`tfweights: ${err.message}\n`);
      if (json) io.out(JSON.stringify({ error: { code: err.code, message: err.message.replace(/^error: /, '') } }) + '\n');
      return EXIT_ERROR;
    }
    const line = errorLine(err);
    io.err(`tfweights: ${line}\n`);
    if (json) io.out(JSON.stringify(errorJson(err, line), null, 2) + '\n');
    return EXIT_ERROR;
  }
}

/** Remote settings from the global flags. */
function remoteFlags(o: { endpoint?: string; signRequest?: boolean; allowFullDownload?: boolean; timeout?: number }, io: Io, meter = networkMeter()): RemoteOptions {
  return {
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.signRequest === false ? { noSignRequest: true } : {}),
    http: { ...(o.allowFullDownload ? { allowFullDownload: true } : {}), ...(o.timeout !== undefined ? { timeoutMs: o.timeout * 1000 } : {}) },
    onBytes: (n) => meter.add(n),
    log: (line) => io.err(`${line}\n`),
  };
}

/** `diff --config`: the config applies to whichever side is a Keras 3 file (by its extension). */
function kerasOnly(path: string, config: string | undefined): string | undefined {
  return config !== undefined && /\.(weights\.h5|keras|h5|hdf5)$/i.test(path) ? config : undefined;
}

/** One line for any error: TfwError messages already name the file. */
export function errorLine(err: unknown): string {
  if (isTfwError(err)) return err.message.split('\n')[0]!;
  if (err instanceof Error) {
    const e = err as NodeJS.ErrnoException;
    if (e.code && e.path) return `${e.path}: ${e.message.split('\n')[0]}`;
    return `internal error: ${e.message.split('\n')[0]}`;
  }
  return String(err);
}
