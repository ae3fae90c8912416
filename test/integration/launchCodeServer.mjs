#!/usr/bin/env node
// `npm run test:integration`: the mocha suite in a real VS Code (code-server, offline).
// Installs the test host on first use (scripts/test-host/install.mjs).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExtensionTests } from '../../scripts/test-host/runExtensionTests.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const testsPath = join(repo, 'out', 'test', 'integration', 'index.js');
for (const f of [join(repo, 'dist', 'extension.js'), testsPath]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}: run "node esbuild.mjs && node esbuild.mjs --tests" first`);
    process.exit(2);
  }
}
const hardStop = setTimeout(() => {
  console.error('test:integration: hard time limit reached');
  process.exit(3);
}, 8 * 60_000);
hardStop.unref();
try {
  const grep = process.env.DATASET_LAB_TEST_GREP ? { DATASET_LAB_TEST_GREP: process.env.DATASET_LAB_TEST_GREP } : {};
  const workspace = join(repo, 'test', 'fixtures', 'workspace');
  // 1. A trusted workspace: every command, training, the dashboard, the language server.
  const code = await runExtensionTests({ extensionPath: repo, testsPath, workspace, timeoutMs: 4 * 60_000, env: grep });
  console.log(`extension host exited with ${code} (trusted workspace)`);
  // 2. The same folder untrusted (Restricted Mode): only restricted.test.js runs.
  const restrictedCode = await runExtensionTests({
    extensionPath: repo,
    testsPath,
    workspace,
    restricted: true,
    timeoutMs: 2 * 60_000,
    env: { ...grep, DATASET_LAB_RESTRICTED: '1' },
  });
  console.log(`extension host exited with ${restrictedCode} (Restricted Mode)`);
  process.exit(code || restrictedCode);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
