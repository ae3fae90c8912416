/**
 * Pickers for data files (CSV/TSV, Parquet, Arrow, JSON Lines) and their columns. They remember
 * the last choice per workspace. Reading a CSV header reads only the first 64 KiB of a file, a
 * Parquet file's names only its footer (core's readColumnNames). Label pickers also read a
 * bounded sample of each file (core's readTableSample: the first 500 rows within 64 KiB of a CSV
 * or JSON Lines file, Parquet and Arrow files up to 4 MiB) for the columns' kinds; a file that
 * cannot be sampled, or not within SAMPLE_WAIT_MS, is ranked by its column names alone.
 */
import { open } from 'node:fs/promises';
import * as vscode from 'vscode';
import { readColumnNames } from '../core/readers/columnNames';
import { readTableSample, SAMPLE_ROWS } from '../core/readers/sample';
import { DATA_FILE_GLOB, isDataFilePath, isTabSeparatedPath } from '../protocol/files';
import { describeSample, labelKindOf, mergeSamples, rankLabelColumns, type FileSample } from './labelGuess';

const LAST_FILES = 'datasetLab.lastFiles';
const LAST_LABEL = 'datasetLab.lastLabel';

/** Every data file of the workspace (see DATA_FILE_EXTENSIONS), sorted by path. */
export async function workspaceDataFiles(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(DATA_FILE_GLOB, '**/{node_modules,.git,.dataset-lab}/**', 2000);
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The URIs a command was invoked on from the explorer (multi-select), if any. */
export function explorerSelection(arg: unknown, all: unknown): vscode.Uri[] {
  if (Array.isArray(all) && all.length && all.every((u) => u instanceof vscode.Uri)) return all as vscode.Uri[];
  if (arg instanceof vscode.Uri) return [arg];
  return [];
}

export async function pickDataFiles(
  state: vscode.Memento,
  options: { min: number; max?: number; title: string; initial?: readonly vscode.Uri[] },
): Promise<vscode.Uri[] | undefined> {
  const files = await workspaceDataFiles();
  if (files.length < options.min) {
    void vscode.window.showWarningMessage(`Dataset Lab: ${options.title} needs ${options.min} data file(s) (CSV, TSV, Parquet, Arrow, JSON Lines) in the workspace; found ${files.length}.`);
    return undefined;
  }
  // Start from the explorer's selection, else the file in the active editor (a Profile or Compare
  // asked for from a CSV's editor is about that file); without either, the last choice.
  const active = activeDataFile();
  const start = options.initial?.length ? options.initial.map((u) => u.toString()) : active ? [active.toString()] : state.get<string[]>(LAST_FILES, []);
  const last = new Set(start);
  const items = files
    .map((uri) => ({
      label: vscode.workspace.asRelativePath(uri),
      uri,
      picked: last.has(uri.toString()),
      ...(active && uri.toString() === active.toString() ? { description: 'active editor' } : {}),
    }))
    // The starting files first, so the one in view is the one ticked.
    .sort((a, b) => Number(b.picked) - Number(a.picked));
  if (options.max === 1) {
    const one = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: 'Choose a data file' });
    // One file (Profile) leaves the remembered set of files to compare as it was.
    return one ? [one.uri] : undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    canPickMany: true,
    placeHolder: `Choose at least ${options.min} data files`,
  });
  if (!picked) return undefined;
  if (picked.length < options.min) {
    void vscode.window.showWarningMessage(`Dataset Lab: choose at least ${options.min} files.`);
    return undefined;
  }
  await state.update(
    LAST_FILES,
    picked.map((p) => p.uri.toString()),
  );
  return picked.map((p) => p.uri);
}

/** The data file of the active editor, if it is one. */
export function activeDataFile(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && uri.scheme === 'file' && isDataFilePath(uri.fsPath) ? uri : undefined;
}

