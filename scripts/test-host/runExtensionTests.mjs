// Runs a compiled mocha suite (a test-electron style index.js exporting run()) inside the real
// extension host of code-server, through the smoke-test driver's payload, and returns the exit
// code the extension host reports through codeAutomationExit.
import { cpSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { launchBrowser, remoteUri, startCodeServer, withTimeout, workbenchUrl } from './codeServer.mjs';

/**
 * @param {{ extensionPath: string, testsPath: string, workspace: string, timeoutMs?: number,
 *           env?: Record<string,string>, settings?: object }} o
 */
export async function runExtensionTests(o) {
  const timeoutMs = o.timeoutMs ?? 5 * 60_000;
  const server = await startCodeServer({ settings: o.settings ?? {}, restricted: !!o.restricted });
  let context;
  const log = (s) => process.stdout.write(s);
  try {
    // A writable copy of the fixture workspace, inside the private scratch folder.
    const ws = join(server.scratch, 'workspace');
    cpSync(o.workspace, ws, { recursive: true });
    context = await launchBrowser(server.scratch);
    const page = context.pages()[0] ?? (await context.newPage());
    const uncaught = [];
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The mocha reporter's console output from the extension host.
      const parts = Array.isArray(args) ? args : [args];
      const text = format(...parts);
      // The offline workbench's failed gallery look-ups are noise, not test output.
      // Uncaught errors of this extension in the extension host fail the run (see below).
      if (/rejected promise not handled|uncaught|unhandled/i.test(text) && /dataset-?lab|datasetLab|dist\/extension\.js/i.test(text)) uncaught.push(text);
      if (/open-vsx|ENOTFOUND|queryGallery|GalleryExtensions|autoUpdateBuiltinExtensions|checkForUpdates|onDidChangeRunningExtensions|Ignoring fetching additional builtin|No search provider registered/.test(text)) return;
      log(text + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server.port, resolve(o.extensionPath))],
      ['extensionTestsPath', remoteUri(server.port, resolve(o.testsPath))],
    ];
    if (o.env) payload.push(['extensionEnvironment', JSON.stringify({ ...o.env, DATASET_LAB_TEST_WORKSPACE: ws })]);
    else payload.push(['extensionEnvironment', JSON.stringify({ DATASET_LAB_TEST_WORKSPACE: ws })]);
    await withTimeout(page.goto(workbenchUrl(server, ws, payload)), 60_000, 'loading the workbench');
    const code = await withTimeout(exited, timeoutMs, 'the extension test suite (no codeAutomationExit)');
    if (uncaught.length) {
      console.error(`uncaught errors from Dataset Lab in the extension host:\n${uncaught.join('\n')}`);
      return code || 1;
    }
    return code;
  } finally {
    await context?.close().catch(() => {});
    await server.stop({ keep: !!process.env.DATASET_LAB_KEEP_SCRATCH });
  }
}
