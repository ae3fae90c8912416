// Incremental checking: after each edit the diagnostics must equal those of a fresh open of
// the same text, and one-line edits must be handled without a full re-scan.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { HoverRequest, IPCMessageReader, IPCMessageWriter, InitializeRequest, createProtocolConnection, type Diagnostic, type Position } from 'vscode-languageserver-protocol/node';
import { SERVER_JS, TestClient } from './lspClient';
import { seededRandom } from '../helpers';

const rng = seededRandom;

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

function sampleCsv(rows: number): string {
  const out = ['id,value,city,score'];
  const cities = ['Oslo', 'Rome', 'Lima', 'Pune'];
  for (let i = 0; i < rows; i++) out.push(`${i},${(i * 37) % 101}.5,${cities[i % 4]},${i % 9 === 0 ? 'n/a' : (i % 13) + 0.25}`);
  out[50] = '50,1000000,Oslo,1'; // an outlier
  out[70] = out[60]; // a duplicate row
  return out.join('\n') + '\n';
}

/** Diagnostics in a form that does not depend on the document's URI. */
function normalise(ds: Diagnostic[]): string[] {
  return ds.map((d) => JSON.stringify([d.code, d.range, d.message, d.severity, d.relatedInformation?.map((r) => [r.location.range, r.message]) ?? null])).sort();
}

