/** Run Experiment and Stop Training: the training session itself is TrainingManager (../training.ts). */
import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import type { Ctx } from '../ctx';
import { reportTrainingFailure } from '../errors';
import { overallVerdict } from '../../protocol/runAdvice';
import { readExperimentSettings, type TrainingOutcome } from '../training';

/** What Run Experiment returns: the outcome, or `restricted` when the workspace is not trusted. */
export type RunExperimentResult = TrainingOutcome | { readonly state: 'restricted' };

export function registerTrainingCommands(ctx: Ctx): void {
  ctx.registerCommand(CommandIds.runExperiment, (a) => runExperiment(ctx, a));
  ctx.registerCommand(CommandIds.stopTraining, () => stopTraining(ctx));
}

async function experimentUri(a: unknown): Promise<vscode.Uri | undefined> {
  if (a instanceof vscode.Uri) return a;
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.uri.fsPath.endsWith('.experiment.json')) {
    if (active.isDirty) await active.save();
    return active.uri;
  }
  const found = await vscode.workspace.findFiles('**/*.experiment.json', '**/node_modules/**', 200);
  if (!found.length) {
    void vscode.window.showWarningMessage('Dataset Lab: no *.experiment.json file in the workspace. Create one with "New Merge Experiment..." or "New Multi-Head Experiment...".');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const pick = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Run Experiment' },
  );
  return pick?.uri;
}

export async function runExperiment(ctx: Ctx, a?: unknown): Promise<RunExperimentResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    // Not awaited: the command returns while the notification waits for the user.
    void vscode.window
      .showWarningMessage(
        'Dataset Lab: training is disabled in Restricted Mode, because it runs the training engine and writes models in this workspace. Comparing datasets and diagnostics still work. Trust the workspace to train.',
        manage,
      )
      .then((pick) => (pick === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
    return { state: 'restricted' };
  }
  const uri = await experimentUri(a);
  if (!uri) return undefined;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  if (ctx.training.running) {
    void vscode.window.showWarningMessage('Dataset Lab: a training run is already in progress. Stop it first.');
    return undefined;
  }
  ctx.dashboard.show('training');
  const outcome = await ctx.training.run(uri);
  if (outcome.state === 'completed' && outcome.results) {
    const settings = await readExperimentSettings(uri);
    ctx.dashboard.showResults({ ...outcome.results, ...(settings !== undefined ? { settings } : {}) });
    // Buttons keep the notification until it is answered: the verdict stays in view.
    const show = 'Show Results';
    const verdict = overallVerdict(outcome.results).text;
    void vscode.window
      .showInformationMessage(`Dataset Lab: ${vscode.workspace.asRelativePath(uri)} finished. ${verdict}`, show)
      .then((pick) => (pick === show ? ctx.dashboard.show('results') : undefined));
  } else if (outcome.state === 'failed') {
    reportTrainingFailure(ctx.output, outcome.error);
  } else {
    const show = 'Show Training';
    void vscode.window
      .showInformationMessage('Dataset Lab: training stopped; the finished epochs are kept in the run folder.', show)
      .then((pick) => (pick === show ? ctx.dashboard.show('training') : undefined));
  }
  return outcome;
}

export function stopTraining(ctx: Ctx): boolean {
  const stopped = ctx.training.stop();
  if (!stopped) void vscode.window.showInformationMessage('Dataset Lab: no training is running.');
  return stopped;
}
