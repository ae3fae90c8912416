/** CodeLens on experiment files: "Run Experiment" and "Open Dashboard" above the first line. */
import * as vscode from 'vscode';

export class ExperimentCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!document.uri.path.endsWith('.experiment.json')) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(top, { title: '$(play) Run Experiment', command: 'datasetLab.runExperiment', arguments: [document.uri] })];
    lenses.push(new vscode.CodeLens(top, { title: '$(graph) Open Dashboard', command: 'datasetLab.openDashboard' }));
    return lenses;
  }
}