function sniffDelimiter(line: string): string {
  const candidates = [',', '\t', ';', '|'];
  let best = ',';
  let bestCount = 0;
  for (const c of candidates) {
    const n = line.split(c).length - 1;
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  return best;
}

/** Split one header line, honouring double quotes. */
function splitHeader(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export async function readHeader(path: string): Promise<string[]> {
  const typed = await readColumnNames(path);
  if (typed) return typed;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let text = buf.subarray(0, bytesRead).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const first = text.split(/\r?\n/, 1)[0] ?? '';
    if (!first.trim()) return [];
    return splitHeader(first, isTabSeparatedPath(path) ? '\t' : sniffDelimiter(first));
  } finally {
    await fh.close();
  }
}

/** How long a label picker waits for the files' samples before ranking by names alone. */
const SAMPLE_WAIT_MS = 3000;

/** A bounded sample of a file for the label picker, or why there is none (shown in the picker). */
export async function labelSample(uri: vscode.Uri): Promise<{ sample?: FileSample; note?: string }> {
  const name = vscode.workspace.asRelativePath(uri);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SAMPLE_WAIT_MS);
  });
  try {
    const read = await Promise.race([readTableSample(uri.fsPath, isTabSeparatedPath(uri.fsPath) ? { delimiter: '\t' } : {}), late]);
    if (!read) return { note: `${name}: not read within ${SAMPLE_WAIT_MS / 1000} s` };
    if (!read.table) return { note: `${name}: ${read.reason}` };
    return { sample: describeSample(read.table, SAMPLE_ROWS) };
  } catch (e) {
    return { note: `${name}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The placeholder's note on files ranked by names alone. */
function namesOnly(notes: readonly (string | undefined)[]): string {
  const said = notes.filter((n): n is string => !!n);
  return said.length ? ` · ranked by names only for ${said.join('; ')}` : '';
}

/**
 * Label column(s): one shared column when every file has it, else one per file.
 * Returns undefined when cancelled, [] for "no label". The picks stay open when focus moves (a
 * glance at a file between steps, or a panel updating) and close only on Escape.
 */
export async function pickLabels(
  state: vscode.Memento,
  files: readonly vscode.Uri[],
  options: { required: boolean; defaultLabel?: string },
): Promise<string[] | undefined> {
  const [headers, sampled] = await Promise.all([Promise.all(files.map((f) => readHeader(f.fsPath).catch(() => [] as string[]))), Promise.all(files.map((f) => labelSample(f)))]);
  const samples = sampled.map((s) => s.sample);
  const common = headers.reduce<string[]>((acc, h, i) => (i === 0 ? [...h] : acc.filter((c) => h.includes(c))), []);
  const last = state.get<string>(LAST_LABEL) ?? options.defaultLabel;
  if (common.length > 0) {
    type Item = vscode.QuickPickItem & { value: string | null };
    // The likely label first (highlighted): the last one used, a label-like name, few classes or a measure, the last column.
    const shared = new Map(common.flatMap((c) => {
      const m = mergeSamples(samples, c);
      return m ? [[c, m] as const] : [];
    }));
    const items: Item[] = rankLabelColumns(common, { ...(last ? { last } : {}), sample: shared }).map(({ column, reason }) => ({ label: column, value: column, description: reason }));
    if (!options.required) items.push({ label: '$(circle-slash) No label column', value: null });
    items.push({ label: '$(list-selection) A different label column per file...', value: '' });
    const pick = await vscode.window.showQuickPick(items, { title: 'Label column', placeHolder: `The column to predict (shared by all files)${namesOnly(sampled.map((s) => s.note))}`, ignoreFocusOut: true });
    if (!pick) return undefined;
    if (pick.value === null) return [];
    if (pick.value !== '') {
      await state.update(LAST_LABEL, pick.value);
      return files.map(() => pick.value as string);
    }
  }
  const labels: string[] = [];
  for (let i = 0; i < files.length; i++) {
    // A step counter, and the likely label first: the previous file's label when this file has it,
    // else a column of the same kind (classes or a number).
    const partnerKind = i > 0 ? labelKindOf(samples[i - 1]?.get(labels[i - 1])) : undefined;
    const ranked = rankLabelColumns(headers[i], {
      ...(last ? { last } : {}),
      ...(i > 0 ? { partner: labels[i - 1] } : {}),
      ...(partnerKind ? { partnerKind } : {}),
      ...(samples[i] ? { sample: samples[i] } : {}),
    });
    const pick = await vscode.window.showQuickPick(
      ranked.map(({ column, reason }) => ({ label: column, description: reason })),
      {
        title: `Label column (${i + 1} of ${files.length}): ${vscode.workspace.asRelativePath(files[i])}`,
        placeHolder: `The column to predict in ${vscode.workspace.asRelativePath(files[i])}${namesOnly([sampled[i].note])}`,
        ignoreFocusOut: true,
      },
    );
    if (!pick) return undefined;
    labels.push(pick.label);
  }
  return labels;
}
