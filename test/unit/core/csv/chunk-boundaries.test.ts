import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { csvParseRows } from 'd3-dsv';
import { parseCsvBuffer, readCsvFile } from '../../../../src/core/ingest';
import { categoryAt, isStringColumn, type DataTable } from '../../../../src/core/table';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/csv');
const dir = mkdtempSync(join(tmpdir(), 'dataset-lab-chunks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Everything observable about a table, as plain data (NaN becomes the string "NaN"). */
function snapshot(t: DataTable): unknown {
  return {
    rows: t.rows,
    delimiter: t.delimiter,
    problemCount: t.problemCount,
    problems: t.problems.map((p) => ({ ...p, file: undefined })),
    columns: t.columns.map((c) =>
      !isStringColumn(c)
        ? { name: c.name, type: c.type, missing: c.missing, typeErrors: c.typeErrors, values: Array.from(c.values, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v)) }
        : { name: c.name, type: c.type, missing: c.missing, values: Array.from(c.codes, (_, i) => categoryAt(c, i) ?? null) },
    ),
  };
}

/** A CSV text built to put every hard case somewhere: quotes, doubled quotes, delimiters and
 * CR/LF/CRLF inside quotes, multi-byte characters, CRLF and LF row ends, numbers. */
function nastyCsv(rows: number, seed: number, defects = false): string {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const pieces = ['a', 'b,c', '"', '""', '\n', '\r\n', 'é', '✓', '𝄞', ' ', 'x y', ';', '|', '\t', 'z'];
  const text = (): string => {
    let v = 'w';
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) v += pieces[Math.floor(rand() * pieces.length)];
    return v;
  };
  const quote = (v: string): string => (/[",\r\n]/.test(v) || rand() < 0.3 ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['id,label,value,note'];
  for (let i = 0; i < rows; i++) {
    let value = rand() < 0.1 ? '' : (rand() * 2000 - 1000).toFixed(Math.floor(rand() * 5));
    if (defects && rand() < 0.02) value = 'oops';
    const note = defects && i % 37 === 5 ? '' : `,${quote(text())}`;
    lines.push(`${i},${quote(text())},${rand() < 0.5 ? `"${value}"` : value}${note}`);
  }
  const eol = (i: number): string => (i % 3 === 0 ? '\r\n' : defects && i % 5 === 4 ? '\r' : '\n');
  return lines.map((l, i) => l + eol(i)).join('');
}

test('the nasty text parses like d3-dsv, cell for cell', () => {
  const text = nastyCsv(400, 1);
  const ours = parseCsvBuffer(Buffer.from(text), 'nasty.csv');
  assert.equal(ours.problemCount, 0);
  const rows = csvParseRows(text);
  assert.equal(rows.length - 1, ours.rows);
  for (let j = 0; j < 4; j++) {
    const column = ours.columns[j];
    assert.equal(column.name, rows[0][j]);
    for (let i = 0; i < ours.rows; i++) {
      const expected = rows[i + 1][j];
      if (!isStringColumn(column)) {
        const v = column.values[i];
        if (expected === '') assert.ok(Number.isNaN(v));
        else assert.equal(v, Number(expected));
      } else {
        assert.equal(categoryAt(column, i) ?? '', expected, `row ${i} column ${j}`);
      }
    }
  }
});

test('reads in 1..7 byte chunks give the same table as one whole-buffer parse', async () => {
  const text = nastyCsv(150, 2, true);
  const file = join(dir, 'nasty.csv');
  writeFileSync(file, text);
  const whole = snapshot(parseCsvBuffer(Buffer.from(text), file));
  const problems = (whole as { problems: { code: string }[] }).problems;
  assert.ok(problems.some((p) => p.code === 'ragged-row') && problems.some((p) => p.code === 'type-mismatch'));
  for (let chunkSize = 1; chunkSize <= 7; chunkSize++) {
    const chunked = snapshot(await readCsvFile(file, { chunkSize, sampleBytes: 16 + chunkSize }));
    assert.deepEqual(chunked, whole, `chunkSize ${chunkSize}`);
    const inMemory = snapshot(parseCsvBuffer(Buffer.from(text), file, { chunkSize, sampleBytes: 4 }));
    assert.deepEqual(inMemory, whole, `in-memory chunkSize ${chunkSize}`);
  }
});

test('every fixture reads the same in 1..7 byte chunks as in one piece', async () => {
  const files = readdirSync(FIXTURES).filter((f) => !['empty.csv', 'binary.csv', 'blank-lines-only.csv', 'utf16-bom.csv', 'binary-without-nul.csv'].includes(f));
  assert.ok(files.length >= 10);
  for (const f of files) {
    const path = join(FIXTURES, f);
    const whole = snapshot(parseCsvBuffer(readFileSync(path), path));
    const sizes = f === 'late-type-errors.csv' ? [1, 7] : [1, 2, 3, 4, 5, 6, 7];
    for (const chunkSize of sizes) {
      assert.deepEqual(snapshot(await readCsvFile(path, { chunkSize, sampleBytes: 8 })), whole, `${f} chunkSize ${chunkSize}`);
    }
  }
});

test('a quoted field much longer than the read size', async () => {
  const long = 'q,"'.repeat(1) + 'x'.repeat(300_000) + '\n""still inside""' + '",1\n';
  const text = `a,b,c\n${long}2,tail,3\n`;
  const file = join(dir, 'long.csv');
  writeFileSync(file, text);
  const t = await readCsvFile(file, { chunkSize: 4096 });
  assert.equal(t.rows, 2);
  const b = t.columns[1];
  assert.ok(b.type === 'categorical');
  assert.equal(categoryAt(b, 0), `${'x'.repeat(300_000)}\n"still inside"`);
  assert.deepEqual(snapshot(t), snapshot(parseCsvBuffer(Buffer.from(text), file)));
});
