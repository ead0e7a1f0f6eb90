/**
 * The page: open (pick, drop, URL), show contents, inspect a tensor, compare, convert. All
 * reading and writing is tfweights' code running here; nothing leaves the machine.
 */
import { isTfwError, type TensorInfo, type TensorReader } from '@tfweights/core';
import { formatBytes, WeightsFile } from 'tfweights';
import { convertTo, OUTPUTS } from './convert.js';
import { $, el } from './dom.js';
import { isCorsOrNetwork, LocalSet, type PickedFile } from './inputs.js';
import { openLocal, openUrl } from './open.js';
import { canPickSaveFile, clearScratch, MAX_MEMORY_OUTPUT_BYTES, pickedFileSink, scratchSink, type OutputSink } from './output-sinks.js';
import { fromDrop, fromInput } from './pick.js';
import { renderDiff } from './view-diff.js';
import { renderSignatures, renderSummary, renderTree } from './view-model.js';
import { renderTensor } from './view-tensor.js';

/** One line per error, as the CLI prints it; network failures get the likely reason. */
export function errorLine(err: unknown): string {
  const line = isTfwError(err) ? err.message.split('\n')[0]! : err instanceof Error ? `internal error: ${err.message.split('\n')[0]}` : String(err);
  if (isCorsOrNetwork(err)) {
    return `${line} — the browser could not read this URL: the server is unreachable, or it does not allow other sites to read it (CORS: it must send Access-Control-Allow-Origin, and for range reads allow the Range header and expose Content-Range, Content-Length and Accept-Ranges)`;
  }
  return line;
}

let current: { file: WeightsFile; stem: string } | undefined;
let other: TensorReader | undefined;

function status(text: string): void {
  $('status').textContent = text;
}
function showError(err: unknown): void {
  const box = $('error');
  box.textContent = errorLine(err);
  box.hidden = false;
  status('');
}
function clearError(): void {
  $('error').hidden = true;
  $('error').textContent = '';
}

/**
 * The stem of output names: the file or folder opened, or for several loose files (labelled
 * "N files") the file the reader was opened from (`ckpt.index` → `ckpt`).
 */
function stemOf(label: string, source: string): string {
  if (/^\d+ files$/.test(label)) label = source;
  const base = label.replace(/\/+$/, '').split(/[/\\]/).pop() ?? 'weights';
  return base.replace(/\.(weights\.h5|safetensors|index|keras|npz|npy|h5|hdf5|json|pb)$/i, '').replace(/\.data-\d{5}-of-\d{5}$/, '') || 'weights';
}

async function show(open: () => Promise<TensorReader>, label: string, inputBytes?: number): Promise<void> {
  clearError();
  status(`Opening ${label}…`);
  const t0 = performance.now();
  try {
    const reader = await open();
    await current?.file.close().catch(() => undefined);
    current = { file: new WeightsFile(reader), stem: stemOf(label, reader.source) };
    renderSummary($('summary'), current.file, inputBytes);
    renderSignatures($('signatures'), reader);
    redrawTree();
    $('tensor').replaceChildren(el('p', {}, 'Pick a tensor to see its values.'));
    $('diff').replaceChildren();
    for (const id of ['model', 'convert', 'compare']) $(id).hidden = false;
    status(`Opened ${label}: ${current.file.list().length} tensors in ${Math.round(performance.now() - t0)} ms.`);
    document.body.dataset.opened = String(Date.now());
  } catch (err) {
    showError(err);
  }
}

function redrawTree(): void {
  if (!current) return;
  renderTree($('tree'), current.file, {
    filter: ($('filter') as HTMLInputElement).value,
    hideOptimizer: ($('hide-optimizer') as HTMLInputElement).checked,
    onPick: (t) => void pick(t),
  });
}

async function pick(info: TensorInfo): Promise<void> {
  if (!current) return;
  const host = $('tensor');
  host.replaceChildren(el('p', {}, `Reading ${info.name}…`));
  try {
    renderTensor(host, info, await current.file.reader.read(info.key));
  } catch (err) {
    host.replaceChildren(el('p', { class: 'error', role: 'alert' }, errorLine(err)));
  }
}

function openPicked(files: PickedFile[]): void {
  if (files.length === 0) return;
  const set = new LocalSet(files);
  void show(() => openLocal(set), set.label, files.reduce((s, f) => s + f.file.size, 0));
}

function openUrlText(text: string): void {
  const url = new URL(text.trim(), location.href).href;
  ($('url') as HTMLInputElement).value = text.trim();
  void show(() => openUrl(url), url);
}

