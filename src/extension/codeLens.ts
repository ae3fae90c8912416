/** CodeLens on experiment files: "Run Experiment" and "Open Dashboard" above the first line. */
import * as vscode from 'vscode';
import { CommandIds } from './commandIds';

export class ExperimentCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!document.uri.path.endsWith('.experiment.json')) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(top, { title: '$(play) Run Experiment', command: CommandIds.runExperiment, arguments: [document.uri] })];
    lenses.push(new vscode.CodeLens(top, { title: '$(graph) Open Dashboard', command: CommandIds.openDashboard }));
    return lenses;
  }
}
