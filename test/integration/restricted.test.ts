// Restricted Mode (an untrusted workspace): training and model loading are refused with an
// explanation; comparison, profiling and the language server's diagnostics still work; the
// settings package.json lists in capabilities.untrustedWorkspaces.restrictedConfigurations keep
// their workspace values out. The dashboard's notice and granting trust: test/e2e/restricted.mjs.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ComparisonReport } from '../../src/protocol/dashboard';
import { api, EXTENSION_ID } from './helpers';

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

  it('Profile Dataset still works', async () => {
    const profile = (await vscode.commands.executeCommand('datasetLab.profileDataset', { files: [vscode.Uri.file(join(root(), 'seattle.csv'))] })) as { rows?: number; columns?: { name: string }[] } | undefined;
    assert.equal(profile?.rows, 400);
    assert.deepEqual(profile?.columns?.map((c) => c.name), ['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it("the workspace's values of the restricted settings are ignored; its other settings apply", async () => {
    const manifest = JSON.parse(readFileSync(join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'package.json'), 'utf8')) as {
      capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
      contributes: { configuration: { properties: Record<string, { default: unknown }> } };
    };
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    // What a cloned repository could set to run a program of its choice on "Run Experiment", to
    // change how it runs, or to download a model: a value for each, none of them the default.
    const workspaceValues: Record<string, unknown> = {
      'datasetLab.training.runtime': join(root(), 'not-node.sh'),
      'datasetLab.training.backend': 'cpu',
      'datasetLab.text.allowModelDownload': true,
    };
    assert.deepEqual([...restricted].sort(), Object.keys(workspaceValues).sort(), 'every restricted setting is tried here');
    const settings = join(root(), '.vscode', 'settings.json');
    mkdirSync(join(root(), '.vscode'), { recursive: true });
    const changed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the workspace settings were not read within 20 s')), 20_000);
      const sub = vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('datasetLab.compare.wassersteinThreshold')) {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    });
    writeFileSync(settings, JSON.stringify({ ...workspaceValues, 'datasetLab.compare.wassersteinThreshold': 0.5 }));
    try {
      await changed;
      const config = vscode.workspace.getConfiguration('datasetLab');
      assert.equal(config.get('compare.wassersteinThreshold'), 0.5, 'the workspace file was read');
      for (const key of restricted) {
        const fallback = manifest.contributes.configuration.properties[key].default;
        assert.notDeepEqual(workspaceValues[key], fallback);
        assert.deepEqual(config.get(key.slice('datasetLab.'.length)), fallback, `the workspace chose ${key}`);
      }
      // The comparison uses the workspace's (unrestricted) threshold: normalised Wasserstein from 0.5.
      const report = (await vscode.commands.executeCommand('datasetLab.compareDatasets', {
        files: [vscode.Uri.file(join(root(), 'seattle.csv')), vscode.Uri.file(join(root(), 'new-york.csv'))],
        labels: ['weather'],
      })) as ComparisonReport | undefined;
      assert.equal(report?.thresholds.wassersteinNorm, 0.5);
    } finally {
      rmSync(join(root(), '.vscode'), { recursive: true, force: true });
    }
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
