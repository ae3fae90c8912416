import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';

describe('activation', () => {
  it('activates in under 50 ms (bundle load + activate), without TensorFlow.js or data', async () => {
    const a = await api();
    // Loading the bundle: a fresh copy of dist/extension.js, timed in this extension host.
    const bundle = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'extension.js');
    const Module = require('node:module') as { _load(request: string, parent: unknown, isMain: boolean): unknown };
    const cached = require.cache[bundle];
    delete require.cache[bundle];
    const t0 = performance.now();
    Module._load(bundle, null, false);
    const loadMs = performance.now() - t0;
    if (cached) require.cache[bundle] = cached;
    const total = loadMs + a.activationMs;
    console.log(
      `    bundle load ${loadMs.toFixed(1)} ms + activate() ${a.activationMs.toFixed(1)} ms = ${total.toFixed(1)} ms; steps: ${a.activationMarks.map(([n, t]) => `${n} ${t.toFixed(1)}`).join(', ')}`,
    );
    assert.ok(total < 50, `activation took ${total.toFixed(1)} ms (limit 50 ms)`);
    const loaded = Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
    assert.deepEqual(loaded, []);
  });

  it('registers every Dataset Lab command', async () => {
    await api();
    const all = await vscode.commands.getCommands(true);
    for (const id of [
      'datasetLab.compareDatasets',
      'datasetLab.profileDataset',
      'datasetLab.newMergeExperiment',
      'datasetLab.newMultiHeadExperiment',
      'datasetLab.runExperiment',
      'datasetLab.stopTraining',
      'datasetLab.openDashboard',
      'datasetLab.openRun',
    ]) {
      assert.ok(all.includes(id), `${id} is registered`);
    }
  });
});
