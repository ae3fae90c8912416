// The language server and the CLI decide the same column kinds on the same file: random messy
// CSVs (typos in numeric columns, missing-value spellings, ragged rows, quotes, spaces, text,
// dates) opened in the real server over stdio; the kind its hover shows (what the diagnostics
// use) and the kind of its live profile both equal the kind the CLI's ingest gives.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HoverRequest, type Diagnostic, type Hover } from 'vscode-languageserver-protocol';
import { parseCsvText } from '../../../src/core/ingest';
import { profileTable } from '../../../src/core/profile';
import { ColumnProfilesRequest } from '../../../src/protocol/lsp';
import { seededRandom } from '../helpers';
import { TestClient, fileUri, repoRoot } from './lspClient';

const CASES = 150;

const pick = <T>(random: () => number, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

const ODD = ['warm', 'n/a', 'none', '1,234.5', '-', 'x', 'ERR', ' 12 ', '"7"', 'NA', '', '?', 'twelve'];
const WORDS = ['the', 'cat', 'sat', 'on', 'a', 'warm', 'mat', 'while', 'it', 'rained', 'in', 'Oslo', 'café'];
const DATES = ['2012-01-31', '2013-07-04', '1999-12-31', '2020-02-29', '01/31/2000', 'Jun 12 1998', '2012-01-31T10:00:00Z'];
/** Date columns of one format each (month-first or day-first decided by the values drawn). */
const DATE_FAMILIES: readonly ((random: () => number) => string)[] = [
  (r) => `20${10 + Math.floor(r() * 10)}-0${1 + Math.floor(r() * 9)}-${10 + Math.floor(r() * 18)}`,
  (r) => `0${1 + Math.floor(r() * 9)}/${1 + Math.floor(r() * 28)}/1999`,
  (r) => `${1 + Math.floor(r() * 28)}/0${1 + Math.floor(r() * 9)}/2001`,
  (r) => `${pick(r, ['Jan', 'Feb', 'Jun', 'Dec'])} ${1 + Math.floor(r() * 28)} 1998`,
  (r) => `2021-03-${10 + Math.floor(r() * 18)}T${10 + Math.floor(r() * 12)}:30:00${pick(r, ['Z', '+02:00', '-05:00'])}`,
];

/** One column of a flavour, `rows` cells (written as they go in the file, quoted when needed). */
function column(random: () => number, rows: number): string[] {
  const flavour = Math.floor(random() * 6);
  const family = pick(random, DATE_FAMILIES);
  const oddShare = pick(random, [0, 0, 0.02, 0.05, 0.08, 0.12, 0.3]);
  const cells: string[] = [];
  for (let i = 0; i < rows; i++) {
    let v: string;
    switch (flavour) {
      case 0:
      case 1:
        v = random() < oddShare ? pick(random, ODD) : (random() * 100 - 20).toFixed(pick(random, [0, 1, 2]));
        break;
      case 2:
        v = random() < oddShare ? pick(random, ODD) : pick(random, ['red', 'green', 'blue', ' red', 'Red']);
        break;
      case 3: {
        const n = 1 + Math.floor(random() * 8);
        v = Array.from({ length: n }, () => pick(random, WORDS)).join(' ');
        break;
      }
      case 4:
        v = random() < oddShare ? pick(random, ODD) : random() < 0.2 ? pick(random, DATES) : family(random);
        break;
      default:
        v = random() < 0.5 ? String(i) : `id-${Math.floor(random() * 1e6)}`;
    }
    cells.push(/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  }
  return cells;
}

function messyCsv(random: () => number): string {
  const ncols = 1 + Math.floor(random() * 5);
  const rows = 3 + Math.floor(random() * 60);
  const cols = Array.from({ length: ncols }, () => column(random, rows));
  const lines = [Array.from({ length: ncols }, (_, j) => `c${j}`).join(',')];
  for (let i = 0; i < rows; i++) {
    const cells = cols.map((c) => c[i]);
    const r = random();
    // A few ragged rows, which the ingest skips.
    if (r < 0.03) cells.push('extra');
    else if (r < 0.06 && cells.length > 1) cells.pop();
    lines.push(cells.join(','));
  }
  return lines.join(random() < 0.3 ? '\r\n' : '\n') + '\n';
}

function hoverKind(h: Hover | null): string | undefined {
  const value = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  return /^\*\*[^*]+\*\* · (\w+) · /.exec(value)?.[1];
}

describe('language server: column kinds agree with the CLI', () => {
  let client: TestClient;
  before(async () => {
    ({ client } = await TestClient.start());
  });
  after(async () => {
    await client.stop();
  });

  it(`on ${CASES} random messy files`, async () => {
    const random = seededRandom(20261);
    let compared = 0;
    const kindsSeen = new Set<string>();
    for (let k = 0; k < CASES; k++) {
      const text = messyCsv(random);
      const uri = fileUri(path.join(repoRoot(), 'test', 'fixtures', `kinds-${k}.csv`));
      await client.open(uri, text);
      await client.diagnosticsFor(uri, 1);
      const cli = parseCsvText(text, `kinds-${k}.csv`);
      const profile = await client.conn.sendRequest(ColumnProfilesRequest.type, { uri });
      assert.ok(profile);
      const expected = cli.columns.map((c) => c.type);
      assert.deepEqual(profile.columns.map((c) => c.type), expected, `live profile kinds of\n${text}`);
      for (let c = 0; c < cli.columns.length; c++) {
        const header = text.split(/\r?\n/)[0];
        const character = header.indexOf(`c${c}`) + 1;
        const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character } });
        assert.equal(hoverKind(h), expected[c], `hover kind of c${c} in\n${text}`);
        kindsSeen.add(expected[c]);
        compared++;
      }
      await client.close(uri);
    }
    assert.ok(compared > 300, `${compared} columns compared`);
    for (const kind of ['numeric', 'categorical', 'text', 'datetime']) assert.ok(kindsSeen.has(kind), `the files hold ${kind} columns`);
  });

  it('the 13-row temp column with one "warm" is numeric with one type-mismatch diagnostic, as the CLI reports one problem', async () => {
    const file = path.join(repoRoot(), 'test', 'fixtures', 'kinds', 'temp-typo.csv');
    const text = readFileSync(file, 'utf8');
    const uri = fileUri(file);
    await client.open(uri, text);
    const ds: Diagnostic[] = await client.diagnosticsFor(uri, 1);
    const mismatches = ds.filter((d) => d.code === 'type-mismatch');
    assert.equal(mismatches.length, 1, JSON.stringify(ds));
    assert.deepEqual(mismatches[0].range, { start: { line: 4, character: 2 }, end: { line: 4, character: 6 } });
    assert.match(mismatches[0].message, /"warm" is not a number in numeric column "temp" \(12 of 13 values are numbers\)/);
    const cli = parseCsvText(text, file);
    assert.equal(cli.columns[1].type, 'numeric');
    assert.deepEqual(
      cli.problems.map((p) => [p.line, p.column, p.code]),
      [[5, 3, 'type-mismatch']],
    );
    await client.close(uri);
  });

  it('a text column gets no numeric diagnostic; its hover shows length and vocabulary statistics, as the profile counts them', async () => {
    const file = path.join(repoRoot(), 'test', 'fixtures', 'kinds', 'reviews-a.csv');
    const text = readFileSync(file, 'utf8');
    const uri = fileUri(file);
    await client.open(uri, text);
    const ds: Diagnostic[] = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(ds.filter((d) => d.code === 'type-mismatch' || d.code === 'outlier'), []);
    const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 5 } });
    const md = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
    const p = profileTable(parseCsvText(text, file)).columns.find((c) => c.name === 'review');
    assert.ok(p?.type === 'text');
    assert.match(md, /\*\*review\*\* · text · 12 rows/);
    assert.ok(md.includes(`${p.tokens} tokens · vocabulary ${p.vocabulary}`), md);
    assert.ok(md.includes(`max ${p.length.max}`), md);
    assert.ok(md.includes('non-ASCII 8.3% of cells'), md);
    assert.ok(md.includes(`\`${p.topTokens[0].token}\``), md);
    await client.close(uri);
  });

  it('a date column: unreadable cells are type-mismatch diagnostics, mixed formats one diagnostic on the header, the hover shows range and granularity', async () => {
    const rows = ['id,when,mixed'];
    for (let i = 1; i <= 20; i++) rows.push(`${i},2012-01-${String(i).padStart(2, '0')},${i % 2 ? `2012-02-${String(i).padStart(2, '0')}` : `02/${String(i).padStart(2, '0')}/2012`}`);
    rows[8] = '8,soon,2012-02-08';
    const text = rows.join('\n') + '\n';
    const uri = fileUri(path.join(repoRoot(), 'test', 'fixtures', 'kinds-dates.csv'));
    await client.open(uri, text);
    const ds: Diagnostic[] = await client.diagnosticsFor(uri, 1);
    const mismatch = ds.filter((d) => d.code === 'type-mismatch');
    assert.equal(mismatch.length, 1, JSON.stringify(ds));
    assert.deepEqual(mismatch[0].range.start, { line: 8, character: 2 });
    assert.equal(mismatch[0].message, '"soon" is not a date in date column "when" (format %Y-%m-%d, like "2012-01-01"; 19 of 20 values are dates)');
    const mixed = ds.filter((d) => d.code === 'mixed-date-formats');
    assert.equal(mixed.length, 1);
    assert.deepEqual(mixed[0].range.start, { line: 0, character: 8 });
    assert.match(mixed[0].message, /column "mixed" mixes date formats: 11 like "2012-02-01" \(%Y-%m-%d\), 9 like "02\/02\/2012" \(%m\/%d\/%Y\)/);
    // The CLI reads the same: one located problem, one mixed-formats problem on the header.
    const cli = parseCsvText(text, 'kinds-dates.csv');
    assert.deepEqual(cli.problems.map((p) => [p.line, p.column, p.code]), [[1, 9, 'mixed-date-formats'], [9, 3, 'type-mismatch']]);
    const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 4 } });
    const md = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
    assert.match(md, /\*\*when\*\* · datetime · 20 rows/);
    assert.ok(md.includes('format `%Y-%m-%d` · 2012-01-01 to 2012-01-20 (19 days)'), md);
    assert.ok(md.includes('granularity 1 day · 1 gap(s), 1 missing step(s); largest after 2012-01-07 (1 missing)'), md);
    await client.close(uri);
  });
});
