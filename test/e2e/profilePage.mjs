// The Profile view of the real webview bundle (dist/webview.js), in a real browser, on the real
// CLI's `profile --json` of a text file and a date file: every number it writes (the top-token
// and calendar bar labels included) is read back against that JSON (numbers.mjs), and the text
// and date charts are present. Screenshots: test-results/screenshots/profile-page-<file>-<width>.png.
// Run after `node esbuild.mjs`: node test/e2e/profilePage.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../../scripts/test-host/codeServer.mjs';
import { checkNumbers } from './numbers.mjs';

const repo = resolve(import.meta.dirname, '..', '..');
const shots = join(repo, 'test-results', 'screenshots');
mkdirSync(shots, { recursive: true });

/** The static report page (the dashboard's static host) showing `profile`. */
function page(profile) {
  const data = JSON.stringify({ view: 'profile', profile, staticReport: true, trainingAllowed: false }).replace(/</g, '\\u003c');
  const script = readFileSync(join(repo, 'dist', 'webview.js'), 'utf8').replace(/<\/(script)/gi, '<\\/$1');
  const css = readFileSync(join(repo, 'media', 'dashboard.css'), 'utf8');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><style>${css}</style></head><body class="static-report"><div id="app" data-host="static"></div><script type="application/json" id="dataset-lab-data">${data}</script><script>${script}</script></body></html>\n`;
}

// Date-times with gaps: every 30 minutes over 10 days of 2024-02, hours 3-5 of each day and all of
// the 5th missing (the hour chart and the gaps line).
const timed = join(tmpdir(), `dataset-lab-profile-${process.pid}-timed.csv`);
{
  const lines = ['when,reading'];
  for (let t = Date.UTC(2024, 1, 1); t < Date.UTC(2024, 1, 11); t += 30 * 60_000) {
    const d = new Date(t);
    if ((d.getUTCHours() >= 3 && d.getUTCHours() < 6) || d.getUTCDate() === 5) continue;
    lines.push(`${d.toISOString().slice(0, 16).replace('T', ' ')},${(t / 60_000) % 97}`);
  }
  writeFileSync(timed, lines.join('\n') + '\n');
}

const cases = [
  { file: 'examples/text/spam.csv', type: 'text', parts: ['length', 'tokens'] },
  { file: 'examples/weather/seattle.csv', type: 'datetime', parts: ['histogram', 'year', 'month', 'weekday'] },
  { file: timed, type: 'datetime', parts: ['histogram', 'year', 'month', 'weekday', 'hour'] },
];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  for (const { file, type, parts } of cases) {
    const json = JSON.parse(execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'profile', resolve(repo, file), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
    const html = join(tmpdir(), `dataset-lab-profile-${process.pid}-${basename(file)}.html`);
    writeFileSync(html, page({ ...json, source: 'file', at: new Date().toISOString() }));
    for (const width of [1000, 1400]) {
      const p = await browser.newPage({ viewport: { width, height: 1100 } });
      await p.goto(`file://${html}`);
      const card = p.locator(`section[data-view=profile] figure.profile-chart[data-type=${type}]`).first();
      await card.locator('svg').first().waitFor({ state: 'visible', timeout: 30_000 });
      for (const part of parts) assert.equal(await card.locator(`[data-part=${part}] svg`).count(), 1, `${file} ${width}px: the ${part} chart`);
      const i = json.columns.findIndex((c) => c.type === type);
      const col = json.columns[i];
      // Every bar of the calendar and token charts is labelled with its bound count.
      const bars = type === 'text' ? Math.min(12, col.topTokens.length) : col.parts.year.length + 12 + 7 + (col.parts.hour && !col.dateOnly ? 24 : 0);
      assert.equal(await card.locator('g.bar-count text[data-json]').count(), bars, `${file} ${width}px: a bound count per bar`);
      const n = await checkNumbers(p, 'section[data-view=profile]', json, `${file} at ${width}px`);
      await card.scrollIntoViewIfNeeded();
      await p.screenshot({ fullPage: true, path: join(shots, `profile-page-${basename(file, '.csv').replace(/^dataset-lab-profile-\d+-/, '')}-${width}.png`) });
      console.log(`${file} at ${width}px: ${n} numbers agree with profile --json`);
      await p.close();
    }
  }
} finally {
  await browser.close();
}
