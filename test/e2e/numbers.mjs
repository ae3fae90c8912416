// Every number a dashboard view shows, read back against the JSON it was drawn from. The views
// write each number from the data through src/protocol/format.ts inside an element that names
// where it comes from (data-json: keys from the JSON's root; data-unit: percent or points for a
// share shown times 100; webview/dom.ts bound()), and each count they compute from a table with
// the selector of what they counted (data-count-of; dom.ts counted()). This reads them all: a
// shown number must equal the JSON's value to the precision it is written with, and a count must
// equal the number of elements it claims to count. Used by run.mjs on the editor's dashboard and
// on the CLI's HTML reports; `node test/e2e/numbers.mjs FILE.html JSON` checks one report alone.
import assert from 'node:assert/strict';

/** The value at `path` in `json` (keys and indices; `length` of an array too). */
export function at(json, path) {
  let v = json;
  for (const k of path) v = v === null || v === undefined ? undefined : v[k];
  return v;
}

/**
 * A shown number and how far from the true value it may be: half a unit in its last written
 * digit. "<1e-16" is a bound. Thousands separators (en-US commas), signs, % and units are read.
 */
export function parseShown(text) {
  const t = text.replace(/\u2212/g, '-').replace(/\s*(pts|%)\s*$/, '').replace(/^\+/, '').trim();
  if (t.startsWith('<')) return { below: Number(t.slice(1)) };
  const m = /^(-?[\d,]*\.?\d+)(?:e([+-]?\d+))?$/.exec(t);
  if (!m) return undefined;
  const mantissa = m[1].replace(/,/g, '');
  const decimals = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
  const exp = m[2] === undefined ? 0 : Number(m[2]);
  return { value: Number(mantissa) * 10 ** exp, tolerance: 0.5 * 10 ** (exp - decimals) };
}

/** Checks every bound number and every count inside `scope` of `root` (a Playwright page, frame or frame locator). Returns how many it checked. */
export async function checkNumbers(root, scope, json, where) {
  const items = await root.locator(`${scope} [data-json]`).evaluateAll((els) =>
    els.map((e) => ({ path: JSON.parse(e.getAttribute('data-json')), unit: e.getAttribute('data-unit') ?? 'plain', text: (e.textContent ?? '').trim() })),
  );
  const problems = [];
  for (const { path, unit, text } of items) {
    const truth = at(json, path);
    if (typeof truth !== 'number') {
      problems.push(`${JSON.stringify(path)}: shown "${text}" but the JSON has ${JSON.stringify(truth)}`);
      continue;
    }
    const value = unit === 'plain' ? truth : truth * 100;
    const shown = parseShown(text);
    if (!shown) problems.push(`${JSON.stringify(path)}: "${text}" is not a number`);
    else if ('below' in shown) {
      if (!(Math.abs(value) < shown.below)) problems.push(`${JSON.stringify(path)}: shown "${text}", the JSON has ${truth}`);
    } else if (!(Math.abs(shown.value - value) <= shown.tolerance * (1 + 1e-9) + 1e-12)) {
      problems.push(`${JSON.stringify(path)}: shown "${text}" (${shown.value}), the JSON has ${truth}${unit !== 'plain' ? ` (${value} as ${unit})` : ''}`);
    }
  }
  const counts = await root.locator(`${scope} [data-count-of]`).evaluateAll((els) =>
    els.map((e) => ({ selector: e.getAttribute('data-count-of'), claimed: Number(e.getAttribute('data-count')), text: (e.textContent ?? '').trim() })),
  );
  for (const c of counts) {
    const actual = await root.locator(`${scope} ${c.selector}`).count();
    const shown = parseShown(c.text);
    if (actual !== c.claimed || shown?.value !== actual) problems.push(`count of ${c.selector}: shown "${c.text}" (claimed ${c.claimed}), ${actual} on screen`);
  }
  assert.deepEqual(problems, [], `${where}: numbers on screen that disagree with the JSON`);
  assert.ok(items.length > 0, `${where}: no bound numbers found in ${scope}`);
  return items.length + counts.length;
}

// Alone: node test/e2e/numbers.mjs REPORT.html DATA.json [scope]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, jsonFile, scope = 'section[data-view]:not([hidden])'] = process.argv.slice(2);
  const { readFileSync } = await import('node:fs');
  const { chromium } = await import('playwright-core');
  const { CHROMIUM } = await import('../../scripts/test-host/codeServer.mjs');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    await page.locator('figure.chart svg').first().waitFor({ state: 'visible', timeout: 30_000 });
    const n = await checkNumbers(page, scope, JSON.parse(readFileSync(jsonFile, 'utf8')), file);
    console.log(`${n} numbers agree with ${jsonFile}`);
  } finally {
    await browser.close();
  }
}
