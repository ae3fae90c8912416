/**
 * Compare Datasets, Compare With... (the language server's CodeLens) and Profile. Comparing
 * runs the CLI in a child process; Profile asks the language server for its live model when
 * the file is open in an editor, else it runs the CLI too.
 */
import { readFile, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { TableProfile } from '../../core/profile';
import { describeCompareProgress, progressPercent } from '../../protocol/compareProgress';
import type { CompareDocument } from '../../protocol/dashboard';
import { isStreamCompare } from '../../protocol/streamCompare';
import { RUN_FILES } from '../../protocol/runFolder/contract';
import { compareThresholdArgs, ingestArgs, labelArgs } from '../cliArgs';
import { parseCliProblems } from '../cliProblems';
import { runCli } from '../cliRunner';
import { compareMode } from '../compareMode';
import { CommandIds } from '../commandIds';
import type { Ctx } from '../ctx';
import { errorMessage, reportCliFailure } from '../errors';
import { pickLabels, workspaceDataFiles } from '../pickers';
import type { LiveTableProfile } from '../serverProfile';
import { resolveFiles, workspaceRoot, type CompareArgs } from './args';
import { listRuns } from '../runs';

/** workspaceState key of the last comparison's files and labels (the dashboard's Scaffold buttons reuse them). */
export const LAST_COMPARE = 'datasetLab.lastCompare';

export interface LastCompare {
  readonly files: string[];
  readonly labels: string[];
}

export function registerCompareCommands(ctx: Ctx): void {
  ctx.registerCommand(CommandIds.compareDatasets, (a, b) => compare(ctx, a, b));
  ctx.registerCommand(CommandIds.compareWith, (a, b) => compareWith(ctx, a, b));
  ctx.registerCommand(CommandIds.profileDataset, (a) => profile(ctx, a));
  ctx.registerCommand(CommandIds.profile, (a) => profile(ctx, a));
}

export async function compare(ctx: Ctx, a?: unknown, b?: unknown): Promise<CompareDocument | undefined> {
  const chosen = await resolveFiles(ctx.state, a, b, 2, 'Compare Datasets');
  if (!chosen) return undefined;
  const { files } = chosen;
  const labels =
    chosen.labels ??
    (await pickLabels(ctx.state, files, {
      required: false,
      defaultLabel: vscode.workspace.getConfiguration('datasetLab').get<string>('compare.defaultLabel') || undefined,
    }));
  if (labels === undefined) return undefined;
  const paths = files.map((f) => f.fsPath);
  const cwd = workspaceRoot() ?? dirname(paths[0]);
  const settings = vscode.workspace.getConfiguration('datasetLab.compare');
  const sizes = await Promise.all(paths.map((p) => stat(p).then((s) => s.size, () => 0)));
  const mode = compareMode(paths.map((path, i) => ({ path, bytes: sizes[i] })), settings.get<number | null>('streamAboveMB'), totalmem());
  if (mode.reason) ctx.output.appendLine(`[compare] ${mode.reason}`);
  const args = [
    'compare',
    ...paths,
    '--json',
    '--progress-json',
    ...(mode.stream ? ['--stream'] : []),
    ...labelArgs(labels, paths.length),
    ...compareThresholdArgs(settings),
    ...ingestArgs(vscode.workspace.getConfiguration('datasetLab', files[0])),
  ];
  // The dashboard shows the comparison's stages rather than a blank panel while it runs.
  ctx.dashboard.compareStarted(paths.map((p) => vscode.workspace.asRelativePath(p)), mode.stream);
  const title = `Dataset Lab: comparing ${paths.map((p) => basename(p)).join(' vs ')}${mode.stream ? ' (streaming)' : ''}`;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      progress.report({ message: mode.stream ? 'reading in bounded memory' : 'starting' });
      let shown = 0;
      return runCli(ctx.extensionUri, args, {
        cwd,
        token,
        output: ctx.output,
        onProgress: (e) => {
          // withProgress adds increments up: report the change of the overall share, in percent.
          const increment = Math.max(0, e.fraction * 100 - shown);
          shown += increment;
          progress.report({ message: `${progressPercent(e)} · ${describeCompareProgress(e)}`, increment });
          ctx.dashboard.compareStage(e);
        },
      });
    },
  );
  if (result.cancelled) {
    ctx.dashboard.compareEnded('cancelled');
    void vscode.window.showInformationMessage('Dataset Lab: comparison cancelled.');
    return undefined;
  }
  if (result.code !== 0) {
    ctx.dashboard.compareEnded('failed');
    reportCliFailure(ctx.problems, 'Compare Datasets', result.stderr, paths, workspaceRoot() ?? process.cwd());
    return undefined;
  }
  const doc = JSON.parse(result.stdout) as CompareDocument;
  if (isStreamCompare(doc)) {
    // No in-memory report: nothing for the scaffold buttons, which read the last one.
    const problems = parseCliProblems(result.stderr);
    ctx.problems.set(problems, cwd, paths);
    ctx.dashboard.showCompare(doc);
    if (problems.length) void ctx.problems.notify(`Dataset Lab: the input files have ${problems.length} problem(s); the comparison skipped the bad cells.`, 'warning');
    return doc;
  }
  const report = doc;
  ctx.lastReport = report;
  await ctx.state.update(LAST_COMPARE, { files: files.map((f) => f.toString()), labels } satisfies LastCompare);
  const problems = report.problems.map((p) => ({ file: p.file, line: p.line, column: p.column, message: p.message, code: p.code }));
  ctx.problems.set(problems, cwd, paths);
  ctx.dashboard.showCompare(report);
  // The runs of the workspace: the compare view links its recommendation to a run of the same files.
  ctx.dashboard.setRuns(await listRuns());
  if (problems.length) {
    void ctx.problems.notify(`Dataset Lab: the input files have ${problems.length} problem(s); the comparison skipped the bad cells.`, 'warning');
  }
  return report;
}

