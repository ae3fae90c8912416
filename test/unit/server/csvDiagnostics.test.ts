// The real server over stdio: CSV fixtures with known defects, diagnostics at exact cells.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, DidChangeWatchedFilesNotification, FileChangeType, type CodeAction, type Command, type Diagnostic, type DidChangeWatchedFilesRegistrationOptions } from 'vscode-languageserver-protocol';
import { DiskFilesNotification } from '../../../src/protocol/lsp';
import { computeColumnStats } from '../../../src/server/columnStats';
import { CsvModel } from '../../../src/server/csvModel';
import { DEFAULT_SETTINGS } from '../../../src/server/settings';
import { tempDir } from '../helpers';
import { FIXTURES, TestClient, applyEdits, brief, fileUri, repoRoot } from './lspClient';

interface ColumnReference {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  median: number;
  mad: number;
  outliers: { row: number; value: number; z: number }[];
}
/** pandas / scipy values made by test/reference/server/robust_z.py. */
const reference = JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'reference', 'server', 'robust-z.json'), 'utf8')) as Record<string, Record<string, ColumnReference>>;
const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

const fixture = (name: string) => {
  const file = path.join(FIXTURES, name);
  return { uri: fileUri(file), text: readFileSync(file, 'utf8') };
};
const codes = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code).map(brief);

