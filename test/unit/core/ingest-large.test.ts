// Streams a generated file of more than 1 GiB: the parse must hold the columns, not the text,
// and agree with sums known from how the file was made. Slow by design (~10-20 s).
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCsvFile } from '../../../src/core/ingest';
import { categoryAt, columnByName } from '../../../src/core/table';

const GiB = 1024 ** 3;
const LABELS = ['"sunny, warm and dry"', 'rain', '"fog ""thick"""', 'snow', 'NA'];
const ROWS_PER_BLOCK = 8192;

const dir = mkdtempSync(join(tmpdir(), 'dataset-lab-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One block of rows; bytes 0..5 of each row hold the block number, patched per block. */
function makeBlock(): { buf: Buffer; rowStarts: number[]; valueSum: number; missingLabels: number } {
  const lines: string[] = [];
  let valueSum = 0;
  let missingLabels = 0;
  for (let i = 0; i < ROWS_PER_BLOCK; i++) {
    const value = ((i * 37) % 10007) / 4 - 1000; // exact in binary: quarters
    valueSum += value;
    const label = LABELS[i % LABELS.length];
    if (label === 'NA') missingLabels++;
    const pad = 'x'.repeat(40 + (i % 23));
    lines.push(`000000,${String(i).padStart(5, '0')},${value},${label},${pad}\n`);
  }
  const rowStarts: number[] = [];
  let at = 0;
  for (const l of lines) {
    rowStarts.push(at);
    at += Buffer.byteLength(l);
  }
  return { buf: Buffer.from(lines.join('')), rowStarts, valueSum, missingLabels };
}

test('streams a file larger than 1 GiB into columns', { timeout: 300_000 }, async () => {
  const file = join(dir, 'large.csv');
  const block = makeBlock();
  const blocks = Math.ceil(GiB / block.buf.length) + 1;
  const fd = openSync(file, 'w');
  writeSync(fd, 'block,row,value,label,pad\n');
  for (let b = 0; b < blocks; b++) {
    const id = Buffer.from(String(b).padStart(6, '0'));
    for (const start of block.rowStarts) id.copy(block.buf, start);
    writeSync(fd, block.buf);
  }
  closeSync(fd);
  const size = statSync(file).size;
  assert.ok(size > GiB, `file is ${size} bytes`);

  let lastProgress = 0;
  const table = await readCsvFile(file, { onProgress: (bytes) => (lastProgress = bytes) });
  rmSync(file);
  assert.equal(lastProgress, size);
  const rows = blocks * ROWS_PER_BLOCK;
  assert.equal(table.rows, rows);
  assert.equal(table.problemCount, 0);

  const blockColumn = columnByName(table, 'block');
  const value = columnByName(table, 'value');
  const label = columnByName(table, 'label');
  assert.ok(blockColumn?.type === 'numeric' && value?.type === 'numeric' && label?.type === 'categorical');
  let blockSum = 0;
  let valueSum = 0;
  for (let i = 0; i < rows; i++) {
    blockSum += blockColumn.values[i];
    valueSum += value.values[i];
  }
  assert.equal(blockSum, (ROWS_PER_BLOCK * (blocks - 1) * blocks) / 2);
  assert.equal(valueSum, block.valueSum * blocks);
  assert.equal(label.missing, block.missingLabels * blocks);
  assert.deepEqual([...label.dictionary].sort(), ['fog "thick"', 'rain', 'snow', 'sunny, warm and dry']);
  const last = rows - 1;
  assert.equal(blockColumn.values[last], blocks - 1);
  assert.equal(value.values[last], (((ROWS_PER_BLOCK - 1) * 37) % 10007) / 4 - 1000);
  assert.equal(categoryAt(label, 0), 'sunny, warm and dry');
  assert.equal(categoryAt(label, ROWS_PER_BLOCK + 2), 'fog "thick"');
  assert.equal(categoryAt(label, 4), undefined);
});
