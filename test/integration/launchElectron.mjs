#!/usr/bin/env node
// `npm run test:electron`: the same mocha suite (out/test/integration/index.js) in desktop VS
// Code through @vscode/test-electron. It downloads VS Code on first use, so it needs internet;
// offline machines and CI use `npm run test:integration` (code-server) instead.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const testsPath = join(repo, 'out', 'test', 'integration', 'index.js');
if (!existsSync(testsPath) || !existsSync(join(repo, 'dist', 'extension.js'))) {
  console.error('missing build output: run "node esbuild.mjs && node esbuild.mjs --tests" first');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'dl-electron-'));
const workspace = join(scratch, 'workspace');
cpSync(join(repo, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
try {
  await runTests({
    version: process.env.DATASET_LAB_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repo,
    extensionTestsPath: testsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${join(scratch, 'user-data')}`],
    extensionTestsEnv: process.env.DATASET_LAB_TEST_GREP ? { DATASET_LAB_TEST_GREP: process.env.DATASET_LAB_TEST_GREP } : {},
  });
  console.log('test:electron: passed');
} catch (e) {
  console.error(`test:electron: failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