async function compareWith(files: PickedFile[]): Promise<void> {
  if (!current || files.length === 0) return;
  const host = $('diff');
  try {
    await other?.close().catch(() => undefined);
    other = await openLocal(new LocalSet(files));
    await renderDiff(host, current.file.reader, other);
  } catch (err) {
    host.replaceChildren(el('p', { class: 'error', role: 'alert' }, errorLine(err)));
  }
}

const globs = (id: string) => ($(id) as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean);

async function runConvert(): Promise<void> {
  if (!current) return;
  const out = OUTPUTS.find((o) => o.id === ($('to') as HTMLSelectElement).value)!;
  const name = out.fileName(current.stem);
  const progress = $('progress') as HTMLProgressElement;
  const log = $('convert-log');
  const say = (t: string) => ($('convert-status').textContent = t);
  const link = $('download') as HTMLAnchorElement;
  link.hidden = true;
  log.replaceChildren();
  let sink: OutputSink;
  try {
    // The picker must be asked for inside the click; without it, the scratch file system or memory.
    sink = ($('to-disk') as HTMLInputElement).checked && canPickSaveFile() ? await pickedFileSink(name) : await scratchSink(name);
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    say(errorLine(err));
    return;
  }
  ($('convert-go') as HTMLButtonElement).disabled = true;
  progress.hidden = false;
  progress.value = 0;
  let total = 0;
  let done = 0;
  const t0 = performance.now();
  try {
    const r = await convertTo(current.file.reader, out, sink, current.stem, {
      include: globs('include'), exclude: globs('exclude'), dropOptimizer: ($('drop-opt') as HTMLInputElement).checked,
      cast: ($('cast') as HTMLInputElement).value,
      log: (line) => log.append(el('li', {}, line)),
      onStart: (n) => (total = n),
      onTensor: (bytes, tname) => {
        done += bytes;
        progress.value = total > 0 ? done / total : 1;
        say(`${formatBytes(done)} of ${formatBytes(total)} — ${tname}`);
      },
    });
    const saved = await sink.saved();
    progress.value = 1;
    say(`Wrote ${r.written} tensor(s) (${r.skipped} left out), ${formatBytes(saved.size)} in ${Math.round(performance.now() - t0)} ms.`);
    if (saved.blob) {
      link.href = URL.createObjectURL(saved.blob);
      link.download = saved.name;
      link.textContent = `Download ${saved.name} (${formatBytes(saved.size)})`;
      link.hidden = false;
    }
    document.body.dataset.converted = String(Date.now());
  } catch (err) {
    say('');
    log.append(el('li', { class: 'error', role: 'alert' }, errorLine(err)));
  } finally {
    ($('convert-go') as HTMLButtonElement).disabled = false;
  }
}

function wire(): void {
  const drop = $('drop');
  const files = $('pick-files') as HTMLInputElement;
  files.addEventListener('change', () => openPicked(fromInput(files)));
  const folder = $('pick-folder') as HTMLInputElement;
  folder.addEventListener('change', () => openPicked(fromInput(folder)));
  drop.addEventListener('click', () => files.click());
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      files.click();
    }
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer) void fromDrop(e.dataTransfer).then(openPicked, showError);
  });
  $('url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = ($('url') as HTMLInputElement).value;
    if (v.trim() !== '') {
      history.replaceState(null, '', `?url=${encodeURIComponent(v.trim())}`);
      openUrlText(v);
    }
  });
  $('filter').addEventListener('input', redrawTree);
  $('hide-optimizer').addEventListener('change', redrawTree);
  const to = $('to') as HTMLSelectElement;
  to.replaceChildren(...OUTPUTS.map((o) => el('option', { value: o.id }, o.title)));
  const disk = $('to-disk') as HTMLInputElement;
  if (!canPickSaveFile()) {
    disk.disabled = true;
    disk.parentElement!.title = `This browser cannot write files directly; outputs go to its private storage (or memory, up to ${formatBytes(MAX_MEMORY_OUTPUT_BYTES)}) and are then offered as a download.`;
  }
  $('convert-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void runConvert();
  });
  for (const id of ['pick-other', 'pick-other-folder']) {
    const input = $(id) as HTMLInputElement;
    input.addEventListener('change', () => void compareWith(fromInput(input)));
  }
  void clearScratch();
  const url = new URLSearchParams(location.search).get('url');
  if (url) openUrlText(url);
}

wire();
// Offline once loaded (see public/sw.js); only where service workers run (http://localhost, https).
if ('serviceWorker' in navigator && location.protocol !== 'file:') void navigator.serviceWorker.register('./sw.js').catch(() => undefined);
