// The compare view of a streaming comparison, and the stages of a running one.
//
// `streamCompareCheck` (called by run.mjs in the real editor): two generated CSV files, large
// enough that the comparison takes a few seconds, compared from the palette with streaming forced
// (datasetLab.compare.streamAboveMB = 0). While the CLI reads, the dashboard's progress card and
// the notification show a stage with its percentage (screenshot compare-streaming-progress.png),
// and the notification's Cancel stops it (the view says so); run again to the end, the
// view is the streaming one (what is approximate, what is not computed) and every number on it
// agrees with `dataset-lab compare --stream --json` on the same files (numbers.mjs); screenshots
// compare-streaming.png and compare-streaming-drift.png.
//
// `streamRenderCheck` (alone: `node test/e2e/streamCompare.mjs`): the same view drawn by the
// dashboard bundle in a bare Chromium page from the CLI's JSON, numbers checked, no editor.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../../scripts/test-host/codeServer.mjs';
import { checkNumbers } from './numbers.mjs';
import { openBareDashboard } from './streaming.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A CSV of `rows` rows: four numeric columns (one with many distinct values, so its sketch is
 * approximate), a numeric code, two categorical columns, a label `weather` and a date column
 * `day` (ISO dates over a year from 2023-01-01, moved 120 days later per `shift`); `shift` moves
 * the other file's distributions (0 for the reference). Seeded, so the same call writes the same file.
 */