/**
 * "Compare with..." CodeLens: the file and a partner. The partners are the datasets that
 * experiment files pair it with, asked from the language server at the click (the lens's own
 * list, `b`, when the server cannot answer); with none, any CSV file of the workspace.
 */
export async function compareWith(ctx: Ctx, a: unknown, b: unknown): Promise<CompareDocument | undefined> {
  const uri = typeof a === 'string' ? vscode.Uri.parse(a) : a instanceof vscode.Uri ? a : undefined;
  if (!uri) return compare(ctx);
  const lensPartners = (Array.isArray(b) ? b : []).map((p) => (typeof p === 'string' ? vscode.Uri.parse(p) : p)).filter((p): p is vscode.Uri => p instanceof vscode.Uri);
  const partners = (await pairedPartners(ctx, uri)) ?? lensPartners;
  let partner: vscode.Uri | undefined = partners.length === 1 ? partners[0] : undefined;
  if (!partner) {
    const candidates = partners.length ? partners : (await workspaceDataFiles()).filter((u) => u.toString() !== uri.toString());
    const pick = await vscode.window.showQuickPick(
      candidates.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
      { title: `Compare ${vscode.workspace.asRelativePath(uri)} with...` },
    );
    partner = pick?.uri;
  }
  if (!partner) return undefined;
  const files = [uri, partner];
  const labels = await pickLabels(ctx.state, files, { required: false });
  if (labels === undefined) return undefined;
  return compare(ctx, { files, labels } satisfies CompareArgs);
}

/** The other datasets of the experiments pairing `uri`, from the server; undefined when it cannot answer. */
async function pairedPartners(ctx: Ctx, uri: vscode.Uri): Promise<vscode.Uri[] | undefined> {
  const client = ctx.languageClient;
  if (!client) return undefined;
  try {
    const { experiments } = await client.pairings(uri);
    const partners = new Map<string, vscode.Uri>();
    for (const d of experiments.flatMap((e) => e.datasets)) {
      const p = vscode.Uri.parse(d.uri);
      if (p.fsPath !== uri.fsPath) partners.set(p.fsPath, p);
    }
    return [...partners.values()];
  } catch (e) {
    ctx.output.appendLine(`[compare with] the language server did not answer datasetLab/pairings: ${errorMessage(e)}`);
    return undefined;
  }
}

