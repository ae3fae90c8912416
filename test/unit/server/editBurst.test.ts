// The real server over stdio under a burst of edits: 10,000 didChange notifications sent as fast
// as the client can write them. Checking and publishing once per edit kept the server busy for
// tens of seconds after the burst; it now checks once the edits pause (or, during a long burst,
// every so often), and always publishes the latest version.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { HoverRequest, type Diagnostic } from 'vscode-languageserver-protocol';
import { seededRandom } from '../helpers';
import { TestClient } from './lspClient';

const ROWS = 50_000;
const EDITS = 10_000;

function sampleCsv(): string {
  const out = ['id,value,city,score'];
  const cities = ['Oslo', 'Rome', 'Lima', 'Pune'];
  for (let i = 0; i < ROWS; i++) out.push(`${i},${(i * 37) % 101}.5,${cities[i % 4]},${(i % 13) + 0.25}`);
  return out.join('\n') + '\n';
}

/** The LSP position of an offset (CR and CRLF count as one break, as LSP says). */
function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/** Diagnostics in a form that does not depend on the document's URI. */
function normalise(ds: Diagnostic[]): string[] {
  return ds.map((d) => JSON.stringify([d.code, d.range, d.message, d.severity, d.relatedInformation?.map((r) => [r.location.range, r.message]) ?? null])).sort();
}

describe('language server: a burst of 10,000 edits', () => {
  let client: TestClient;
  before(async () => {
    ({ client } = await TestClient.start());
  });
  after(async () => {
    await client.stop();
  });

  it('ends on the same diagnostics as a fresh open after 2,000 rapid random edits with line breaks and quotes', { timeout: 60_000 }, async () => {
    const uri = 'file:///tmp/burst-random.csv';
    let text = sampleCsv().split('\n').slice(0, 401).join('\n') + '\n';
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1, 30_000);
    const random = seededRandom(2024);
    const alphabet = ['a', '1', '2', '.', ',', ',', '"', '\n', ' ', 'n/a', '\r\n', '9999999'];
    let version = 1;
    for (let k = 0; k < 2000; k++) {
      // Edits near one another, as typing and pasting make them: the model follows them in one update.
      const around = Math.floor(text.length / 3);
      // An offset between a CR and its LF has no LSP position: use the one before the CR.
      const valid = (o: number) => (o > 0 && text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? o - 1 : o);
      const start = valid(around + Math.floor(random() * 400));
      const end = random() < 0.4 ? start : valid(Math.min(text.length, start + Math.floor(random() * 6)));
      let inserted = '';
      if (random() > 0.3) for (let n = Math.floor(random() * 3); n >= 0; n--) inserted += alphabet[Math.floor(random() * alphabet.length)];
      const range = { start: positionAt(text, start), end: positionAt(text, end) };
      text = text.slice(0, start) + inserted + text.slice(end);
      await client.change(uri, ++version, [{ range, text: inserted }]);
    }
    const final = await client.diagnosticsFor(uri, version, 30_000);
    const freshUri = 'file:///tmp/burst-random-fresh.csv';
    await client.open(freshUri, text);
    assert.deepEqual(normalise(final), normalise(await client.diagnosticsFor(freshUri, 1, 30_000)));
  });

  it('publishes far fewer than once per edit, answers a request right after, and ends on the final text', { timeout: 120_000 }, async (t) => {
    const uri = 'file:///tmp/burst.csv';
    const text = sampleCsv();
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1, 30_000);
    const checksBefore = client.checked.filter((c) => c.uri === uri).length;

    // Each edit rewrites the value cell of another line; the last one writes text into it.
    const lines = text.split('\n');
    let version = 1;
    for (let k = 0; k < EDITS; k++) {
      const line = 1 + ((k * 7919) % ROWS);
      const cells = lines[line].split(',');
      const start = cells[0].length + 1;
      const value = k === EDITS - 1 ? 'oops' : String((k % 500) / 4);
      lines[line] = [cells[0], value, ...cells.slice(2)].join(',');
      await client.change(uri, ++version, [{ range: { start: { line, character: start }, end: { line, character: start + cells[1].length } }, text: value }]);
    }
    // A request right behind the burst is answered once the edits before it are applied (its
    // content may be null while the model is rebuilt from the final text).
    const sent = performance.now();
    await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 1 } });
    const answeredMs = performance.now() - sent;

    const final = await client.diagnosticsFor(uri, version, 60_000);
    // datasetLab/checked follows each publication: the last one is of the last version.
    await client.nextChecked((c) => c.uri === uri && c.version === version);
    const checks = client.checked.filter((c) => c.uri === uri).length - checksBefore;
    t.diagnostic(`${checks} publications for ${EDITS} edits; hover answered ${answeredMs.toFixed(0)} ms after the last edit was sent`);
    // Generous bounds: once per edit is 10,000 publications and tens of seconds.
    assert.ok(checks < EDITS / 20, `${checks} publications for ${EDITS} edits`);

    const finalText = lines.join('\n');
    const freshUri = 'file:///tmp/burst-fresh.csv';
    await client.open(freshUri, finalText);
    const fresh = await client.diagnosticsFor(freshUri, 1, 30_000);
    assert.deepEqual(normalise(final), normalise(fresh));
    assert.ok(final.some((d) => d.code === 'type-mismatch'), 'the final "oops" is reported');
    const hover = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 4 } });
    assert.match(JSON.stringify(hover?.contents), /\*\*value\*\* · numeric · 50000 rows/);
  });
});
