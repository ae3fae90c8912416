// Restricted Mode (an untrusted workspace): training and model loading are refused with an
// explanation; comparison and the language server's diagnostics still work.
import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ComparisonReport } from '../../src/protocol/dashboard';
import { api } from './helpers';

describe('Restricted Mode', function () {
  this.timeout(60_000);
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  it('the workspace is untrusted and the extension still activates', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await api();
    assert.equal(a.dashboard.trainingAllowed, false);
  });

  it('Run Experiment refuses to train and starts no process', async () => {
    const a = await api();
    const exp = join(root(), 'restricted.experiment.json');
    writeFileSync(
      exp,
      JSON.stringify({ version: 1, datasets: [{ name: 'seattle', path: 'seattle.csv', label: 'weather' }, { name: 'new-york', path: 'new-york.csv', label: 'weather' }], arms: ['separate'] }),
    );
    const outcome = (await vscode.commands.executeCommand('datasetLab.runExperiment', vscode.Uri.file(exp))) as { state?: string } | undefined;
    assert.equal(outcome?.state, 'restricted');
    assert.equal(a.training.running, false);
    assert.equal(existsSync(join(root(), '.dataset-lab')), false, 'no run folder was created');
  });

  it('Compare Datasets still works', async () => {
    const report = (await vscode.commands.executeCommand('datasetLab.compareDatasets', {
      files: [vscode.Uri.file(join(root(), 'seattle.csv')), vscode.Uri.file(join(root(), 'new-york.csv'))],
      labels: ['weather'],
    })) as ComparisonReport | undefined;
    assert.ok(report);
    assert.equal(report.datasets.length, 2);
  });

  it('the language server still reports CSV diagnostics', async () => {
    const a = await api();
    assert.equal(await a.languageClientReady, true);
    const uri = vscode.Uri.file(join(root(), 'malformed.csv'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const fromServer = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'dataset-lab');
    if (!fromServer().length) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no diagnostics within 30 s')), 30_000);
        const sub = vscode.languages.onDidChangeDiagnostics(() => {
          if (fromServer().length) {
            clearTimeout(timer);
            sub.dispose();
            resolve();
          }
        });
      });
    }
    assert.ok(fromServer().length > 0);
  });
});
