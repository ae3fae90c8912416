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
  const code = await runExtensionTests({
    extensionPath: repo,
    testsPath,
    workspace: join(repo, 'test', 'fixtures', 'workspace'),
    timeoutMs: 5 * 60_000,
    env: process.env.DATASET_LAB_TEST_GREP ? { DATASET_LAB_TEST_GREP: process.env.DATASET_LAB_TEST_GREP } : {},
  });
  console.log(`extension host exited with ${code}`);
  process.exit(code);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
