// HeaderResync in front of vscode-jsonrpc's real stream reader: valid messages with garbage
// between them, cut into pieces of every size (a header, a body, "Content-Length:" itself split
// across reads), must come out whole and in order, and each stretch of garbage must be reported.
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { StreamMessageReader, type Message } from 'vscode-languageserver-protocol/node';
import { HeaderResync } from '../../../src/server/headerResync';
import { seededRandom } from '../helpers';

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const message = (i: number) => JSON.stringify({ jsonrpc: '2.0', method: 'test/n', params: { i, text: 'é,"x"\r\n'.repeat(i % 5) } });

const GARBAGE = ['junk\r\n\r\n', 'Content-Type: x\r\n\r\n', 'Content-Length: ten\r\n\r\n', '\u0000\u0001no breaks at all', 'content-length', 'CONTENT-LENGTH: 5x\r\n\r\n'];

/** Feeds `bytes` in pieces; resolves once `count` messages came out (a lost one times the test out). */
async function readAll(bytes: Buffer, pieceSize: () => number, count: number): Promise<{ received: number[]; logs: string[] }> {
  const logs: string[] = [];
  const input = new PassThrough();
  const reader = new StreamMessageReader(input.pipe(new HeaderResync((l) => logs.push(l))));
  const received: number[] = [];
  const all = new Promise<void>((resolve) =>
    reader.listen((m: Message) => {
      received.push((m as unknown as { params: { i: number } }).params.i);
      if (received.length === count) resolve();
    }),
  );
  for (let at = 0; at < bytes.length; ) {
    const n = Math.max(1, pieceSize());
    input.write(bytes.subarray(at, at + n));
    at += n;
    await new Promise((r) => setImmediate(r));
  }
  input.end();
  await all;
  reader.dispose();
  return { received, logs };
}

describe('HeaderResync', () => {
  for (const [name, size] of [
    ['whole', (_rand: () => number) => 1 << 20],
    ['1..7-byte reads', (rand: () => number) => 1 + Math.floor(rand() * 7)],
    ['1..200-byte reads', (rand: () => number) => 1 + Math.floor(rand() * 200)],
  ] as const) {
    it(`passes every valid message and skips garbage, ${name}`, { timeout: 10_000 }, async () => {
      const rand = seededRandom(99);
      let stream = '';
      const expected: number[] = [];
      let garbageRuns = 0;
      for (let i = 0; i < 60; i++) {
        if (i % 4 === 3) {
          stream += GARBAGE[garbageRuns % GARBAGE.length];
          garbageRuns++;
        }
        stream += frame(message(i));
        expected.push(i);
      }
      const { received, logs } = await readAll(Buffer.from(stream), () => size(rand), expected.length);
      assert.deepEqual(received, expected);
      assert.equal(logs.filter((l) => l.includes('malformed message header')).length, garbageRuns, logs.join('\n'));
      assert.equal(logs.filter((l) => l.includes('resynchronised')).length, garbageRuns);
      // The bytes skipped are exactly the garbage.
      const skipped = logs.filter((l) => l.includes('resynchronised')).map((l) => Number(/skipped (\d+) byte/.exec(l)![1]));
      assert.deepEqual(
        skipped,
        Array.from({ length: garbageRuns }, (_, k) => Buffer.byteLength(GARBAGE[k % GARBAGE.length])),
      );
    });
  }
});
