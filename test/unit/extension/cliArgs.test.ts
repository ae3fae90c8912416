// Settings to CLI flags, with settings objects shaped as vscode.WorkspaceConfiguration answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareThresholdArgs, ingestArgs, labelArgs, type SettingsReader } from '../../../src/extension/cliArgs';

/** A settings section: `values` as get() sees them (defaults included), `set` as the user wrote them, per scope. */
function settings(values: Record<string, unknown>, set: Record<string, { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown }> = {}): SettingsReader {
  return {
    get: <T>(key: string) => values[key] as T | undefined,
    inspect: <T>(key: string) => set[key] as { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined,
  };
}

test('labels: none, one shared, the same for every file, one per file', () => {
  assert.deepEqual(labelArgs([], 2), []);
  assert.deepEqual(labelArgs(['y'], 3), ['--label', 'y']);
  assert.deepEqual(labelArgs(['y', 'y'], 2), ['--label', 'y']);
  assert.deepEqual(labelArgs(['y', ''], 2), ['--labels', 'y,']);
  assert.deepEqual(labelArgs(['', ''], 2), ['--labels', ',']);
  assert.throws(() => labelArgs(['a', 'b'], 3), /2 label\(s\) given for 3 file\(s\)/);
});

test('missing tokens: only a value the user set, the narrowest scope first, the empty token quoted', () => {
  const defaults = ['', 'NA'];
  assert.deepEqual(ingestArgs(settings({ missingTokens: defaults }, { missingTokens: {} })), []);
  assert.deepEqual(ingestArgs(settings({}, { missingTokens: { globalValue: ['-'] } })), ['--missing', '-']);
  assert.deepEqual(ingestArgs(settings({}, { missingTokens: { globalValue: ['-'], workspaceValue: ['', 'n/a'] } })), ['--missing', '"",n/a']);
  assert.deepEqual(ingestArgs(settings({}, { missingTokens: { workspaceValue: ['x'], workspaceFolderValue: ['?'] } })), ['--missing', '?']);
  assert.deepEqual(ingestArgs(settings({}, { missingTokens: { workspaceValue: [] } })), []);
});

test('compare thresholds: every numeric setting as its flag, the domain classifier only when off', () => {
  assert.deepEqual(
    compareThresholdArgs(settings({ pValue: 0.01, smallSampleRows: 500, wassersteinThreshold: 0.2, jensenShannonThreshold: 0.15, domainClassifier: true })),
    ['--p-value', '0.01', '--small-sample-rows', '500', '--wasserstein-threshold', '0.2', '--js-threshold', '0.15'],
  );
  assert.deepEqual(compareThresholdArgs(settings({ domainClassifier: false })), ['--no-domain-classifier']);
  assert.deepEqual(compareThresholdArgs(settings({ pValue: '0.3' })), [], 'a value of the wrong type is left to the CLI default');
});