describe('language server: CSV diagnostics over stdio', () => {
  let client: TestClient;
  before(async () => {
    ({ client } = await TestClient.start());
  });
  after(async () => {
    await client.stop();
  });

  it('announces its capabilities', async () => {
    const { client: c, init } = await TestClient.start();
    try {
      assert.equal(init.capabilities.hoverProvider, true);
      assert.deepEqual(init.capabilities.codeActionProvider, { codeActionKinds: ['quickfix'] });
      assert.deepEqual(init.capabilities.textDocumentSync, { openClose: true, change: 2 });
    } finally {
      await c.stop();
    }
  });

  it('reports ragged rows on the missing row or on the extra fields', async () => {
    const f = fixture('ragged.csv');
    await client.open(f.uri, f.text);
    const ds = await client.diagnosticsFor(f.uri, 1);
    assert.deepEqual(codes(ds, 'ragged-row'), ['ragged-row 2:0-2:3', 'ragged-row 3:6-3:7']);
    const [short, long] = ds.filter((d) => d.code === 'ragged-row');
    assert.equal(short.message, 'expected 3 fields, found 2');
    assert.equal(long.message, 'expected 3 fields, found 4');
    assert.equal(short.severity, 1);
    assert.equal(short.source, 'dataset-lab');
    // The quoted "x,1" is one field: no problem on line 4.
    assert.equal(ds.filter((d) => d.range.start.line === 4).length, 0);
  });

  it('reports empty and duplicate header names and a quote that never closes', async () => {
    const f = fixture('header-and-quotes.csv');
    await client.open(f.uri, f.text);
    const ds = await client.diagnosticsFor(f.uri, 1);
    assert.deepEqual(codes(ds, 'empty-header'), ['empty-header 0:5-0:5']);
    assert.deepEqual(codes(ds, 'duplicate-header'), ['duplicate-header 0:6-0:10']);
    const dup = ds.find((d) => d.code === 'duplicate-header')!;
    assert.deepEqual(dup.relatedInformation?.[0].location.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } });
    assert.deepEqual(codes(ds, 'unterminated-quote'), ['unterminated-quote 2:9-2:22']);
    // The stray quote is cut at its line: the next row parses normally.
    assert.equal(ds.filter((d) => d.range.start.line === 3).length, 0);
  });

  it('reports cells that break a numeric column and missing-value spellings', async () => {
    const f = fixture('types.csv');
    await client.open(f.uri, f.text);
    const ds = await client.diagnosticsFor(f.uri, 1);
    assert.deepEqual(codes(ds, 'type-mismatch'), ['type-mismatch 5:2-5:11']);
    const tm = ds.find((d) => d.code === 'type-mismatch')!;
    assert.match(tm.message, /^"1,234\.5" is not a number in numeric column "price" \(28 of 29 values are numbers\); remove the thousands separator$/);
    assert.deepEqual(codes(ds, 'missing-spelling'), ['missing-spelling 9:2-9:5']);
    assert.deepEqual(ds.find((d) => d.code === 'missing-spelling')!.data, { column: 'price', value: 'n/a' });
  });

  it('quick-fixes numbers written with a thousands separator or a decimal comma, one cell or the whole column', async () => {
    const rows = ['id,price,qty'];
    for (let i = 0; i < 120; i++) rows.push(`${i},${(i * 1.25).toFixed(2)},${i % 7}`);
    rows[3] = '2,"1,234.5",4';
    rows[9] = '8,"12,345",1';
    rows[20] = '19,"2,000",2'; // also reads as 2.000 with a decimal comma
    rows[30] = '29,"3,5",3';
    let text = rows.join('\n') + '\n';
    const uri = 'file:///tmp/number-repairs.csv';
    await client.open(uri, text);
    const ds = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(codes(ds, 'type-mismatch'), ['type-mismatch 3:2-3:11', 'type-mismatch 9:2-9:10', 'type-mismatch 20:3-20:10', 'type-mismatch 30:3-30:8']);
    const actionsFor = async (d: Diagnostic) => (await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) ?? [];
    const edit = (a: CodeAction | Command | undefined) => (a && 'edit' in a ? a.edit!.changes![uri] : []);

    const thousands = ds.find((d) => d.range.start.line === 3)!;
    const actions = await actionsFor(thousands);
    const one = actions.find((a) => a.title === 'Write 1234.5 (without the thousands separator)') as CodeAction | undefined;
    assert.ok(one, actions.map((a) => a.title).join(' | '));
    assert.equal(one.isPreferred, true);
    assert.deepEqual(edit(one), [{ range: thousands.range, newText: '1234.5' }]);
    const all = actions.find((a) => a.title === 'Write all 3 values like "1,234.5" in "price" without the thousands separator');
    assert.ok(all, actions.map((a) => a.title).join(' | '));
    assert.deepEqual(
      edit(all).map((e) => e.newText),
      ['1234.5', '12345', '2000'],
    );
    // "2,000" reads both ways: both fixes, neither preferred.
    const ambiguous = await actionsFor(ds.find((d) => d.range.start.line === 20)!);
    const titles = ambiguous.map((a) => a.title);
    assert.ok(titles.includes('Write 2000 (without the thousands separator)') && titles.includes('Write 2.000 (with "." as the decimal mark)'), titles.join(' | '));
    assert.ok(ambiguous.every((a) => !(a as CodeAction).isPreferred));

    // Applying "write all" leaves only the decimal comma, which has its own fix.
    text = applyEdits(text, edit(all));
    await client.change(uri, 2, [{ text }]);
    const after2 = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(codes(after2, 'type-mismatch'), ['type-mismatch 30:3-30:8']);
    const comma = await actionsFor(after2.find((d) => d.code === 'type-mismatch')!);
    const fix = comma.find((a) => a.title === 'Write 3.5 (with "." as the decimal mark)');
    assert.ok(fix, comma.map((a) => a.title).join(' | '));
    text = applyEdits(text, edit(fix));
    await client.change(uri, 3, [{ text }]);
    assert.deepEqual(codes(await client.diagnosticsFor(uri, 3), 'type-mismatch'), []);
    assert.equal(text.split('\n')[30], '29,3.5,3');
  });

  it('quick-fixes duplicate rows: delete one, or all of them keeping each first occurrence', async () => {
    let text = 'a,b\r\n1,x\r\n2,y\r\n1,x\r\n3,z\r\n2,y\r\n1,x\r\n';
    const uri = 'file:///tmp/duplicate-fixes.csv';
    await client.open(uri, text);
    const ds = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(codes(ds, 'duplicate-row'), ['duplicate-row 3:0-3:3', 'duplicate-row 5:0-5:3', 'duplicate-row 6:0-6:3']);
    const d = ds.find((x) => x.code === 'duplicate-row' && x.range.start.line === 5)!;
    const actions = (await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) ?? [];
    const titles = actions.map((a) => a.title);
    const one = actions.find((a) => a.title === 'Delete this duplicate row (same as line 3)') as CodeAction | undefined;
    const all = actions.find((a) => a.title === 'Delete all 3 duplicate rows (keep each first occurrence)') as CodeAction | undefined;
    assert.ok(one && all, titles.join(' | '));
    // Line 5 with its CRLF.
    assert.deepEqual(one.edit!.changes![uri], [{ range: { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } }, newText: '' }]);
    text = applyEdits(text, all.edit!.changes![uri]);
    assert.equal(text, 'a,b\r\n1,x\r\n2,y\r\n3,z\r\n');
    await client.change(uri, 2, [{ text }]);
    assert.deepEqual(codes(await client.diagnosticsFor(uri, 2), 'duplicate-row'), []);
  });

  it('quick-fixes a short row with empty fields, and missing-value spellings with the missing token', async () => {
    const rows = ['id,score,city'];
    for (let i = 0; i < 30; i++) rows.push(`${i},${i % 9},c${i % 3}`);
    rows[4] = '3,n/a,c0';
    rows[8] = '7,n/a,c1';
    rows[12] = '11,2';
    let text = rows.join('\n') + '\n';
    const uri = 'file:///tmp/short-and-spelled.csv';
    await client.open(uri, text);
    const ds = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(codes(ds, 'ragged-row'), ['ragged-row 12:0-12:4']);
    assert.deepEqual(codes(ds, 'missing-spelling'), ['missing-spelling 4:2-4:5', 'missing-spelling 8:2-8:5']);
    const actionsFor = async (d: Diagnostic) => ((await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) ?? []) as CodeAction[];
    const lines = () => text.split('\n');

    const short = await actionsFor(ds.find((d) => d.code === 'ragged-row')!);
    const pad = short.find((a) => a.title === 'Add 1 empty field to complete the row (missing values)');
    assert.ok(pad, short.map((a) => a.title).join(' | '));
    text = applyEdits(text, pad.edit!.changes![uri]);
    assert.equal(lines()[12], '11,2,');

    const spelled = await actionsFor(ds.find((d) => d.code === 'missing-spelling')!);
    const titles = spelled.map((a) => a.title);
    assert.ok(titles.includes('Replace "n/a" with an empty cell (a missing value)'), titles.join(' | '));
    const all = spelled.find((a) => a.title === 'Replace all 2 "n/a" in "score" with an empty cell');
    assert.ok(all, titles.join(' | '));
    text = applyEdits(text, all.edit!.changes![uri]);
    assert.equal(lines()[4], '3,,c0');
    await client.change(uri, 2, [{ text }]);
    const after2 = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(codes(after2, 'ragged-row'), []);
    assert.deepEqual(codes(after2, 'missing-spelling'), []);
  });

  it('checks from disk the files the client shows but cannot synchronise, re-reads and clears them', async () => {
    const dir = tempDir();
    try {
      const file = path.join(dir.path, 'huge.csv');
      writeFileSync(file, 'a,b\n1,2\n3\n5,6\n');
      const uri = fileUri(file);
      await client.conn.sendNotification(DiskFilesNotification.type, { uris: [uri] });
      const first = await client.diagnostics(uri, (p) => p.diagnostics.length > 0);
      assert.deepEqual(codes(first, 'ragged-row'), ['ragged-row 2:0-2:1']);
      assert.equal(client.published.get(uri)!.version, undefined, 'no version: the client has no document');
      // Changed on disk: re-read when the watcher says so.
      writeFileSync(file, 'a,b\n1,2\n3,4\n5,6,7\n');
      await client.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri, type: FileChangeType.Changed }] });
      const second = await client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.range.start.line === 3));
      assert.deepEqual(codes(second, 'ragged-row'), ['ragged-row 3:4-3:5']);
      // Closed in the editor: its diagnostics go.
      await client.conn.sendNotification(DiskFilesNotification.type, { uris: [] });
      await client.diagnostics(uri, (p) => p.diagnostics.length === 0);
    } finally {
      dir.cleanup();
    }
  });

  it('asks the client to watch CSV/TSV files whatever the letter case of their extension', async () => {
    const uri = 'file:///tmp/watched.csv';
    await client.open(uri, 'a\n1\n');
    // Published after initialisation, which registers the watchers first.
    await client.diagnosticsFor(uri, 1);
    const globs = client.registrations
      .filter((r) => r.method === DidChangeWatchedFilesNotification.method)
      .flatMap((r) => (r.registerOptions as DidChangeWatchedFilesRegistrationOptions).watchers.map((w) => w.globPattern))
      .filter((g): g is string => typeof g === 'string');
    for (const name of ['data/a.csv', 'data/B.CSV', 'c.TSV', 'd/e.tab', 'F.TAB']) assert.ok(globs.some((g) => path.matchesGlob(name, g)), `${name} is not watched by ${globs.join(' ')}`);
  });

  it('reports column quality, duplicate rows with their first occurrence, outliers and imbalance', async () => {
    const f = fixture('quality.csv');
    await client.open(f.uri, f.text);
    const ds = await client.diagnosticsFor(f.uri, 1);
    // header: id,value,const,empty,sparse,label
    // "sparse" holds one value (7) where it is not missing: constant too.
    assert.deepEqual(codes(ds, 'constant-column'), ['constant-column 0:9-0:14', 'constant-column 0:21-0:27']);
    assert.deepEqual(codes(ds, 'empty-column'), ['empty-column 0:15-0:20']);
    assert.deepEqual(codes(ds, 'high-missing'), ['high-missing 0:21-0:27']);
    assert.match(ds.find((d) => d.code === 'high-missing')!.message, /87\.5% missing \(21 of 24 rows/);
    assert.deepEqual(codes(ds, 'class-imbalance'), ['class-imbalance 0:28-0:33']);
    assert.match(ds.find((d) => d.code === 'class-imbalance')!.message, /"common" has 23 rows, "rare" has 1 \(ratio 23\.0, threshold 10\)/);
    assert.deepEqual(codes(ds, 'duplicate-row'), ['duplicate-row 23:0-23:19', 'duplicate-row 24:0-24:19']);
    const dup = ds.find((d) => d.code === 'duplicate-row')!;
    assert.equal(dup.message, 'duplicate row: same as line 6');
    assert.deepEqual(dup.relatedInformation?.[0].location, { uri: f.uri, range: { start: { line: 5, character: 0 }, end: { line: 5, character: 19 } } });
    assert.deepEqual(codes(ds, 'outlier'), ['outlier 11:4-11:7']);
    // median 11, MAD 1: z = 0.6745 * 89 / 1 (see test/reference/server-robust-z.json)
    assert.match(ds.find((d) => d.code === 'outlier')!.message, /robust z = 60\.03 \(median 11, MAD 1; threshold 3\.5\)/);
  });

  for (const [file, column] of [['quality.csv', 'value'], ['types.csv', 'price']] as const) {
    it(`matches pandas/scipy for ${file} "${column}": profile numbers, outlier rows and robust z`, async () => {
      const f = fixture(file);
      await client.open(f.uri, f.text);
      const ds = await client.diagnosticsFor(f.uri, 1);
      const ref = reference[file][column];
      // The statistics the outlier check uses, from the server's own model of the text.
      // (datasetLab/columnProfiles answers with the CLI's profile instead, whose column types
      // count missing-value spellings as text: types.csv's "price" is categorical there.)
      const model = new CsvModel({ delimiter: ',', missingTokens: DEFAULT_SETTINGS.missingTokens });
      model.begin(f.text);
      model.step(Infinity);
      const index = model.cols.findIndex((c) => c.name === column);
      const stats = index < 0 ? undefined : computeColumnStats(model, index, DEFAULT_SETTINGS.diagnostics.numericTolerance);
      const p = stats && { ...stats, count: stats.numbers };
      assert.ok(p);
      assert.equal(p.type, 'numeric');
      assert.equal(p.count, ref.count);
      for (const k of ['mean', 'std', 'min', 'max', 'median', 'mad'] as const) close(p[k], ref[k], `${file} ${column} ${k}`);
      const outliers = ds.filter((d) => d.code === 'outlier');
      // Data row r is on line r + 1 (the header is line 0).
      assert.deepEqual(outliers.map((d) => d.range.start.line), ref.outliers.map((o) => o.row + 1));
      outliers.forEach((d, i) => {
        const z = Number(/robust z = (-?[\d.]+)/.exec(d.message)?.[1]);
        assert.ok(Math.abs(z - ref.outliers[i].z) <= 0.005, `z ${z} vs ${ref.outliers[i].z}`);
      });
    });
  }

  it('caps the list at maxProblems and adds one summary', async () => {
    const { client: c } = await TestClient.start({ initializationOptions: { diagnostics: { maxProblems: 5 } } });
    try {
      const rows = ['a,b'];
      for (let i = 0; i < 50; i++) rows.push(i % 2 ? `${i}` : `${i},${i}`);
      const uri = 'file:///tmp/ragged-many.csv';
      await c.open(uri, rows.join('\n'));
      const ds = await c.diagnosticsFor(uri, 1);
      assert.equal(ds.length, 6);
      assert.deepEqual(ds.slice(0, 5).map((d) => d.range.start.line), [2, 4, 6, 8, 10]);
      assert.equal(ds[5].code, 'too-many-problems');
      assert.match(ds[5].message, /^25 problems in this file; showing the first 5/);
    } finally {
      await c.stop();
    }
  });

  it('applies severities from the configuration and turns codes off', async () => {
    const { client: c } = await TestClient.start({ configuration: { diagnostics: { severity: { 'ragged-row': 'hint', 'duplicate-header': 'off' } } } });
    try {
      const f = fixture('ragged.csv');
      await c.open(f.uri, f.text);
      const ds = await c.diagnosticsFor(f.uri, 1);
      assert.deepEqual(ds.filter((d) => d.code === 'ragged-row').map((d) => d.severity), [4, 4]);
      const h = fixture('header-and-quotes.csv');
      await c.open(h.uri, h.text);
      const hs = await c.diagnosticsFor(h.uri, 1);
      assert.equal(hs.filter((d) => d.code === 'duplicate-header').length, 0);
      assert.equal(hs.filter((d) => d.code === 'empty-header').length, 1);
    } finally {
      await c.stop();
    }
  });

  it('uses tab for TSV documents (by language or by .tsv/.tab name) and the missing tokens from settings', async () => {
    const { client: c } = await TestClient.start({ initializationOptions: { missingTokens: ['', 'n/a'] } });
    try {
      // Every line holds one comma and one tab: sniffed, the comma wins and nothing is wrong. Read
      // with tabs, "population" is numeric, "abc" on line 7 breaks it and "n/a" on line 9 is missing.
      const rows = ['city, state\tpopulation'];
      for (let i = 1; i <= 30; i++) rows.push(`Town${i}, S${i % 5}\t${1000 + i * 37}`);
      rows[7] = 'Portland, OR\tabc';
      rows[9] = 'Boston, MA\tn/a';
      const text = rows.join('\r\n') + '\r\n';
      for (const [uri, languageId] of [
        ['file:///tmp/t.tsv', 'tsv'],
        ['file:///tmp/t.txt', 'tsv'],
        ['file:///tmp/t.tab', 'csv'],
        ['file:///tmp/T.TSV', 'csv'],
      ] as const) {
        await c.open(uri, text, languageId);
        const ds = await c.diagnosticsFor(uri, 1);
        assert.deepEqual(ds.map(brief), ['type-mismatch 7:13-7:16'], `${uri} (${languageId})`);
      }
      // The same text as CSV is read with the sniffed comma: two text columns, nothing to report.
      await c.open('file:///tmp/t.csv', text, 'csv');
      assert.deepEqual((await c.diagnosticsFor('file:///tmp/t.csv', 1)).map(brief), []);
    } finally {
      await c.stop();
    }
  });

  it('reports replacement characters as encoding problems', async () => {
    const uri = 'file:///tmp/enc.csv';
    await client.open(uri, 'a,b\n1,caf\uFFFD\n');
    const ds = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(codes(ds, 'encoding'), ['encoding 1:5-1:6']);
  });
});
