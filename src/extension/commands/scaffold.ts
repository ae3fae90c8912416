/** New Merge Experiment... and New Multi-Head Experiment...: `dataset-lab init` in a child process. */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { labelArgs } from '../cliArgs';
import { runCli } from '../cliRunner';
import { CommandIds } from '../commandIds';
import type { Ctx } from '../ctx';
import { reportCliFailure } from '../errors';
import { pickLabels } from '../pickers';
import { isArgsObject, resolveFiles, workspaceRoot, type CompareArgs, type ScaffoldArgs } from './args';
import { LAST_COMPARE, type LastCompare } from './compare';
import { EXPERIMENT_KIND_TITLES, type ExperimentKind } from '../../protocol/armRule';

export type { ExperimentKind };

export function registerScaffoldCommands(ctx: Ctx): void {
  ctx.registerCommand(CommandIds.newMergeExperiment, (a, b) => scaffold(ctx, 'merge', a, b));
  ctx.registerCommand(CommandIds.newMultiHeadExperiment, (a, b) => scaffold(ctx, 'multihead', a, b));
}

/** Scaffold an experiment file. Never overwrites silently. */
export async function scaffold(ctx: Ctx, kind: ExperimentKind, a?: unknown, b?: unknown): Promise<vscode.Uri | undefined> {
  const title = kind === 'merge' ? 'New Merge Experiment' : kind === 'multihead' ? 'New Multi-Head Experiment' : `New Experiment (${EXPERIMENT_KIND_TITLES[kind]})`;
  const chosen = await resolveFiles(ctx.state, a, b, 2, title);
  if (!chosen) return undefined;
  const opts: ScaffoldArgs = isArgsObject(a) ? a : {};
  const labels = chosen.labels ?? (await pickLabels(ctx.state, chosen.files, { required: true }));
  if (!labels || !labels.length) return undefined;
  const root = workspaceRoot() ?? dirname(chosen.files[0].fsPath);
  let output = opts.output;
  if (!output) {
    const stem = chosen.files.map((f) => basename(f.fsPath, extname(f.fsPath))).join('-');
    const suggestion = `${stem}.${kind}.experiment.json`;
    const typed = await vscode.window.showInputBox({
      title,
      prompt: 'Experiment file to create (relative to the workspace)',
      value: suggestion,
      validateInput: (v) => (v.trim().endsWith('.experiment.json') ? undefined : 'The name must end in .experiment.json'),
    });
    if (!typed) return undefined;
    output = vscode.Uri.file(join(root, typed.trim()));
  }
  let force = false;
  if (existsSync(output.fsPath)) {
    if (!opts.overwrite) {
      const ok = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(output)} already exists. Overwrite it?`, { modal: true }, 'Overwrite');
      if (ok !== 'Overwrite') return undefined;
    }
    force = true;
  }
  const paths = chosen.files.map((f) => f.fsPath);
  const args = ['init', kind, ...paths, ...labelArgs(labels, paths.length), '-o', output.fsPath, ...(force ? ['--force'] : [])];
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Dataset Lab: ${title}`, cancellable: true },
    (_p, token) => runCli(ctx.extensionUri, args, { cwd: root, token, output: ctx.output }),
  );
  if (result.cancelled) return undefined;
  if (result.code !== 0) {
    reportCliFailure(ctx.problems, title, result.stderr, paths, workspaceRoot() ?? process.cwd());
    return undefined;
  }
  if (opts.open !== false) await vscode.window.showTextDocument(output);
  return output;
}

/** The dashboard's Scaffold buttons: an experiment from the last comparison's files and labels. */
export async function scaffoldFromLastCompare(ctx: Ctx, kind: ExperimentKind): Promise<vscode.Uri | undefined> {
  const last = ctx.state.get<LastCompare>(LAST_COMPARE);
  if (!last) throw new Error('Compare datasets first.');
  const uri = await scaffold(ctx, kind, { files: last.files.map((f) => vscode.Uri.parse(f)), labels: last.labels } satisfies CompareArgs);
  if (uri) {
    const run = 'Run It';
    // A button keeps the notification until it is answered: the next step stays in view.
    void vscode.window.showInformationMessage(`Dataset Lab: created ${vscode.workspace.asRelativePath(uri)} (${EXPERIMENT_KIND_TITLES[kind]}).`, run).then((pick) => (pick === run ? vscode.commands.executeCommand(CommandIds.runExperiment, uri) : undefined));
  }
  return uri;
}
