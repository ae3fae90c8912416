import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DatasetLabApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'dataset-lab.dataset-lab';

export async function api(): Promise<DatasetLabApi> {
  const ext = vscode.extensions.getExtension<DatasetLabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
  return ext.isActive ? ext.exports : await ext.activate();
}
