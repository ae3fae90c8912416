// The real server over stdio after malformed input: one bad message header used to leave the
// reader out of step with the stream for good (every later message was read as a header), so
// the server stopped answering. It now says so on stderr, skips to the next Content-Length
// header and answers what follows.
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HoverRequest } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

/** A valid message's framing, for cases that hide one inside the garbage. */
const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const garbage: [string, string][] = [
  ['a header line without a colon', 'this is not a header\r\n\r\n'],
  ['headers without Content-Length', 'Content-Type: application/vscode-jsonrpc\r\n\r\n'],
  ['a Content-Length that is not a number', 'Content-Length: twelve\r\n\r\n'],
  ['bytes without any line break', '\u0001\u0002garbage bytes, no header at all'],
  ['garbage glued to a valid message', `junk${frame(JSON.stringify({ jsonrpc: '2.0', method: 'workspace/didChangeWatchedFiles', params: { changes: [] } }))}`],
  ['a body that is not JSON', frame('{not json')],
];

describe('language server: malformed message headers over stdio', () => {
  // A server per case: one that fell out of step must not fail the cases after it.
  let client: TestClient;
  beforeEach(async () => {
    ({ client } = await TestClient.start());
  });
  afterEach(async () => {
    await client.stop();
  });

  let n = 0;
  for (const [what, bytes] of garbage) {
    it(`answers the next request after ${what}`, { timeout: 20_000 }, async () => {
      const uri = `file:///tmp/malformed-${++n}.csv`;
      // Something real first, so the garbage arrives between messages of a working session.
      await client.open(`${uri}.before.csv`, 'a\n1\n');
      await client.diagnosticsFor(`${uri}.before.csv`, 1);
      const stderrBefore = client.stderr.length;
      client.proc.stdin!.write(bytes);
      // The next real messages: a document and a request on it.
      await client.open(uri, 'a,b\n1,2\n3\n');
      const ds = await client.diagnosticsFor(uri, 1, 15_000);
      assert.deepEqual(
        ds.map((d) => d.code),
        ['ragged-row'],
      );
      const hover = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
      assert.ok(hover, 'hover answered');
      assert.ok(client.alive);
      const said = client.stderr.slice(stderrBefore);
      if (what === 'a body that is not JSON') assert.match(said, /dataset-lab server: unreadable message: /);
      else {
        assert.match(said, /dataset-lab server: malformed message header \(.+\): .*; skipping to the next Content-Length header\n/);
        assert.match(said, /dataset-lab server: resynchronised: skipped \d+ bytes? to the next Content-Length header\n/);
      }
    });
  }
});
