/**
 * Use this mapping (the compare view's button, and the hidden `datasetLab.useMapping` command):
 * writes a rename or unit-conversion step into the `transform` of the dataset it is about, in an
 * experiment file that uses that data file, as a WorkspaceEdit (undoable, shown in the editor).
 * Several such experiment files: the user picks one; none: a message says how to make one.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { describeStep, type MappingStep } from '../../protocol/mappingSteps';
import { CommandIds } from '../commandIds';
import type { Ctx } from '../ctx';
import { appendStepEdits, datasetIndexOf, hasStep } from '../experimentEdit';

export interface UseMappingArgs {
  /** The data file the step applies to. */
  readonly file: string;
  readonly step: MappingStep;
  /** Skip the search (tests, other extensions). */
  readonly experiment?: vscode.Uri;
}

export function registerMappingCommands(ctx: Ctx): void {
  ctx.registerCommand(CommandIds.useMapping, (a) => {
    const args = a as UseMappingArgs | undefined;
    if (!args || typeof args.file !== 'string' || typeof args.step !== 'object') throw new Error('datasetLab.useMapping needs { file, step }');
    return useMapping(args.file, args.step, args.experiment);
  });
}

/** Experiment files of the workspace that name `file` as a dataset, with the dataset's index. */
async function experimentsUsing(file: string): Promise<{ uri: vscode.Uri; index: number }[]> {
  const found = await vscode.workspace.findFiles('**/*.experiment.json', '**/{node_modules,.git,.dataset-lab}/**', 500);
  const out: { uri: vscode.Uri; index: number }[] = [];
  for (const uri of found.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
    // The editor's text when the file is open (unsaved edits included), else the file's.
    const doc = await vscode.workspace.openTextDocument(uri);
    const index = datasetIndexOf(doc.getText(), uri.fsPath, file);
    if (index >= 0) out.push({ uri, index });
  }
  return out;
}

/** The experiment file written into (workspace-relative), or null when none was chosen or none uses the file. */
export async function useMapping(file: string, step: MappingStep, experiment?: vscode.Uri): Promise<string | null> {
  let target: { uri: vscode.Uri; index: number } | undefined;
  if (experiment) {
    const doc = await vscode.workspace.openTextDocument(experiment);
    const index = datasetIndexOf(doc.getText(), experiment.fsPath, file);
    if (index < 0) throw new Error(`${vscode.workspace.asRelativePath(experiment)} has no dataset with path ${basename(file)}`);
    target = { uri: experiment, index };
  } else {
    const candidates = await experimentsUsing(file);
    if (candidates.length === 0) {
      void vscode.window.showWarningMessage(`Dataset Lab: no experiment file uses ${basename(file)}. Create one (New Merge Experiment... or New Multi-Head Experiment...), then use the mapping again.`);
      return null;
    }
    if (candidates.length === 1) target = candidates[0];
    else {
      const pick = await vscode.window.showQuickPick(
        candidates.map((c) => ({ label: vscode.workspace.asRelativePath(c.uri), description: `dataset ${c.index + 1}`, c })),
        { title: `Add "${describeStep(step)}" to which experiment?` },
      );
      target = pick?.c;
    }
  }
  if (!target) return null;
  const doc = await vscode.workspace.openTextDocument(target.uri);
  const text = doc.getText();
  const where = vscode.workspace.asRelativePath(target.uri);
  if (hasStep(text, target.index, step)) {
    void vscode.window.showInformationMessage(`Dataset Lab: ${where} already has ${describeStep(step)}.`);
    return where;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of appendStepEdits(text, target.index, step)) edit.replace(target.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`the edit of ${where} was not applied`);
  await vscode.window.showTextDocument(doc, { preview: false });
  void vscode.window.showInformationMessage(`Dataset Lab: added ${describeStep(step)} to the transform of ${basename(file)} in ${where} (Undo reverts it).`);
  return where;
}
