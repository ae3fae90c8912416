#!/usr/bin/env node
// `npm run test:integration`: the mocha suite in a real VS Code (code-server, offline), in a
// trusted window and then (restricted.test.js alone) in a Restricted Mode window. Installs the
// test host on first use (scripts/test-host/install.mjs). A window in which no test runs fails
// (test/integration/index.ts says why). DATASET_LAB_TEST_GREP runs the matching tests only;
// DATASET_LAB_TEST_WINDOW=trusted or =restricted then picks the window they are in.
import { existsSync, readdirSync } from 'node:fs';
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
const testFiles = readdirSync(dirname(testsPath)).filter((f) => f.endsWith('.test.js'));
if (testFiles.length === 0) {
  console.error(`no integration tests (*.test.js) in ${dirname(testsPath)}: run "node esbuild.mjs --tests" first`);
  process.exit(2);
}
const windows = process.env.DATASET_LAB_TEST_WINDOW ? [process.env.DATASET_LAB_TEST_WINDOW] : ['trusted', 'restricted'];
if (!windows.every((w) => w === 'trusted' || w === 'restricted')) {
  console.error(`DATASET_LAB_TEST_WINDOW must be "trusted" or "restricted", not "${process.env.DATASET_LAB_TEST_WINDOW}"`);
  process.exit(2);
}
const hardStop = setTimeout(() => {
  console.error('test:integration: hard time limit reached');
  process.exit(3);
}, 8 * 60_000);
hardStop.unref();
try {
  const grep = process.env.DATASET_LAB_TEST_GREP ? { DATASET_LAB_TEST_GREP: process.env.DATASET_LAB_TEST_GREP } : {};
  const workspace = join(repo, 'test', 'fixtures', 'workspace');
  let code = 0;
  // 1. A trusted workspace: every command, training, the dashboard, the language server.
  if (windows.includes('trusted')) {
    const trusted = await runExtensionTests({ extensionPath: repo, testsPath, workspace, timeoutMs: 4 * 60_000, env: grep });
    console.log(`extension host exited with ${trusted} (trusted workspace)`);
    code ||= trusted;
  }
  // 2. The same folder untrusted (Restricted Mode): only restricted.test.js runs.
  if (windows.includes('restricted')) {
    const restricted = await runExtensionTests({
      extensionPath: repo,
      testsPath,
      workspace,
      restricted: true,
      timeoutMs: 2 * 60_000,
      env: { ...grep, DATASET_LAB_RESTRICTED: '1' },
    });
    console.log(`extension host exited with ${restricted} (Restricted Mode)`);
    code ||= restricted;
  }
  process.exit(code);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