export async function writeGeneratedCsv(path, rows, { seed = 1, shift = 0 } = {}) {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const weather = ['sun', 'rain', 'fog', 'snow'];
  const stations = Array.from({ length: 30 }, (_, i) => `st${i}`);
  const out = createWriteStream(path);
  out.write('temp,humidity,pressure,reading,level,station,season,weather,day\n');
  const dayZero = Date.UTC(2023, 0, 1) + shift * 120 * 86_400_000;
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const temp = (15 + shift * 4 + 8 * normal()).toFixed(2);
    const humidity = rand() < 0.02 ? '' : (60 + 15 * normal()).toFixed(1);
    const pressure = (1013 + 6 * normal()).toFixed(1);
    const reading = (rand() * 1e6 * (1 + shift * 0.05)).toFixed(3);
    const level = String(Math.floor(rand() * (5 + shift)));
    const station = stations[Math.floor(rand() ** (1 + shift) * stations.length)];
    const season = ['winter', 'spring', 'summer', 'autumn'][Math.floor(rand() * 4)];
    const w = weather[Math.floor(rand() ** (1 + shift * 0.5) * weather.length)];
    const day = new Date(dayZero + Math.floor(rand() * 365) * 86_400_000).toISOString().slice(0, 10);
    chunk += `${temp},${humidity},${pressure},${reading},${level},${station},${season},${w},${day}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

/** The CLI's streaming JSON for the two files, in this order, with the label. */
export function streamJson(files, label) {
  return JSON.parse(execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'compare', ...files, '--label', label, '--stream', '--json'], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }));
}

/** What the streaming view must show, beyond the numbers: the mode, the note, what is not computed, a row per feature. */
async function checkStreamingView(root, json, where) {
  const section = root.locator('section[data-view=compare][data-mode=streaming]');
  await section.locator('.streaming-drift').waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await section.locator('.drift-table tbody tr').count(), json.features.length, `${where}: a drift row per feature`);
  const notAvailable = (await section.locator('ul.not-available').textContent()) ?? '';
  if (!json.recommendation) assert.match(notAvailable, /recommendation/, `${where}: says there is no recommendation`);
  if (json.domainClassifier?.sampledRows) assert.match(notAvailable, /uniform sample/, `${where}: says the domain classifier saw a sample`);
  // An approximate figure is shown with its interval, its ends bound to the JSON too.
  const sketched = json.features.find((f) => f.type === 'numeric' && f.ks && f.ks.statistic.lower !== f.ks.statistic.upper);
  if (sketched) {
    const row = section.locator(`.drift-table tr[data-feature="${sketched.name}"]`);
    assert.equal(await row.getAttribute('data-exact'), 'false', `${where}: ${sketched.name} is sketched`);
    assert.equal(await row.locator('td[data-col=ks] .interval [data-json]').count(), 2, `${where}: ${sketched.name}: KS with its interval`);
  }
  // Date columns: compared as dates, their ranges in the Dates card as the JSON has them; the note lists dates only when some could not be followed.
  const dated = json.features.filter((f) => f.type === 'datetime');
  assert.ok(dated.length > 0, `${where}: the generated files have a date column read as dates`);
  for (const f of dated) {
    const block = section.locator(`.time-compare-card .time-block[data-feature="${f.name}"]`);
    await block.waitFor({ state: 'visible', timeout: 10_000 });
    const range = async (side, end) => ((await block.locator(`tr[data-side=${side}] td[data-range=${end}]`).textContent()) ?? '').trim();
    assert.deepEqual([await range('reference', 'from'), await range('reference', 'to')], f.time.referenceRange, `${where}: ${f.name}: reference range`);
    assert.deepEqual([await range('other', 'from'), await range('other', 'to')], f.time.otherRange, `${where}: ${f.name}: other range`);
    assert.equal(await block.locator('.time-parts tbody tr').count(), f.time.parts.length, `${where}: ${f.name}: a row per calendar part`);
  }
  assert.doesNotMatch(notAvailable, /calendar parts\): such columns/, `${where}: dates are no longer said to be compared as categories`);
  assert.equal(await section.locator('[data-unfollowed-dates]').count(), json.features.some((f) => f.datesNotFollowed) ? 1 : 0, `${where}: unfollowed dates listed only when there are some`);
  for (const f of json.features) {
    const row = section.locator(`.drift-table tr[data-feature="${f.name}"]`);
    assert.equal((await row.locator('.verdict').first().textContent()).trim(), f.identifierLike ? 'n/a (id-like)' : f.drift ? 'drift' : 'no drift', `${where}: ${f.name} verdict`);
  }
  return checkNumbers(root, 'section[data-view=compare]', json, where);
}

/**
 * In the editor: `page` shows the workbench of `ws`; `view` is the dashboard's frame locator;
 * `pick` = { palette, pickExactly, pickOne } from run.mjs; `shots` the screenshot folder.
 */
export async function streamCompareCheck({ page, view, ws, shots, pick, rows = 600_000 }) {
  // Streaming forced for this workspace (the previous settings come back afterwards), written
  // before the files are generated: the editor watches the file, and a loaded machine takes a
  // while to pass the change on.
  const settingsFile = join(ws, '.vscode', 'settings.json');
  mkdirSync(dirname(settingsFile), { recursive: true });
  const before = existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : undefined;
  writeFileSync(settingsFile, JSON.stringify({ ...(before ? JSON.parse(before) : {}), 'datasetLab.compare.streamAboveMB': 0 }, null, 2));
  try {
    const dir = join(ws, 'generated');
    mkdirSync(dir, { recursive: true });
    await writeGeneratedCsv(join(dir, 'stations-2023.csv'), rows, { seed: 11, shift: 0 });
    await writeGeneratedCsv(join(dir, 'stations-2024.csv'), rows, { seed: 12, shift: 1 });
    await page.waitForTimeout(2000);
    const start = async () => {
      await pick.palette(page, 'Dataset Lab: Compare Datasets...');
      await pick.pickExactly(page, ['stations-2023.csv', 'stations-2024.csv']);
      await pick.pickOne(page, 'weather');
    };
    const card = view.locator('section[data-view=compare] .progress-card[data-stage]');
    // The headless window may not pop notifications up as toasts: the notification centre lists them.
    const note = page.locator('.notifications-center .notification-list-item', { hasText: 'Dataset Lab: comparing' });
    // First run: the stage and its percentage on the card and in the notification, then Cancel in the notification.
    await start();
    await card.waitFor({ state: 'visible', timeout: 60_000 });
    const stageText = (await card.locator('.progress-stage').textContent()) ?? '';
    assert.match(stageText, /\d+% · (Reading the files|Comparing the sketches): /, `the progress card shows a stage: ${stageText}`);
    assert.equal(await card.locator('.badge.streaming-badge').count(), 1, 'the progress card says the comparison streams (else the streamAboveMB setting did not reach the extension)');
    await pick.palette(page, 'Notifications: Show Notifications');
    await note.locator('.notification-list-item-message', { hasText: '%' }).waitFor({ state: 'visible', timeout: 30_000 });
    const noteText = (await note.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(noteText, /\(streaming\).*\d+% · (reading stations-202[34]\.csv|comparing the sketches)/, `the notification shows the stage: ${noteText}`);
    await page.screenshot({ path: join(shots, 'compare-streaming-progress.png') });
    await note.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await view.locator('section[data-view=compare] [data-compare-ended=cancelled]').waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Escape'); // the notification centre closes
    // Second run, to the end.
    await start();
    await card.waitFor({ state: 'visible', timeout: 60_000 });
    const section = view.locator('section[data-view=compare][data-mode=streaming]');
    await section.locator('.streaming-drift').waitFor({ state: 'visible', timeout: 240_000 });
    const seen = (await view.locator('section[data-view=compare]').getAttribute('data-stages-seen')) ?? '';
    assert.ok(seen.split(',').includes('read'), `the view showed the reading stage (seen: ${seen})`);
    // The same comparison from the CLI, in the order the view shows the files.
    const order = await section.locator('.dataset-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-dataset')));
    assert.deepEqual([...order].sort(), ['stations-2023', 'stations-2024']);
    const json = streamJson(order.map((n) => join(dir, `${n}.csv`)), 'weather');
    assert.equal(json.mode, 'streaming');
    await view.locator('.tabs').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'compare-streaming.png') });
    await section.locator('.drift-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'compare-streaming-drift.png') });
    await section.locator('.time-compare-card').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'compare-streaming-dates.png') });
    const n = await checkStreamingView(view, json, 'streaming compare view');
    writeFileSync(join(shots, 'compare-streaming.json'), JSON.stringify(json, null, 2));
    return { numbers: n, stagesSeen: seen };
  } finally {
    if (before === undefined) writeFileSync(settingsFile, '{}');
    else writeFileSync(settingsFile, before);
  }
}

/** Without an editor: the bundle draws the CLI's streaming JSON in Chromium; numbers checked. */
export async function streamRenderCheck({ rows = 60_000, shots } = {}) {
  const dir = join(repo, 'test-results', 'stream-compare');
  mkdirSync(dir, { recursive: true });
  const a = join(dir, 'stations-2023.csv');
  const b = join(dir, 'stations-2024.csv');
  await writeGeneratedCsv(a, rows, { seed: 11, shift: 0 });
  await writeGeneratedCsv(b, rows, { seed: 12, shift: 1 });
  const json = streamJson([a, b], 'weather');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const { page, errors } = await openBareDashboard(browser, { width: 1400, height: 900 });
    await page.evaluate((report) => {
      const post = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
      post({ type: 'snapshot', snapshot: { view: 'compare', runs: [] } });
      post({ type: 'compareStarted', progress: { files: ['a.csv', 'b.csv'], startedAt: new Date().toISOString(), streaming: true } });
      post({ type: 'compareStage', stage: { type: 'compareProgress', stage: 'read', done: 5e6, total: 1e7, file: 'a.csv', fileIndex: 0, files: 2, fraction: 0.24 } });
      window.report = report;
    }, json);
    const card = page.locator('.progress-card[data-stage=read]');
    await card.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await card.locator('.progress-stage').textContent()) ?? '', /^24% · Reading the files: reading a\.csv \(file 1 of 2\): 5 MB of 10 MB$/);
    if (shots) await card.screenshot({ path: join(shots, 'compare-progress-card.png') });
    await page.evaluate(() => window.dispatchEvent(new MessageEvent('message', { data: { type: 'compare', report: window.report, meta: { at: new Date().toISOString() } } })));
    const n = await checkStreamingView(page, json, 'streaming compare view (bundle alone)');
    if (shots) {
      // The card first: a full-page shot resizes the page, and the view redraws (replacing the card).
      await page.locator('.streaming-drift').screenshot({ path: join(shots, 'compare-streaming-bundle-drift.png') });
      await page.locator('.time-compare-card').screenshot({ path: join(shots, 'compare-streaming-bundle-dates.png') });
      writeFileSync(join(shots, 'compare-streaming-bundle.json'), JSON.stringify(json, null, 2));
      await page.screenshot({ path: join(shots, 'compare-streaming-bundle.png'), fullPage: true });
    }
    assert.deepEqual(errors, []);
    return n;
  } finally {
    await browser.close();
  }
}

/** `--editor`: the in-editor check alone, in a code-server of its own (what run.mjs runs as its step 7). */
async function editorAlone(shots) {
  const { launchBrowser, remoteUri, startCodeServer, withTimeout, workbenchUrl } = await import('../../scripts/test-host/codeServer.mjs');
  const { palette, pickExactly, pickOne } = await import('./palette.mjs');
  const server = await startCodeServer({ settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  let context;
  try {
    const ws = join(server.scratch, 'streaming');
    mkdirSync(ws, { recursive: true });
    context = await launchBrowser(server.scratch, { colorScheme: 'dark' });
    const page = context.pages()[0] ?? (await context.newPage());
    await withTimeout(page.goto(workbenchUrl(server, ws, [['extensionDevelopmentPath', remoteUri(server.port, repo)]])), 60_000, 'loading the workbench');
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const view = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    try {
      return await streamCompareCheck({ page, view, ws, shots, pick: { palette, pickExactly, pickOne } });
    } catch (e) {
      await page.screenshot({ path: join(shots, 'failure-streaming.png') }).catch(() => {});
      throw e;
    }
  } finally {
    await context?.close().catch(() => {});
    await server.stop({ keep: !!process.env.DATASET_LAB_KEEP_SCRATCH });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const shots = join(repo, 'test-results', 'screenshots');
  mkdirSync(shots, { recursive: true });
  if (process.argv.includes('--editor')) {
    editorAlone(shots).then(
      (r) => console.log(`stream compare (editor): ${r.numbers} numbers agree with the CLI's JSON; stages shown: ${r.stagesSeen}`),
      (e) => {
        console.error(`stream compare (editor): FAILED: ${e instanceof Error ? e.stack : e}`);
        process.exitCode = 1;
      },
    );
  } else streamRenderCheck({ shots }).then(
    (n) => console.log(`stream compare: ${n} numbers agree with the CLI's JSON`),
    (e) => {
      console.error(`stream compare: FAILED: ${e instanceof Error ? e.stack : e}`);
      process.exitCode = 1;
    },
  );
}
