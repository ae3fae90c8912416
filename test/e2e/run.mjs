#!/usr/bin/env node
// `npm run test:e2e`: Playwright drives a real VS Code (code-server, offline) as a user would,
// on the bundled weather example: palette -> Compare Datasets -> the dashboard's distribution
// charts; New Multi-Head Experiment -> Run -> live curves -> results table. Asserts on the
// webview DOM against the CLI's JSON and the run's results.json, and saves screenshots of the
// three views in dark and light themes under test-results/screenshots/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { launchBrowser, remoteUri, startCodeServer, withTimeout, workbenchUrl } from '../../scripts/test-host/codeServer.mjs';
import { describeViolations, listenInAllFrames, plantViolation, watchCsp } from './cspWatch.mjs';
import { checkNumbers } from './numbers.mjs';
import { palette, pickExactly, pickOne, quickPickVisible, setTicked } from './palette.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(repo, 'test-results', 'screenshots');
mkdirSync(shots, { recursive: true });
rmSync(join(shots, 'failure.png'), { force: true });
for (const f of ['dist/extension.js', 'dist/webview.js', 'dist/cli.js', 'dist/trainer.js']) {
  if (!existsSync(join(repo, f))) {
    console.error(`missing ${f}: run "node esbuild.mjs" first`);
    process.exit(2);
  }
}
const hardStop = setTimeout(() => {
  console.error('test:e2e: hard time limit (10 min) reached');
  process.exit(3);
}, 10 * 60_000);
hardStop.unref();

let stepsStarted = 0;
const step = (s) => {
  stepsStarted++;
  console.log(`e2e: ${s}`);
};
// The formatting module the views use (src/protocol/format.ts), bundled for this script, in the
// browser's locale (en-US): what a view shows is checked against the module's own text.
const formatJs = join(repo, 'test-results', 'format.mjs');
buildSync({ entryPoints: [join(repo, 'src', 'protocol', 'format.ts')], bundle: true, format: 'esm', platform: 'node', outfile: formatJs, logLevel: 'silent' });
const format = await import(pathToFileURL(formatJs).href);
format.setFormatLocale('en-US');
const fmt = (x, digits = 4) => format.formatNumber(x, digits);

