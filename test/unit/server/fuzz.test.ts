// Fuzz: thousands of mutated CSVs (random characters, cut quotes, huge fields, 10,000 columns,
// a single 1 MB line) sent to the real server, as whole documents and as ranged edits. The
// server must answer every version, never crash, and keep every range inside its document.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, type Diagnostic, type Range, type TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';
import { mulberry32 } from '../../../src/core/random';

const BUDGET_MS = 25_000;
const TARGET_CASES = 3000;

const rng = mulberry32;

const POOL = [',', ',', ',', '"', '"', '\n', '\n', '\r\n', '\r', ';', '\t', '|', 'a', 'b', '1', '2', '.', '-', 'e', ' ', 'NA', 'n/a', '\uFFFD', '\0', 'é', '😀', '\uD800', '1,234.5'];

function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function inside(r: Range, ls: string[]): boolean {
  const ok = (p: { line: number; character: number }) => p.line >= 0 && p.line < ls.length && p.character >= 0 && p.character <= ls[p.line].length;
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}

function offsetToPosition(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  return { line, character: offset - start };
}

function base(random: () => number): string {
  const rows = ['id,value,name,label'];
  const n = 5 + Math.floor(random() * 60);
  for (let i = 0; i < n; i++) rows.push(`${i},${(random() * 100).toFixed(2)},${random() < 0.2 ? '"q, ""x"""' : 'n' + (i % 5)},${random() < 0.9 ? 'a' : 'b'}`);
  return rows.join(random() < 0.3 ? '\r\n' : '\n') + (random() < 0.5 ? '\n' : '');
}

function mutate(text: string, random: () => number): string {
  const kind = Math.floor(random() * 8);
  const at = Math.floor(random() * (text.length + 1));
  switch (kind) {
    case 0: {
      let s = '';
      for (let k = Math.floor(random() * 20); k >= 0; k--) s += POOL[Math.floor(random() * POOL.length)];
      return text.slice(0, at) + s + text.slice(at);
    }
    case 1: {
      const q = text.indexOf('"', at);
      return q < 0 ? text + '"' : text.slice(0, q) + text.slice(q + 1);
    }
    case 2:
      return text.slice(0, at) + text.slice(Math.min(text.length, at + Math.floor(random() * 40)));
    case 3:
      return text.slice(0, at);
    case 4: {
      const ls = text.split('\n');
      const i = Math.floor(random() * ls.length);
      ls.splice(i, 0, ls[Math.floor(random() * ls.length)]);
      return ls.join('\n');
    }
    case 5:
      return text.slice(0, at) + 'x'.repeat(Math.floor(random() * 5000)) + text.slice(at);
    case 6: {
      let s = '';
      const len = Math.floor(random() * 200);
      for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(random() * 0x10000));
      return random() < 0.5 ? s : text.slice(0, at) + s + text.slice(at);
    }
    default:
      return text.slice(0, at) + '"' + text.slice(at);
  }
}

describe('language server: fuzz', () => {
  let client: TestClient;
  before(async () => {
    ({ client } = await TestClient.start({ initializationOptions: { diagnostics: { maxProblems: 200 } } }));
  });
  after(async () => {
    await client.stop();
  });

  const check = (uri: string, text: string, ds: Diagnostic[], label: string) => {
    const ls = lines(text);
    for (const d of ds) {
      if (!inside(d.range, ls) && process.env.FUZZ_DUMP) require('node:fs').writeFileSync(process.env.FUZZ_DUMP, text);
      assert.ok(inside(d.range, ls), `${label}: ${d.code} range ${JSON.stringify(d.range)} outside the document (${ls.length} lines)`);
      for (const r of d.relatedInformation ?? []) assert.ok(inside(r.location.range, ls), `${label}: related range outside`);
      assert.equal(typeof d.message, 'string');
    }
    void uri;
  };

  it('survives edge-case documents: 10,000 columns, a single 1 MB line, one huge quoted field', async () => {
    const wide = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',') + '\n' + Array.from({ length: 10_000 }, (_, i) => String(i)).join(',') + '\n1,2\n';
    const oneLine = 'a,b,' + 'z'.repeat(1 << 20);
    const hugeField = 'a,b\n1,"' + 'y,\n'.repeat(300_000) + '"\n2,3\n';
    const noNewline = 'x';
    const onlyQuotes = '"'.repeat(10_001);
    for (const [name, text] of Object.entries({ wide, oneLine, hugeField, noNewline, onlyQuotes, empty: '' })) {
      const uri = `file:///fuzz/edge-${name}.csv`;
      await client.open(uri, text);
      const ds = await client.diagnosticsFor(uri, 1, 20_000);
      check(uri, text, ds, name);
      await client.close(uri);
    }
    const wideDs = client.published.get('file:///fuzz/edge-wide.csv');
    assert.ok(wideDs);
    assert.ok(client.alive);
  });

  it(`answers ~${TARGET_CASES} mutated documents and edits within ${BUDGET_MS / 1000} s without crashing`, async () => {
    const random = rng(20261128);
    const started = Date.now();
    let cases = 0;
    let doc = 0;
    let fixes = 0;
    while (cases < TARGET_CASES && Date.now() - started < BUDGET_MS) {
      const uri = `file:///fuzz/doc-${doc++}.csv`;
      let text = base(random);
      await client.open(uri, text);
      check(uri, text, await client.diagnosticsFor(uri, 1), `open ${uri}`);
      cases++;
      for (let v = 2; v <= 20 && cases < TARGET_CASES; v++, cases++) {
        let change: TextDocumentContentChangeEvent;
        if (random() < 0.3) {
          text = mutate(text, random);
          change = { text };
        } else {
          // An LSP position cannot fall between the CR and LF of one line break.
          const snap = (o: number) => (o > 0 && text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? o + 1 : o);
          const a = snap(Math.floor(random() * (text.length + 1)));
          const b = snap(Math.min(text.length, a + Math.floor(random() * 8)));
          let s = '';
          for (let k = Math.floor(random() * 4); k > 0; k--) s += POOL[Math.floor(random() * POOL.length)];
          change = { range: { start: offsetToPosition(text, a), end: offsetToPosition(text, b) }, text: s };
          text = text.slice(0, a) + s + text.slice(b);
        }
        await client.change(uri, v, [change]);
        const ds = await client.diagnosticsFor(uri, v);
        check(uri, text, ds, `${uri} v${v}`);
        // Now and then, the quick fixes of a diagnostic: answered, and every edit inside the document.
        if (ds.length && random() < 0.15) {
          const d = ds[Math.floor(random() * ds.length)];
          const actions = (await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) ?? [];
          const ls = lines(text);
          for (const a of actions) {
            for (const e of ('edit' in a ? (a.edit?.changes?.[uri] ?? []) : [])) assert.ok(inside(e.range, ls), `${uri} v${v}: "${a.title}" edits outside the document`);
          }
          fixes += actions.length;
        }
      }
      await client.close(uri);
    }
    assert.ok(client.alive, `server exited: ${client.stderr}`);
    assert.ok(cases >= 1000, `only ${cases} cases in the time budget`);
    assert.ok(fixes > 0, 'some quick fixes were offered and checked');
    assert.equal(client.stderr.includes('failed'), false, client.stderr);
  });
});