describe('language server: incremental checking', () => {
  let client: TestClient;
  before(async () => {
    ({ client } = await TestClient.start());
  });
  after(async () => {
    await client.stop();
  });

  it('gives the same diagnostics as a fresh open after each of 60 random edits', async () => {
    const random = rng(12345);
    const uri = 'file:///tmp/incremental.csv';
    let text = sampleCsv(400);
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1);
    const alphabet = ['a', '1', '2', '.', ',', ',', '"', '\n', ' ', 'n/a', '\r\n', '9999999'];
    for (let v = 2; v <= 61; v++) {
      const start = Math.floor(random() * text.length);
      const kind = random();
      const end = kind < 0.4 ? start : Math.min(text.length, start + Math.floor(random() * 12));
      let inserted = '';
      if (kind > 0.3) for (let k = Math.floor(random() * 4); k >= 0; k--) inserted += alphabet[Math.floor(random() * alphabet.length)];
      const range = { start: positionAt(text, start), end: positionAt(text, end) };
      text = text.slice(0, start) + inserted + text.slice(end);
      await client.change(uri, v, [{ range, text: inserted }]);
      const edited = await client.diagnosticsFor(uri, v);
      const freshUri = `file:///tmp/fresh-${v}.csv`;
      await client.open(freshUri, text);
      const fresh = await client.diagnosticsFor(freshUri, 1);
      await client.close(freshUri);
      assert.deepEqual(normalise(edited), normalise(fresh), `after edit ${v}: ${JSON.stringify({ start, end, inserted })}`);
    }
    // Most edits went through the incremental path (quotes and header edits may force full scans).
    const incremental = client.checked.filter((c) => c.uri === uri && c.version >= 2 && c.incremental).length;
    assert.ok(incremental >= 30, `only ${incremental} of 60 edits were incremental`);
  });

  it('re-scans only the edited record for a one-line edit', async () => {
    const uri = 'file:///tmp/one-line.csv';
    const text = sampleCsv(2000);
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1);
    // Turn the value of row 100 (line 101) into "1,234.5": a quoted thousands-separated number.
    const line = 101;
    const cells = text.split('\n')[line].split(',');
    const from = cells[0].length + 1;
    await client.change(uri, 2, [{ range: { start: { line, character: from }, end: { line, character: from + cells[1].length } }, text: '"1,234.5"' }]);
    const ds = await client.diagnosticsFor(uri, 2);
    const check = await client.nextChecked((c) => c.uri === uri && c.version === 2);
    assert.equal(check.incremental, true);
    const tm = ds.filter((d) => d.code === 'type-mismatch');
    assert.deepEqual(tm.map((d) => d.range), [{ start: { line, character: from }, end: { line, character: from + 9 } }]);
  });

  it('keeps answering requests while a large file is scanned, and drops a scan made stale by an edit', async () => {
    const small = 'file:///tmp/responsive-small.csv';
    await client.open(small, 'x,y\n1,2\n3,4\n');
    await client.diagnosticsFor(small, 1);
    const big = 'file:///tmp/responsive-big.csv';
    const text = sampleCsv(300_000);
    let bigChecked = false;
    const bigFinal = client.diagnosticsFor(big, 2, 60_000);
    const firstCheck = client.nextChecked((c) => c.uri === big).then(() => (bigChecked = true));
    await client.open(big, text);
    // A hover on the small file and an edit of the large one, sent together while the large
    // file's first scan runs (no round trip in between, so the scan cannot finish first on a
    // fast machine): the hover is answered between the scan's slices, before any check of the
    // large file is published, and the scan of version 1, made stale by the edit, is dropped.
    const hover = client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: small }, position: { line: 0, character: 0 } });
    const edit = client.change(big, 2, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    assert.ok(await hover, 'hover answered');
    assert.equal(bigChecked, false, 'the hover came back before the large file was checked');
    await edit;
    await bigFinal;
    await firstCheck;
    assert.deepEqual(client.checked.filter((c) => c.uri === big).map((c) => c.version), [2], 'only version 2 is checked and published');
  });

  it('reports work-done progress while a large file is checked, and none for a small one', async () => {
    const { client: withProgress } = await TestClient.start({ workDoneProgress: true });
    try {
      const small = 'file:///tmp/progress-small.csv';
      await withProgress.open(small, sampleCsv(100));
      await withProgress.diagnosticsFor(small, 1);
      assert.equal(withProgress.progressTokens.length, 0, 'no progress for a small file');
      const big = 'file:///tmp/progress-big.csv';
      const text = sampleCsv(450_000);
      assert.ok(text.length >= 8 * 1024 * 1024, `${text.length} characters`);
      await withProgress.open(big, text);
      await withProgress.diagnosticsFor(big, 1, 60_000);
      // The end follows the publication: wait for it.
      const deadline = Date.now() + 10_000;
      while (!withProgress.progress.some((p) => p.value.kind === 'end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(withProgress.progressTokens.length, 1);
      const values = withProgress.progress.filter((p) => p.token === withProgress.progressTokens[0]).map((p) => p.value);
      assert.equal(values[0].kind, 'begin');
      assert.match((values[0] as { title: string }).title, /progress-big\.csv/);
      assert.equal(values.at(-1)!.kind, 'end');
      const percentages = values.filter((v) => v.kind === 'report').map((v) => (v as { percentage?: number }).percentage ?? 0);
      assert.ok(percentages.length >= 1, 'at least one report');
      for (let i = 1; i < percentages.length; i++) assert.ok(percentages[i] >= percentages[i - 1], `percentages rise: ${percentages.join(',')}`);
    } finally {
      await withProgress.stop();
    }
  });

  it('falls back to a full scan when the header changes', async () => {
    const uri = 'file:///tmp/header-edit.csv';
    await client.open(uri, 'a,b\n1,2\n3,4\n');
    await client.diagnosticsFor(uri, 1);
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 3 } , end: { line: 0, character: 3 } }, text: ',c' }]);
    const ds = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(ds.map((d) => [d.code, d.message]).filter(([c]) => c === 'ragged-row'), [
      ['ragged-row', 'expected 3 fields, found 2'],
      ['ragged-row', 'expected 3 fields, found 2'],
    ]);
    const check = await client.nextChecked((c) => c.uri === uri && c.version === 2);
    assert.equal(check.incremental, false);
  });
});

describe('language server: IPC transport', () => {
  it('initializes over --node-ipc', async () => {
    const child = spawn(process.execPath, [SERVER_JS, '--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    conn.listen();
    try {
      const init = await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
      assert.equal(init.serverInfo?.name, 'dataset-lab-server');
      assert.equal(init.capabilities.hoverProvider, true);
    } finally {
      conn.dispose();
      const gone = new Promise((r) => child.once('exit', r));
      child.kill();
      await gone;
    }
  });
});
