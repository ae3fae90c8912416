// The real server over stdio on very wide files: 100,000 columns must be checked in time linear
// in the text. Locating each header cell by re-reading the header from its start (and each cell
// of a row from the row's start) made such files hang; these tests would then time out.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { HoverRequest, type Hover, type MarkupContent } from 'vscode-languageserver-protocol';
import { wideCsv } from '../core/wideCsv';
import { TestClient, brief } from './lspClient';

const WIDE = 100_000;

describe('language server: 100,000 columns', () => {
  let client: TestClient;
  before(async () => {
    ({ client } = await TestClient.start());
  });
  after(async () => {
    await client.stop();
  });

  it('puts header and cell diagnostics on the right characters, answers hovers, and follows an edit', { timeout: 120_000 }, async () => {
    const wide = wideCsv(WIDE, 30);
    const uri = 'file:///tmp/wide-100k.csv';
    await client.open(uri, wide.text);
    const ds = await client.diagnosticsFor(uri, 1, 100_000);
    const at = (code: string) => ds.filter((d) => d.code === code).map(brief);
    const e = wide.headerOffsets[wide.emptyColumn];
    assert.deepEqual(at('empty-header'), [`empty-header 0:${e}-0:${e}`]);
    const d = wide.headerOffsets[wide.duplicateColumn];
    const dupLength = wide.headerCells[wide.duplicateColumn].length;
    assert.deepEqual(at('duplicate-header'), [`duplicate-header 0:${d}-0:${d + dupLength}`]);
    const first = wide.headerOffsets[wide.duplicateOf];
    assert.deepEqual(ds.find((x) => x.code === 'duplicate-header')?.relatedInformation?.[0].location.range, {
      start: { line: 0, character: first },
      end: { line: 0, character: first + dupLength },
    });
    assert.deepEqual(at('type-mismatch'), [`type-mismatch ${wide.badLine}:${wide.badOffset}-${wide.badLine}:${wide.badOffset + 4}`]);

    // Hovers on the last header cells find their columns.
    for (const c of [wide.badColumn, wide.labelColumn - 1, wide.labelColumn]) {
      const start = wide.headerOffsets[c];
      const name = wide.names[c];
      const hover = (await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: start + 1 } })) as Hover | null;
      assert.ok(hover, `hover on column ${c}`);
      const value = (hover.contents as MarkupContent).value;
      assert.ok(value.startsWith(`**${name}** · ${c === wide.labelColumn ? 'categorical' : 'numeric'} · 30 rows`), value);
      assert.deepEqual(hover.range, { start: { line: 0, character: start }, end: { line: 0, character: start + name.length } });
    }

    // Fixing the bad cell clears its diagnostic.
    const range = { start: { line: wide.badLine, character: wide.badOffset }, end: { line: wide.badLine, character: wide.badOffset + 4 } };
    await client.change(uri, 2, [{ range, text: '5' }]);
    const fixed = await client.diagnosticsFor(uri, 2, 60_000);
    assert.deepEqual(fixed.filter((x) => x.code === 'type-mismatch'), []);
    assert.equal(fixed.filter((x) => x.code === 'empty-header').length, 1);
  });

  it('caps 200,000 header findings (every name the same, every column constant) at maxProblems', { timeout: 120_000 }, async () => {
    const uri = 'file:///tmp/wide-same.csv';
    const row = Array(WIDE).fill('1').join(',');
    const name = 'repeated_x';
    await client.open(uri, `${Array(WIDE).fill(name).join(',')}\n${row}\n${row}\n`);
    const ds = await client.diagnosticsFor(uri, 1, 100_000);
    assert.equal(ds.length, 1001);
    const dups = ds.filter((x) => x.code === 'duplicate-header');
    assert.equal(dups.length, 1000);
    // Column k (0-based) starts at character 11k; each links to the first one.
    assert.equal(brief(dups[999]), 'duplicate-header 0:11000-0:11010');
    assert.deepEqual(dups[999].relatedInformation?.[0].location.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } });
    const summary = ds.at(-1)!;
    assert.equal(summary.code, 'too-many-problems');
    // 99,999 duplicate names, 100,000 constant columns and one duplicate row.
    assert.match(summary.message, /^200000 problems in this file; showing the first 1000 /);
  });
});
