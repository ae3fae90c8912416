// Restricted Mode in the real editor, driven as a user would: an untrusted folder opens with the
// dashboard's notice and Run Experiment refused (a warning, no run folder); the user trusts the
// folder from "Workspaces: Manage Workspace Trust"; the open dashboard drops its notice at once
// (the extension tells it training is allowed) and Run Experiment trains. Restricted Mode's other
// promises (comparison, profiling, diagnostics, restricted settings): test/integration/restricted.test.ts.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, remoteUri, startCodeServer, withTimeout, workbenchUrl } from '../../scripts/test-host/codeServer.mjs';
import { describeViolations, watchCsp } from './cspWatch.mjs';
import { palette as paletteIn } from './palette.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the palette command whose row shows `title` (commands register a moment after the workbench shows). */
async function palette(page, title) {
  return paletteIn(page, title, { focus: '.part.statusbar', position: { x: 2, y: 2 } });
}

export async function restrictedCheck({ step = (s) => console.log(`e2e restricted: ${s}`), shots = join(repo, 'test-results', 'screenshots') } = {}) {
  const server = await startCodeServer({ restricted: true });
  let context;
  try {
    const ws = join(server.scratch, 'untrusted');
    mkdirSync(ws, { recursive: true });
    for (const f of ['seattle.csv', 'new-york.csv']) cpSync(join(repo, 'test', 'fixtures', 'workspace', f), join(ws, f));
    const datasets = ['seattle', 'new-york'].map((name) => ({ name, path: `${name}.csv`, label: 'weather' }));
    writeFileSync(join(ws, 'quick.experiment.json'), JSON.stringify({ version: 1, datasets, features: ['precipitation', 'temp_max', 'temp_min', 'wind'], arms: ['separate', 'merged'], model: { type: 'linear' }, training: { epochs: 2 } }));
    context = await launchBrowser(server.scratch);
    // The notice and the change on trust break no Content Security Policy either (cspWatch.mjs).
    const cspViolations = await watchCsp(context);
    const page = context.pages()[0] ?? (await context.newPage());
    await withTimeout(page.goto(workbenchUrl(server, ws, [['extensionDevelopmentPath', remoteUri(server.port, repo)]])), 60_000, 'loading the workbench');
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });

    step('untrusted: the dashboard shows the Restricted Mode notice');
    await palette(page, 'Dataset Lab: Open Dashboard');
    const view = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    const notice = view.locator('.notice', { hasText: 'Restricted Mode' });
    await notice.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal((await notice.textContent()).trim(), 'Restricted Mode: training is disabled until you trust this workspace. Comparison and diagnostics still work.');

    step('untrusted: Run Experiment is refused with a warning and writes nothing');
    await palette(page, 'Dataset Lab: Run Experiment');
    // The warning may not pop up as a toast while the headless window has no focus: read it in the notification centre.
    await palette(page, 'Notifications: Show Notifications');
    await page.locator('.notifications-center', { hasText: 'training is disabled in Restricted Mode' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(existsSync(join(ws, '.dataset-lab')), false, 'no run folder in Restricted Mode');
    if (shots) await page.screenshot({ path: join(shots, 'restricted-dark.png') });

    step('the user trusts the folder');
    await palette(page, 'Workspaces: Manage Workspace Trust');
    const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ });
    await trust.waitFor({ state: 'visible', timeout: 30_000 });
    await trust.click();
    await trust.waitFor({ state: 'detached', timeout: 30_000 });

    step('trusted: the open dashboard drops its notice without being reopened');
    await notice.waitFor({ state: 'hidden', timeout: 15_000 });

    step('trusted: Run Experiment trains');
    await palette(page, 'Dataset Lab: Run Experiment');
    await view.locator('.results-table tbody tr').first().waitFor({ state: 'visible', timeout: 120_000 });
    const runs = join(ws, '.dataset-lab', 'runs');
    const done = readdirSync(runs).filter((r) => existsSync(join(runs, r, 'results.json')));
    assert.equal(done.length, 1, `one completed run: ${readdirSync(runs).join(', ')}`);
    assert.equal(await notice.isVisible(), false);
    await cspViolations.settled();
    assert.deepEqual(describeViolations(cspViolations), [], 'no Content Security Policy violation in Restricted Mode or after trust');
  } catch (e) {
    const page = context?.pages()[0];
    if (page && shots) await page.screenshot({ path: join(shots, 'restricted-failure.png') }).catch(() => {});
    throw e;
  } finally {
    await context?.close().catch(() => {});
    await server.stop({ keep: !!process.env.DATASET_LAB_KEEP_SCRATCH });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  restrictedCheck().then(
    () => console.log('e2e restricted: passed'),
    (e) => {
      console.error(`e2e restricted: FAILED: ${e instanceof Error ? e.stack : e}`);
      process.exitCode = 1;
    },
  );
}
