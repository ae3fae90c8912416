// JSON Lines are decoded a chunk at a time (src/core/readers/jsonl.ts), never as one string:
// forced small chunks must read to the same table as one chunk, with lines split across chunk
// boundaries (and longer than a chunk) and multi-byte UTF-8 characters (2, 3 and 4 bytes) at
// every boundary position; a file with a line over JavaScript's string limit is refused naming
// the file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJsonLinesBytes } from '../../../../src/core/readers/jsonl';
import { readTable } from '../../../../src/core/readers/readTable';
import { FatalInputError, isStringColumn, type DataTable } from '../../../../src/core/table';

const options = { missingTokens: ['', 'NA'], maxProblems: 100, numericTolerance: 0.05 };

function cellsOf(t: DataTable): Record<string, (string | number)[]> {
  const out: Record<string, (string | number)[]> = {};
  for (const c of t.columns) out[c.name] = isStringColumn(c) ? Array.from(c.codes, (k) => (k < 0 ? '' : c.dictionary[k])) : Array.from(c.values);
  return out;
}

const text = [
  '\ufeff{"city":"Zürich","temp":12.5,"note":"naïve café"}',
  '{"city":"東京","temp":30,"note":"日本語のテキスト"}',
  '',
  '{"city":"Kraków","temp":NaN}',
  '{"city":"🙂 smile","temp":-4,"note":"emoji 🙂🙃 and more"}\r',
  '   ',
  '{"city":"São Paulo","temp":25,"note":"' + 'ä'.repeat(40) + '"}',
  '[1,2]',
  '{"city":"Reykjavík","temp":"cold","note":"x"}',
].join('\n');

test('JSON Lines read in small chunks: the same table and problems as in one chunk, at every chunk size', () => {
  const bytes = Buffer.from(text, 'utf8');
  const whole = readJsonLinesBytes(bytes, 'c.jsonl', 'c', options);
  // What the file holds, checked once against the one-chunk read.
  assert.deepEqual(cellsOf(whole), {
    city: ['Zürich', '東京', '🙂 smile', 'São Paulo', 'Reykjavík'],
    // One word among five numbers: too many for a numeric column (columnKind.ts), so categorical.
    temp: ['12.5', '30', '-4', '25', 'cold'],
    note: ['naïve café', '日本語のテキスト', 'emoji 🙂🙃 and more', 'ä'.repeat(40), 'x'],
  });
  assert.deepEqual(whole.problems.map((p) => [p.line, p.code]), [[4, 'invalid-json'], [8, 'invalid-json']]);
  // Every chunk size from 1 byte (each line longer than a chunk) to the whole file: every line
  // and every multi-byte character meets a boundary at some size.
  for (let chunk = 1; chunk <= bytes.length + 1; chunk++) {
    const t = readJsonLinesBytes(bytes, 'c.jsonl', 'c', options, chunk);
    assert.deepEqual(cellsOf(t), cellsOf(whole), `chunk of ${chunk} bytes`);
    assert.deepEqual(t.problems, whole.problems, `problems, chunk of ${chunk} bytes`);
    assert.equal(t.rows, whole.rows);
  }
});

test('a JSON Lines file without a final newline, and one of blank lines only, in small chunks', () => {
  for (let chunk = 1; chunk <= 12; chunk++) {
    const t = readJsonLinesBytes(Buffer.from('{"a":1}\n{"a":2}', 'utf8'), 'e.jsonl', 'e', options, chunk);
    assert.deepEqual(cellsOf(t), { a: [1, 2] });
    assert.throws(() => readJsonLinesBytes(Buffer.from('\n \n\r\n', 'utf8'), 'blank.jsonl', 'blank', options, chunk), (e: unknown) => e instanceof FatalInputError && e.code === 'empty-file' && e.message.startsWith('blank.jsonl: '));
  }
});

test('readTable reads a JSON Lines file to the same table as the chunked reader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-jsonl-'));
  try {
    const file = join(dir, 'cities.jsonl');
    writeFileSync(file, text);
    const t = await readTable(file);
    assert.deepEqual(cellsOf(t), cellsOf(readJsonLinesBytes(Buffer.from(text, 'utf8'), file, 'cities', options)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line longer than the longest JavaScript string is refused naming the file, not with a bare RangeError', () => {
  // 2^29 - 24 characters is V8's limit; one ASCII line a little longer (a 512 MB buffer, filled
  // in about a tenth of a second; the refusal comes before any decoding).
  const big = Buffer.alloc(0x1fffffe8 + 64, 0x61);
  big[0] = 0x7b;
  assert.throws(
    () => readJsonLinesBytes(big, '/data/huge.jsonl', 'huge', options),
    (e: unknown) => e instanceof FatalInputError && e.file === '/data/huge.jsonl' && /^\/data\/huge\.jsonl: line 1 /.test(e.message) && /without a line break/.test(e.message),
  );
});
