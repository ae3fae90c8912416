import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';

describe('activation', () => {
  // How long it takes is printed for bench/latency.mjs (bench/RESULTS.md, "Latency"), not asserted.
  it('activates without loading TensorFlow.js or any data, and records its steps', async () => {
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
    assert.ok(a.activationMarks.length > 0 && a.activationMarks.every(([, t]) => t >= 0 && t <= a.activationMs), JSON.stringify(a.activationMarks));
    const loaded = Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
    assert.deepEqual(loaded, []);
  });

  it('registers every command package.json contributes', async () => {
    await api();
    const all = new Set(await vscode.commands.getCommands(true));
    const manifest = JSON.parse(readFileSync(join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.includes('datasetLab.runExperiment') && contributed.length >= 8, contributed.join(' '));
    assert.deepEqual(contributed.filter((id) => !all.has(id)), [], 'contributed but not registered');
  });
});