/**
 * Profile one file. An open document is profiled by the language server from the editor's
 * text (unsaved edits included); otherwise, or when the server has no current model of it,
 * the CLI reads the file from disk.
 */
export async function profile(ctx: Ctx, a?: unknown): Promise<unknown> {
  // The server's CodeLens passes the file's URI as a string.
  const fromServer = typeof a === 'string' ? vscode.Uri.parse(a) : undefined;
  const chosen = fromServer ? { files: [fromServer] } : await resolveFiles(ctx.state, a, undefined, 1, 'Profile Dataset', 1);
  const file = chosen?.files[0] ?? (a === undefined ? vscode.window.activeTextEditor?.document.uri : undefined);
  if (!file) return undefined;
  const live = await liveProfile(ctx, file);
  if (live) {
    // The server's diagnostics of the open file replace what an earlier CLI run reported.
    ctx.problems.set([], workspaceRoot() ?? dirname(file.fsPath), [file.fsPath]);
    ctx.dashboard.showProfile({ name: live.name, path: vscode.workspace.asRelativePath(file), rows: live.rows, columns: live.columns, source: 'language server', at: new Date().toISOString() });
    return live;
  }
  const cwd = workspaceRoot() ?? dirname(file.fsPath);
  const args = ['profile', file.fsPath, '--json', ...ingestArgs(vscode.workspace.getConfiguration('datasetLab', file))];
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Dataset Lab: profiling ${basename(file.fsPath)}`, cancellable: true },
    (_p, token) => runCli(ctx.extensionUri, args, { cwd, token, output: ctx.output }),
  );
  if (result.cancelled) return undefined;
  if (result.code !== 0) {
    reportCliFailure(ctx.problems, 'Profile Dataset', result.stderr, [file.fsPath], workspaceRoot() ?? process.cwd());
    return undefined;
  }
  const profile = JSON.parse(result.stdout) as TableProfile;
  const problems = parseCliProblems(result.stderr);
  ctx.problems.set(problems, cwd, [file.fsPath]);
  ctx.dashboard.showProfile({ name: profile.name, path: vscode.workspace.asRelativePath(file), rows: profile.rows, columns: profile.columns, source: 'file', problemCount: profile.problemCount, at: new Date().toISOString() });
  if (problems.length) void ctx.problems.notify(`Dataset Lab: ${basename(file.fsPath)} has ${problems.length} problem(s).`, 'warning');
  return profile;
}

/** The server's profile of `file` when it is open and the server's model is of its current text. */
async function liveProfile(ctx: Ctx, file: vscode.Uri): Promise<LiveTableProfile | undefined> {
  const client = ctx.languageClient;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
  if (!client || !doc || file.scheme !== 'file') return undefined;
  try {
    const result = await client.columnProfiles(file);
    if (!result || result.version !== doc.version) return undefined;
    const { liveTableProfile } = await import('../serverProfile');
    return liveTableProfile(result, file.fsPath);
  } catch (e) {
    ctx.output.appendLine(`[profile] the language server did not answer datasetLab/columnProfiles, using the CLI: ${errorMessage(e)}`);
    return undefined;
  }
}

/**
 * The dashboard's link back from a run to the comparison of its files: compares the data files
 * the run trained on (its experiment.json), with its labels, without asking.
 */
export async function compareRun(ctx: Ctx, runId: string): Promise<boolean> {
  const run = (await listRuns()).find((r) => r.runId === runId);
  if (!run) throw new Error(`no run ${runId} in this workspace`);
  const exp = JSON.parse(await readFile(join(run.dir, RUN_FILES.experiment), 'utf8')) as { datasets?: { absPath?: unknown; label?: unknown }[] };
  const datasets = (exp.datasets ?? []).filter((d): d is { absPath: string; label: string } => typeof d.absPath === 'string' && typeof d.label === 'string');
  if (datasets.length < 2) return false;
  const report = await compare(ctx, { files: datasets.map((d) => vscode.Uri.file(d.absPath)), labels: datasets.map((d) => d.label) } satisfies CompareArgs);
  return report !== undefined;
}