/** In a multi-select quick pick, tick the rows whose label contains one of `labels`. */
async function pickMany(page, labels) {
  const widget = await quickPickVisible(page, 'CSV');
  for (const label of labels) {
    const row = widget.locator('.monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await setTicked(page, row, true, label);
  }
  // Ticking re-renders the list: every wanted row must still be ticked when Enter accepts it.
  for (const label of labels) {
    const row = widget.locator('.monaco-list-row', { hasText: label }).first();
    if ((await row.getAttribute('aria-checked')) !== 'true') throw new Error(`"${label}" is no longer ticked in the quick pick`);
  }
  await page.keyboard.press('Enter');
  // Accepted: the pick closes (or is replaced by the next step's), never left half-done.
  await widget.locator('.monaco-list-row[aria-checked]').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
}

/** Visible notification texts, to explain a failure. */
async function notifications(page) {
  return (await page.locator('.notifications-toasts .notification-list-item-message').allTextContents().catch(() => [])).join(' | ');
}

function webview(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/**
 * The Training tab's status line against the run folder it shows: the model, epoch and
 * throughput of history.jsonl's last line, the epoch count of experiment.json (the paths are
 * trainingStatusLinePaths in src/protocol/dashboard.ts) and the state of status.json.
 */
async function checkStatusLine(root, runDir, where) {
  const lines = readFileSync(join(runDir, 'history.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const folder = {
    history: JSON.parse(lines.at(-1)),
    experiment: JSON.parse(readFileSync(join(runDir, 'experiment.json'), 'utf8')),
    status: JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')),
  };
  const line = root.locator('section[data-view=training] .status-line');
  assert.equal(await line.getAttribute('data-state'), folder.status.status, `${where}: the state is status.json's`);
  assert.equal(await line.locator('[data-model]').getAttribute('data-model'), folder.history.model, `${where}: the model of history.jsonl's last line`);
  const n = await checkNumbers(root, 'section[data-view=training] .status-line', folder, `${where}: the Training status line`);
  assert.equal(n, 3, `${where}: the epoch, the epoch count and the throughput are bound`);
  return (await line.textContent()).trim();
}

/**
 * The results view against results.json: every score with its interval (text and data), a
 * gain coloured only when significant (else "(n.s.)"), best and tied arms per dataset, the
 * interval card of every dataset, and the delta_m cards coloured only when their interval
 * leaves 0 out.
 */
async function checkEvidence(root, results, where) {
  const pctText = (v) => format.formatMetric('accuracy', v);
  const r2Text = (v) => format.formatMetric('r2', v);
  for (const arm of results.arms) {
    for (const [source, m] of Object.entries(arm.bySource)) {
      const cell = root.locator(`.results-table tbody tr[data-source="${source}"] td[data-arm="${arm.arm}"]`);
      const regression = m.task === 'regression';
      const value = regression ? m.r2 : m.accuracy;
      const ci = regression ? m.ci.r2 : m.ci.accuracy;
      const text = regression ? r2Text : pctText;
      assert.equal(Number(await cell.getAttribute('data-value')), value, `${where} ${arm.arm}/${source}`);
      assert.deepEqual([Number(await cell.getAttribute('data-low')), Number(await cell.getAttribute('data-high'))], ci, `${where} ${arm.arm}/${source} interval`);
      const shown = (await cell.textContent()).trim();
      assert.ok(shown.startsWith(`${text(value)} [${text(ci[0])}, ${text(ci[1])}]`), `${where} ${arm.arm}/${source} text: ${shown}`);
      const c = results.comparison.bySource[source];
      if (arm.arm !== 'separate') {
        const significant = c.significant[arm.arm];
        assert.equal(await cell.getAttribute('data-significant'), String(significant), `${where} ${arm.arm}/${source} significance`);
        const cls = await cell.getAttribute('class');
        if (significant) assert.match(cls, c.gain[arm.arm] > 0 ? /\bgain\b/ : /\bloss\b/);
        else {
          assert.doesNotMatch(cls, /\b(gain|loss)\b/, `${where} ${arm.arm}/${source}: a gain that is not significant is not coloured`);
          assert.ok(shown.endsWith('(n.s.)'), `${where} ${arm.arm}/${source}: marked not significant: ${shown}`);
        }
      }
      // The interval card of this dataset draws the same interval.
      const bar = root.locator(`figure.interval-card[data-source="${source}"] g.interval-row[data-arm="${arm.arm}"]`);
      assert.deepEqual([Number(await bar.getAttribute('data-value')), Number(await bar.getAttribute('data-low')), Number(await bar.getAttribute('data-high'))], [value, ...ci], `${where} ${arm.arm}/${source} bar`);
    }
  }
  // Axis ticks read only scores the metric can take (an interval clipped at 100% once drew a 104% tick).
  for (const fig of await root.locator('figure.interval-card').all()) {
    const r2 = (await fig.locator('figcaption').innerText()).includes('R²');
    const ticks = await fig.locator('text.interval-tick').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-tick'))));
    assert.ok(ticks.length >= 2, `${where}: interval axis has ticks`);
    for (const t of ticks) assert.ok(t <= 1 + 1e-12 && (r2 || t >= -1e-12), `${where}: tick ${t} outside the ${r2 ? 'R²' : 'accuracy'} range`);
  }
  const firstCard = root.locator('figure.interval-card').first();
  await firstCard.scrollIntoViewIfNeeded();
  await firstCard.screenshot({ path: join(shots, `intervals-${where.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`) });
  for (const [source, c] of Object.entries(results.comparison.bySource)) {
    const row = root.locator(`.results-table tbody tr[data-source="${source}"]`);
    assert.equal(await row.getAttribute('data-best'), c.best ?? '', `${where} ${source} best`);
    assert.equal(await row.getAttribute('data-tied'), (c.tied ?? []).join(','), `${where} ${source} tied`);
    const verdict = (await row.locator('td.verdict').textContent()).trim();
    if (c.best) assert.match(verdict, new RegExp(`^${c.best} significantly better`));
    else assert.ok(verdict.startsWith(`no significant difference between ${c.tied.join(', ')}`), `${where} ${source} verdict: ${verdict}`);
    // Only a significantly best arm is bold.
    assert.equal(await row.locator('td.best').count(), c.best ? 1 : 0, `${where} ${source}: bold only when significant`);
  }
  for (const a of ['merged', 'multihead']) {
    const v = results.comparison.deltaM[a];
    if (v === null || v === undefined) continue;
    const card = root.locator(`.card.delta[data-arm="${a}"]`);
    const ci = results.comparison.deltaMCi[a];
    const significant = ci[0] > 0 || ci[1] < 0;
    assert.equal(await card.getAttribute('data-significant'), String(significant), `${where} delta_m ${a}`);
    assert.match(await card.getAttribute('class'), significant ? (v > 0 ? /\bgain\b/ : /\bloss\b/) : /\bns\b/);
  }
  // The verdict card: one line per dataset, and each dataset's baseline as results.json has it.
  for (const source of Object.keys(results.comparison.bySource)) assert.equal(await root.locator(`.verdict-card .dataset-verdicts li[data-source="${source}"]`).count(), 1, `${where} ${source}: a verdict`);
  for (const [source, d] of Object.entries(results.datasets)) {
    if (d.baseline) assert.equal(Number(await root.locator(`.verdict-card .baselines li[data-source="${source}"]`).getAttribute('data-baseline')), d.baseline.value, `${where} ${source} baseline`);
  }
  // Every number the view writes, read back against results.json (numbers.mjs).
  await checkNumbers(root, 'section[data-view=results]', results, where);
}

/**
 * Screenshots of every dashboard view at 1000 and 1400 px wide: `<view>-<theme>-<width>.png`,
 * and the compare view's distributions scrolled into view. Each view is shown by its tab.
 */
async function shootViews(page, view, theme) {
  for (const width of [1000, 1400]) {
    await page.setViewportSize({ width, height: 900 });
    for (const v of ['compare', 'profile', 'training', 'results']) {
      await view.locator(`[data-tab=${v}]`).click();
      await view.locator(`section[data-view=${v}]:not([hidden])`).waitFor({ state: 'visible', timeout: 10_000 });
      await view.locator(`section[data-view=${v}] figure.chart`).first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForTimeout(400); // resize and theme redraws settle before the picture
      // From the top of the view (the tab bar is sticky: scrolling it into view does not scroll the page).
      await view.locator(`section[data-view=${v}]`).evaluate((el) => el.ownerDocument.scrollingElement?.scrollTo(0, 0));
      await page.waitForTimeout(100);
      await page.screenshot({ path: join(shots, `${v}-${theme}-${width}.png`) });
      if (v === 'compare') {
        // A narrow drift table (under 900 px) folds PSI and JS under the effect size: every row keeps them in view.
        const narrow = (await view.locator('main').first().evaluate((el) => el.clientWidth)) < 900;
        const rows = await view.locator('.drift-table tbody tr').count();
        assert.equal(await view.locator('.drift-table tbody tr [data-col=psi-js]').count(), narrow ? rows : 0, `drift table at ${width} px (${narrow ? 'narrow' : 'wide'})`);
        assert.equal(await view.locator('.drift-table thead th', { hasText: /^PSI/ }).count(), narrow ? 0 : 1);
      }
      // Parts further down, each scrolled into view.
      const parts = { compare: [['.drift-table', 'drift'], ['figure.feature-chart', 'distributions']], results: [['.results-table', 'table'], ['figure.confusion-chart', 'matrices'], ['ul.runs', 'runs']] }[v] ?? [];
      for (const [selector, name] of parts) {
        await view.locator(selector).first().scrollIntoViewIfNeeded();
        await page.waitForTimeout(200);
        await page.screenshot({ path: join(shots, `${v}-${name}-${theme}-${width}.png`) });
      }
    }
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

/** The first frame of `page` whose document has `selector` (the dashboard's frame sits inside the webview's). */
async function frameWith(page, selector) {
  for (const f of page.frames()) if (await f.evaluate((s) => document.querySelector(s) !== null, selector).catch(() => false)) return f;
  throw new Error(`no frame has ${selector}`);
}

async function waitFor(ok, ms, what) {
  for (const deadline = Date.now() + ms; !ok(); ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let server;
let context;
try {
  step('starting code-server');
  server = await startCodeServer({ settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  const ws = join(server.scratch, 'weather');
  mkdirSync(ws, { recursive: true });
  for (const f of ['seattle.csv', 'new-york.csv']) cpSync(join(repo, 'examples', 'weather', f), join(ws, f));
  context = await launchBrowser(server.scratch, { colorScheme: 'dark' });
  // Every Content Security Policy violation in any frame of any page, webviews included (cspWatch.mjs).
  const cspViolations = await watchCsp(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const payload = [['extensionDevelopmentPath', remoteUri(server.port, repo)]];
  await withTimeout(page.goto(workbenchUrl(server, ws, payload)), 60_000, 'loading the workbench');
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });

  // 1. Compare Datasets from the palette.
  step('palette -> Compare Datasets...');
  await palette(page, 'Dataset Lab: Compare Datasets...');
  await pickMany(page, ['seattle.csv', 'new-york.csv']);
  await pickOne(page, 'weather');
  const view = webview(page);
  const featureCharts = view.locator('figure.feature-chart');
  await featureCharts.first().waitFor({ state: 'visible', timeout: 90_000 });
  step('dashboard shows the comparison');

  // The same comparison from the CLI: what the dashboard shows must match it.
  // The picker lists files by path, so the reference is whichever the dashboard shows first.
  const order = await view.locator('.dataset-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-dataset')));
  assert.deepEqual([...order].sort(), ['new-york', 'seattle']);
  const json = JSON.parse(
    execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'compare', ...order.map((n) => join(ws, `${n}.csv`)), '--label', 'weather', '--json'], { encoding: 'utf8', timeout: 120_000 }),
  );
  const pair = json.comparisons[0];
  const charted = pair.features.filter((f) => !f.identifierLike);
  assert.equal(await featureCharts.count(), charted.length, 'one distribution chart per (non-identifier) feature');
  for (const f of charted) {
    const fig = view.locator(`figure.feature-chart[data-feature="${f.name}"]`);
    assert.equal(await fig.locator('svg').count(), 1, `${f.name}: an SVG chart`);
    assert.equal(Number(await fig.getAttribute('data-bins')), f.distribution.reference.length, `${f.name}: bins`);
    // Plot draws one rect per bin and dataset.
    const rects = await fig.locator('svg g[aria-label="rect"] rect').count();
    if (f.type === 'numeric') assert.equal(rects, 2 * f.distribution.reference.length, `${f.name}: two histograms`);
    const row = view.locator(`.drift-table tbody tr[data-feature="${f.name}"]`);
    const effect = f.type === 'numeric' && typeof f.wassersteinNorm === 'number' ? f.wassersteinNorm : f.jensenShannon;
    const cell = row.locator('td[data-col=effect]');
    assert.equal(Number(await cell.getAttribute('data-value')), effect, `${f.name}: effect size value`);
    assert.equal((await cell.evaluate((td) => td.firstChild.textContent)).trim(), fmt(effect, 3), `${f.name}: effect size text`);
    assert.equal((await row.locator('.verdict').textContent()).trim(), f.drift ? 'drift' : 'no drift', `${f.name}: verdict`);
  }
  // Sorted by effect size, largest first.
  const shown = await view.locator('.drift-table tbody tr td[data-col=effect]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
  assert.deepEqual(shown, [...shown].sort((a, b) => b - a), 'drift table sorted by effect size');
  assert.equal((await view.locator('.recommendation').getAttribute('data-strategy')), json.recommendation.strategy);
  assert.equal(Number(await view.locator('.card.domain').getAttribute('data-score')), pair.domainClassifier.score);
  assert.equal(await view.locator('figure.label-chart svg').count(), 1, 'label distribution chart');
  await page.screenshot({ path: join(shots, 'compare-dark.png') });
  await featureCharts.first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'compare-distributions-dark.png') });
  await view.locator('.tabs').scrollIntoViewIfNeeded();
  // Every other number of the view (domain classifier, labels, drift table, counts) against the same JSON.
  await checkNumbers(view, 'section[data-view=compare]', json, 'compare view');
  // The drift card's count: the compared (non-identifier) features, as the JSON's share says.
  step('compare view verified against the CLI JSON');

  // 1b. Profile Dataset: the dashboard's Profile view, against the CLI's profile --json.
  step('palette -> Profile Dataset');
  // With new-york.csv in the active editor, the picker starts from it.
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'new-york.csv' }).first().click();
  await page.locator('.tab.active', { hasText: 'new-york.csv' }).waitFor({ state: 'visible', timeout: 30_000 });
  await palette(page, 'Dataset Lab: Profile Dataset');
  // The file pick replaces the palette's list: wait for its rows.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: '.csv' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  const firstFile = page.locator('.quick-input-widget .monaco-list-row').first();
  const firstText = await firstFile.textContent();
  assert.match(firstText, /new-york\.csv.*active editor/, `the picker starts from the active editor's file: ${firstText} | ${await page.locator('.quick-input-widget .monaco-list-row').allTextContents()}`);
  await pickOne(page, 'seattle.csv');
  const profileRows = view.locator('section[data-view=profile] .profile-table tbody tr');
  await profileRows.first().waitFor({ state: 'visible', timeout: 60_000 });
  const profileJson = JSON.parse(execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'profile', join(ws, 'seattle.csv'), '--json'], { encoding: 'utf8', timeout: 120_000 }));
  assert.equal(await profileRows.count(), profileJson.columns.length, 'one profile row per column');
  assert.deepEqual(await profileRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-column'))), profileJson.columns.map((c) => c.name));
  assert.equal(await view.locator('section[data-view=profile] figure.profile-chart:has(svg)').count(), profileJson.columns.filter((c) => c.count > 0).length, 'a chart per column with values');
  // The date column: over time, per year, month and day of week, each bar's count bound to the JSON (checked below).
  const dateCard = view.locator('section[data-view=profile] figure.profile-chart[data-type=datetime]');
  for (const part of ['histogram', 'year', 'month', 'weekday']) assert.equal(await dateCard.locator(`[data-part=${part}] svg`).count(), 1, `the date column's ${part} chart`);
  const dateColumn = profileJson.columns.find((c) => c.type === 'datetime');
  assert.equal(await dateCard.locator('g.bar-count text[data-json]').count(), dateColumn.parts.year.length + 12 + 7, 'a bound count per calendar bar');
  await checkNumbers(view, 'section[data-view=profile]', profileJson, 'profile view');
  assert.match(await view.locator('[data-tab=profile] .tab-data').textContent(), /seattle\.csv/, 'the Profile tab names its file');
  await page.screenshot({ path: join(shots, 'profile-dark.png') });
  step('profile view verified against the CLI JSON');
  // The same view on a text column (top tokens) and a date-time column with hours and gaps, as a static page (profilePage.mjs).
  execFileSync(process.execPath, [join(repo, 'test', 'e2e', 'profilePage.mjs')], { stdio: 'inherit', timeout: 180_000 });
  step('profile page: text and date-time columns verified against the CLI JSON');

  // 2. New Multi-Head Experiment, then Run.
  step('palette -> New Multi-Head Experiment...');
  await palette(page, 'Dataset Lab: New Multi-Head Experiment...');
  await pickMany(page, ['seattle.csv', 'new-york.csv']); // remembered, still confirm both
  step('files picked');
  await pickOne(page, 'weather');
  step('label picked');
  // The file-name input box replaces the label pick: wait for its suggested name.
  const nameBox = page.locator('.quick-input-widget input.input');
  const t1 = Date.now();
  while (!(await nameBox.inputValue().catch(() => '')).endsWith('.experiment.json')) {
    if (Date.now() - t1 > 30_000) throw new Error('the experiment name box did not appear');
    await page.waitForTimeout(100);
  }
  await page.keyboard.press('Enter');
  const expFile = join(ws, `${order.join('-')}.multihead.experiment.json`);
  const t0 = Date.now();
  while (!existsSync(expFile)) {
    if (Date.now() - t0 > 60_000) throw new Error(`${expFile} was not created; notifications: ${await notifications(page)}`);
    await page.waitForTimeout(200);
  }
  // Keep the run short: 15 epochs.
  const spec = JSON.parse(readFileSync(expFile, 'utf8'));
  assert.ok(spec.arms.includes('multihead'));
  await page.locator('.tab', { hasText: 'multihead.experiment.json' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  spec.training.epochs = 15;
  writeFileSync(expFile, JSON.stringify(spec, null, 2));
  step('palette -> Run Experiment');
  await palette(page, 'Dataset Lab: Run Experiment');
  const curves = view.locator('figure.curve-chart canvas');
  // Attached, not necessarily visible: a short run can finish and switch the dashboard to its
  // results before this looks (the fused training step made that common); the curves of the
  // finished run are checked as visible below.
  // The Training view may not draw at all while the Results tab is shown: either one will do here.
  await Promise.any([
    curves.first().waitFor({ state: 'attached', timeout: 120_000 }),
    view.locator('.results-table tbody tr').first().waitFor({ state: 'visible', timeout: 120_000 }),
  ]);
  step('curves appear');
  await page.screenshot({ path: join(shots, 'training-dark.png') });
  const resultsRows = view.locator('.results-table tbody tr');
  await resultsRows.first().waitFor({ state: 'visible', timeout: 240_000 });
  step('results table fills');
  const runsDir = join(ws, '.dataset-lab', 'runs');
  const runId = readdirSync(runsDir).find((d) => existsSync(join(runsDir, d, 'results.json')));
  assert.ok(runId, 'a run folder with results.json');
  const results = JSON.parse(readFileSync(join(runsDir, runId, 'results.json'), 'utf8'));
  const sources = Object.keys(results.arms[0].bySource);
  assert.equal(await resultsRows.count(), sources.length, 'one results row per dataset');
  await checkEvidence(view, results, 'dashboard');
  assert.ok((await view.locator('figure.confusion-chart svg').count()) > 0, 'confusion matrices');
  // Repeated rows: one entry per dataset with repeats, numbers as in results.json.
  const pooledArms = results.arms.some((a) => a.arm !== 'separate');
  for (const [source, d] of Object.entries(results.datasets)) {
    const seen = pooledArms ? d.leakage.testSeenInPooledTrain : d.leakage.testSeenInOwnTrain;
    const item = view.locator(`.repeats li[data-source="${source}"]`);
    if (seen === 0 && d.leakage.sharedWithOtherDatasets === 0) assert.equal(await item.count(), 0, `no repeats note for ${source}`);
    else {
      assert.equal(Number(await item.getAttribute('data-test-repeats')), seen, `${source} test repeats`);
      assert.equal(Number(await item.getAttribute('data-shared')), d.leakage.sharedWithOtherDatasets, `${source} shared rows`);
    }
  }
  await page.screenshot({ path: join(shots, 'results-dark.png') });
  // The curves view of the finished run.
  await view.locator('[data-tab=training]').click();
  await curves.first().waitFor({ state: 'visible', timeout: 30_000 });
  const curveCount = await view.locator('figure.curve-chart').count();
  assert.ok(curveCount >= 3, `curve charts: ${curveCount}`);
  await page.screenshot({ path: join(shots, 'training-dark.png') });
  step(`training status line "${await checkStatusLine(view, join(runsDir, runId), 'dashboard')}" agrees with history.jsonl, experiment.json and status.json`);
  step('results verified against results.json (intervals, significance, ties)');
  // The compare view's recommendation now links to the run that tested it.
  await view.locator('[data-tab=compare]').click();
  const tested = view.locator(`.recommendation .tested[data-run="${runId}"]`);
  await tested.waitFor({ state: 'visible', timeout: 30_000 });
  const recommendedArm = { merge: 'merged', multihead: 'multihead', separate: 'separate' }[json.recommendation.strategy];
  assert.equal(await tested.getAttribute('data-agrees'), String(results.comparison.overall.bestOrTied.includes(recommendedArm)), 'tested-by verdict');
  // A run without the recommended arm is said not to have tested it (not "was not best or tied").
  assert.equal(await tested.getAttribute('data-trained'), String(spec.arms.includes(recommendedArm)), 'whether the run trained the recommended arm');
  if (!spec.arms.includes(recommendedArm)) assert.match(await tested.textContent(), new RegExp(`did not train the recommended arm \\(${recommendedArm}\\)`));
  await tested.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'compare-tested-dark.png') });
  step('the recommendation links to the run that tested it');
  await shootViews(page, view, 'dark');
  step('dark screenshots at 1000 and 1400 px');

  // 3. Light theme: VS Code applies a changed settings.json live.
  step('switching to the light theme');
  await page.locator('.part.sidebar .composite.title').first().click();
  // Ctrl+K Ctrl+T opens the theme picker.
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.type('Light Modern');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Light Modern' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-workbench.vs').waitFor({ state: 'attached', timeout: 30_000 });
  await shootViews(page, view, 'light');
  step(`light screenshots at 1000 and 1400 px in ${shots}`);
  await cspViolations.settled();
  assert.deepEqual(describeViolations(cspViolations), [], 'no Content Security Policy violation anywhere in the editor');
  // The watch sees the dashboard's own frame: a script without the nonce, added there, is blocked and reported.
  await listenInAllFrames(page);
  const dashboardFrame = await frameWith(page, 'nav.tabs');
  assert.equal(await plantViolation(dashboardFrame, '__datasetLabPlanted'), false, 'the policy blocks a script without the nonce');
  await waitFor(() => ['event', 'console', 'issue'].every((via) => cspViolations.some((v) => v.via === via)), 10_000, 'the planted violation to be reported');
  assert.deepEqual(
    cspViolations
      .map((v) => (v.via === 'issue' ? `issue ${v.kind} ${v.directive}` : v.via === 'event' ? `event ${v.directive}` : `console ${/Executing inline script violates the following Content Security Policy directive 'script-src 'nonce-/.test(v.text)}`))
      .sort(),
    ['console true', 'event script-src-elem', 'issue kInlineViolation script-src-elem'],
    describeViolations(cspViolations).join('\n'),
  );
  cspViolations.length = 0;
  step('CSP: none in the editor; a planted one in the dashboard is caught');

  // 4. The same dashboard as self-contained HTML files from the CLI.
  step('CLI HTML reports');
  const compareHtml = join(server.scratch, 'compare.html');
  const runHtml = join(server.scratch, 'run.html');
  const cli = (args) => execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 120_000, cwd: ws });
  cli(['compare', ...order.map((n) => `${n}.csv`), '--label', 'weather', '--html', compareHtml]);
  cli(['report', join(runsDir, runId), '-o', runHtml]);
  for (const [file, expectCharts] of [
    [compareHtml, charted.length + 1],
    [runHtml, null],
  ]) {
    // The policy as written: test/unit/protocol/csp.test.ts; here, what the browser reports.
    const report = await context.newPage();
    const errors = [];
    report.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    report.on('pageerror', (e) => errors.push(e.message));
    await report.goto(`file://${file}`);
    await report.locator('figure.chart svg').first().waitFor({ state: 'visible', timeout: 30_000 });
    if (expectCharts !== null) {
      assert.equal(await report.locator('section[data-view=compare] figure.chart').count(), expectCharts, 'compare report charts');
      await checkNumbers(report, 'section[data-view=compare]', json, 'compare report');
    } else {
      assert.equal(await report.locator('.results-table tbody tr').count(), sources.length, 'run report rows');
      await checkEvidence(report, results, 'html report');
      // The report's Training tab ends its status line as the editor's did: the run folder's last epoch.
      await report.locator('[data-tab=training]').click();
      await report.locator('section[data-view=training] .status-line[data-state]').waitFor({ state: 'visible', timeout: 30_000 });
      await checkStatusLine(report, join(runsDir, runId), 'html report');
    }
    assert.deepEqual(errors, [], `no errors in ${file}`);
    await report.close();
  }
  // Text columns: the compare report of the text example has a Text columns card (one block per
  // text column) whose numbers agree with compare --json.
  const textHtml = join(server.scratch, 'text-compare.html');
  const textFiles = ['spam.csv', 'sotu.csv'].map((f) => join(repo, 'examples', 'text', f));
  cli(['compare', ...textFiles, '--label', 'label', '--html', textHtml]);
  const textJson = JSON.parse(cli(['compare', ...textFiles, '--label', 'label', '--json']));
  {
    const report = await context.newPage();
    const errors = [];
    report.on('pageerror', (e) => errors.push(e.message));
    await report.goto(`file://${textHtml}`);
    const card = report.locator('section[data-view=compare] .text-compare-card');
    await card.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await card.locator('.text-column').count(), textJson.comparisons[0].features.filter((f) => f.type === 'text').length, 'one Text columns block per text column');
    await checkNumbers(report, 'section[data-view=compare] .text-compare-card', textJson, 'text compare report');
    // Each text column's length histogram is drawn on the JSON's shared bins.
    const textFeatures = textJson.comparisons[0].features.filter((f) => f.type === 'text');
    assert.deepEqual(
      await card.locator('figure.text-length-chart').evaluateAll((fs) => fs.map((f) => Number(f.getAttribute('data-bins')))),
      textFeatures.map((f) => f.text.lengthDistribution.reference.length),
      'a length histogram per text column, on the JSON bins',
    );
    await card.locator('figure.text-length-chart svg').first().screenshot({ path: join(shots, 'compare-text-lengths.png') });
    assert.deepEqual(errors, [], `no errors in ${textHtml}`);
    await report.close();
  }
  await cspViolations.settled();
  assert.deepEqual(describeViolations(cspViolations), [], 'no Content Security Policy violation in the HTML reports');
  // A test-only page: the compare report with a script that lacks the nonce, an eval in a script
  // that has it, and a remote image; each is blocked and reported.
  const planted = join(server.scratch, 'planted.html');
  const compareSource = readFileSync(compareHtml, 'utf8');
  const nonce = /<script nonce="([^"]+)"/.exec(compareSource)[1];
  const plants = `<script>window.__planted = true</script><script nonce="${nonce}">try { new Function('window.__evaluated = true')(); } catch {}</script><img src="https://example.invalid/p.png">`;
  writeFileSync(planted, compareSource.replace('</body>', `${plants}</body>`));
  const plantedPage = await context.newPage();
  await plantedPage.goto(`file://${planted}`);
  await waitFor(() => cspViolations.filter((v) => v.via === 'event').length >= 3 && cspViolations.filter((v) => v.via === 'issue').length >= 3, 10_000, 'the test-only page\'s violations');
  assert.deepEqual(cspViolations.filter((v) => v.via === 'event').map((v) => `${v.directive} ${v.blocked}`).sort(), ['img-src https://example.invalid/p.png', 'script-src eval', 'script-src-elem inline']);
  assert.deepEqual(
    cspViolations.filter((v) => v.via === 'issue').map((v) => `${v.kind} ${v.directive} ${v.blocked} ${v.frame === `file://${planted}`}`).sort(),
    ['kEvalViolation script-src  true', 'kInlineViolation script-src-elem  true', 'kURLViolation img-src https://example.invalid/p.png true'],
  );
  assert.deepEqual(await plantedPage.evaluate(() => [window.__planted === true, window.__evaluated === true]), [false, false]);
  await plantedPage.close();
  cspViolations.length = 0;
  step('CSP: none in the reports; a test-only page with three is caught');
  // 5. A cross-validation run (cars by origin, as init would choose for it): the report's
  // results with fold-based intervals, and its curves as the folds' mean with a band.
  step('cross-validation run and its report');
  const cv = join(server.scratch, 'cars');
  mkdirSync(join(cv, 'cars'), { recursive: true });
  for (const f of ['usa.csv', 'europe.csv', 'japan.csv']) cpSync(join(repo, 'examples', 'cars', f), join(cv, 'cars', f));
  const cvSpec = JSON.parse(readFileSync(join(repo, 'examples', 'cars-mlp.experiment.json'), 'utf8'));
  delete cvSpec.$schema;
  cvSpec.training.epochs = 40;
  cvSpec.evaluation = { method: 'cv', folds: 5 };
  writeFileSync(join(cv, 'cars.experiment.json'), JSON.stringify(cvSpec));
  const cvResults = JSON.parse(execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'run', 'cars.experiment.json', '--json'], { encoding: 'utf8', timeout: 240_000, cwd: cv }));
  assert.equal(cvResults.evaluation.method, 'cv');
  const cvHtml = join(server.scratch, 'cv-run.html');
  execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'report', join(cv, '.dataset-lab', 'runs', cvResults.runId), '-o', cvHtml], { encoding: 'utf8', timeout: 120_000 });
  {
    const report = await context.newPage();
    await report.setViewportSize({ width: 1400, height: 900 });
    const errors = [];
    report.on('pageerror', (e) => errors.push(e.message));
    await report.goto(`file://${cvHtml}`);
    await report.locator('.results-table tbody tr').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await report.locator('.evaluation').textContent(), /5-fold cross-validation/);
    await checkEvidence(report, cvResults, 'cv report');
    await report.screenshot({ path: join(shots, 'cv-results.png') });
    await report.locator('[data-tab=training]').click();
    const loss = report.locator('figure.curve-chart[data-metric="val_loss"]');
    await loss.locator('canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
    const banded = (await loss.getAttribute('data-fold-arms')).split(',');
    assert.deepEqual([...banded].sort(), cvResults.arms.flatMap((a) => (a.arm === 'separate' ? Object.keys(a.bySource).map((s) => `separate/${s}`) : [a.arm])).sort(), 'every model drawn as the folds\' mean with a band');
    await report.waitForTimeout(300);
    await report.screenshot({ path: join(shots, 'cv-training.png') });
    assert.deepEqual(errors, [], 'no errors in the cross-validation report');
    await report.close();
  }

  await cspViolations.settled();
  assert.deepEqual(describeViolations(cspViolations), [], 'no Content Security Policy violation in the cross-validation report');

  // 5b. A text run (the bundled text example, a few epochs): its report's per-class F1 card,
  // every F1 and support against results.json.
  step('text run: per-class F1 in its report');
  const tx = join(server.scratch, 'text-run');
  mkdirSync(join(tx, 'text'), { recursive: true });
  for (const f of ['spam.csv', 'sotu.csv']) cpSync(join(repo, 'examples', 'text', f), join(tx, 'text', f));
  const txSpec = JSON.parse(readFileSync(join(repo, 'examples', 'text.experiment.json'), 'utf8'));
  delete txSpec.$schema;
  txSpec.training.epochs = 4;
  writeFileSync(join(tx, 'text.experiment.json'), JSON.stringify(txSpec));
  const txResults = JSON.parse(execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'run', 'text.experiment.json', '--json'], { encoding: 'utf8', timeout: 240_000, cwd: tx }));
  const txHtml = join(server.scratch, 'text-run.html');
  execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'report', join(tx, '.dataset-lab', 'runs', txResults.runId), '-o', txHtml], { encoding: 'utf8', timeout: 120_000 });
  {
    const report = await context.newPage();
    await report.setViewportSize({ width: 1400, height: 900 });
    const errors = [];
    report.on('pageerror', (e) => errors.push(e.message));
    await report.goto(`file://${txHtml}`);
    const card = report.locator('section[data-view=results] .per-class-card');
    await card.waitFor({ state: 'visible', timeout: 30_000 });
    const shownF1 = await checkNumbers(report, 'section[data-view=results] .per-class-card', txResults, 'text run per-class F1');
    const expectedF1 = txResults.arms.filter((a) => !a.diverged).reduce((n, a) => n + Object.values(a.bySource).reduce((m, b) => m + Object.keys(b.perClass ?? {}).length, 0), 0);
    assert.ok(shownF1 >= expectedF1, `every per-class F1 shown (${shownF1} numbers for ${expectedF1} F1s)`);
    await card.screenshot({ path: join(shots, 'results-text-per-class.png') });
    assert.deepEqual(errors, [], 'no errors in the text run report');
    await report.close();
  }

  // 6. Two datasets whose label columns differ (penguins: species on Biscoe, sex on Dream):
  // compared with a label per file (the picker counts its steps and suggests the previous file's
  // label), the dashboard offers no merged arm and the multi-head experiment it scaffolds never
  // trains one.
  step('different label columns: compare, scaffold multi-head, no merged arm');
  mkdirSync(join(ws, 'penguins'), { recursive: true });
  for (const f of ['biscoe.csv', 'dream.csv']) cpSync(join(repo, 'examples', 'penguins', f), join(ws, 'penguins', f));
  await page.bringToFront();
  await palette(page, 'Dataset Lab: Compare Datasets...');
  await pickExactly(page, ['biscoe.csv', 'dream.csv']);
  await pickOne(page, 'A different label column per file');
  const labelTitle = page.locator('.quick-input-widget .quick-input-title');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: '(1 of 2)' }).waitFor({ state: 'visible', timeout: 30_000 });
  // The likely label first, by its name and its kind (the sample the picker read: two species on Biscoe).
  assert.match(await page.locator('.quick-input-widget .monaco-list-row').first().textContent(), /species.*likely label \(its name, 2 classes\)/);
  await pickOne(page, 'species');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: '(2 of 2)' }).waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await labelTitle.textContent(), /dream\.csv/);
  // The suggestion comes first: the previous file's label.
  assert.match(await page.locator('.quick-input-widget .monaco-list-row').first().textContent(), /species.*the label of the previous file/);
  await pickOne(page, 'sex');
  const labelsCard = view.locator('section[data-view=compare] .card.labels[data-same-column="false"]');
  await labelsCard.waitFor({ state: 'visible', timeout: 90_000 });
  // While the comparison ran, the compare view showed its progress with these files (not the previous pair).
  assert.match(await view.locator('section[data-view=compare]').getAttribute('data-last-progress'), /biscoe\.csv[\s\S]*dream\.csv/);
  assert.equal(await view.locator('section[data-view=compare] .progress-card').count(), 0, 'the progress card gives way to the report');
  assert.match(await view.locator('[data-tab=compare] .tab-data').textContent(), /biscoe vs dream/, 'the Compare tab names the new pair');
  assert.equal(await view.locator('.kind-menu option[data-kind="merge"]').getAttribute('disabled'), '', 'merge is not offered for different labels');
  assert.equal(await view.locator('.kind-menu option[data-kind="merge"]').evaluate((o) => o.disabled), true);
  await labelsCard.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'compare-different-labels-light.png') });
  // Scaffold a multi-head experiment from the dashboard: the button when it is the recommendation, else the menu.
  const scaffoldButton = view.locator('button[data-action=scaffold]');
  if ((await scaffoldButton.getAttribute('data-kind')) === 'multihead') await scaffoldButton.click();
  else await view.locator('select.kind-menu').selectOption('multihead');
  const penguinBox = page.locator('.quick-input-widget input.input');
  for (const t = Date.now(); !(await penguinBox.inputValue().catch(() => '')).endsWith('.multihead.experiment.json'); ) {
    if (Date.now() - t > 30_000) throw new Error(`the experiment name box did not appear; notifications: ${await notifications(page)}`);
    await page.waitForTimeout(100);
  }
  await page.keyboard.press('Enter');
  const penguinExp = join(ws, 'biscoe-dream.multihead.experiment.json');
  for (const t = Date.now(); !existsSync(penguinExp); ) {
    if (Date.now() - t > 60_000) throw new Error(`${penguinExp} was not created; notifications: ${await notifications(page)}`);
    await page.waitForTimeout(200);
  }
  const penguinSpec = JSON.parse(readFileSync(penguinExp, 'utf8'));
  assert.deepEqual(penguinSpec.datasets.map((d) => d.label), ['species', 'sex']);
  assert.deepEqual([...penguinSpec.arms].sort(), ['multihead', 'separate'], 'no merged arm for different labels');
  penguinSpec.training.epochs = 5;
  writeFileSync(penguinExp, JSON.stringify(penguinSpec, null, 2));
  const penguinRun = JSON.parse(execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'run', penguinExp, '--json'], { encoding: 'utf8', timeout: 240_000, cwd: ws }));
  assert.deepEqual(penguinRun.arms.map((a) => a.arm).sort(), ['multihead', 'separate'], 'the run trains no merged arm');
  // The experiment does not enable it: asked for, the merged arm is refused, never trained.
  const refused = (() => {
    try {
      execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'run', penguinExp, '--arms', 'merged', '--json'], { encoding: 'utf8', timeout: 120_000, cwd: ws, stdio: 'pipe' });
      return undefined;
    } catch (e) {
      return String(e.stderr ?? e);
    }
  })();
  assert.ok(refused !== undefined, 'a merged arm on different label columns is refused');
  step('different labels: no merged arm offered, scaffolded or trained');
  await cspViolations.settled();
  assert.deepEqual(describeViolations(cspViolations), [], 'no Content Security Policy violation in the editor since the reports');
  // 7. A streaming comparison (issue 15) of two generated files, streaming forced by the setting:
  // the progress card shows the stage while the CLI reads (issue 16), then the streaming view's
  // numbers agree with `compare --stream --json` (streamCompare.mjs).
  step('streaming compare: stage while it runs, then the streaming view against the CLI JSON');
  const { streamCompareCheck } = await import('./streamCompare.mjs');
  await page.bringToFront();
  const streamed = await streamCompareCheck({ page, view, ws, shots, pick: { palette, pickExactly, pickOne } });
  step(`streaming compare: ${streamed.numbers} numbers agree; stages shown: ${streamed.stagesSeen}`);
  step('streaming load (5 min at 10 updates/s, time-compressed)');
  const { streamingCheck } = await import('./streaming.mjs');
  await streamingCheck();
  // Restricted Mode in its own editor: the dashboard's notice, Run Experiment refused, trust granted without a reload.
  step('Restricted Mode (restricted.mjs)');
  const { restrictedCheck } = await import('./restricted.mjs');
  await restrictedCheck({ shots });
  console.log(`e2e: ${stepsStarted} passed, 0 failed`);
  process.exitCode = 0;
} catch (e) {
  console.error(`e2e: FAILED: ${e instanceof Error ? e.stack : e}`);
  console.log(`e2e: ${Math.max(0, stepsStarted - 1)} passed, 1 failed`);
  try {
    const page = context?.pages()[0];
    if (page) {
      await page.screenshot({ path: join(shots, 'failure.png') });
      // What the editor said (a warning toast explains most stalls).
      const toasts = await page.locator('.notifications-toasts .notification-list-item-message').allTextContents().catch(() => []);
      for (const t of toasts) console.error(`e2e: notification at failure: ${t}`);
    }
  } catch {
    /* best effort */
  }
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  await server?.stop({ keep: !!process.env.DATASET_LAB_KEEP_SCRATCH });
}
