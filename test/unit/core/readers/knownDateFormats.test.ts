// Known date formats (ReadTableOptions.dateFormats: what predict passes from a run's training):
// CSV, JSON Lines and Arrow read such a column's text in exactly that format, never the one the
// new file alone would infer; cells it cannot read are missing values counted as type errors and
// reported where they are; a known epoch unit applies whatever the numbers' size.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as fl from '@uwdata/flechette';
import { readTable } from '../../../../src/core/readers/readTable';
import type { DataTable } from '../../../../src/core/table';

const iso = (t: DataTable, name: string) => {
  const c = t.columns.find((x) => x.name === name);
  assert.ok(c && c.type === 'datetime', `${name} is a date column`);
  return { format: c.format, typeErrors: c.typeErrors, days: Array.from(c.values, (v) => (Number.isNaN(v) ? '' : new Date(v).toISOString().slice(0, 10))) };
};

test('CSV, JSON Lines and Arrow read a known format (day-first) instead of inferring month-first; unreadable cells are located type errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-known-dates-'));
  const when = ['01/02/2020', '03/04/2020', '', '2020-05-06'];
  writeFileSync(join(dir, 't.csv'), `n,when\n${when.map((w, i) => `${i},${w}`).join('\n')}\n`);
  writeFileSync(join(dir, 't.jsonl'), when.map((w, i) => JSON.stringify({ n: i, when: w === '' ? null : w })).join('\n') + '\n');
  writeFileSync(join(dir, 't.arrow'), fl.tableToIPC(fl.tableFromArrays({ n: [0, 1, 2, 3], when: when.map((w) => (w === '' ? null : w)) }, { types: { n: fl.int32(), when: fl.utf8() } }), { format: 'file' }) as Uint8Array);
  const known = new Map([['when', '%d/%m/%Y']]);
  for (const file of ['t.csv', 't.jsonl', 't.arrow']) {
    // Alone, the two readable dates read both ways: month-first, and the ISO date is one odd cell too many for 3 dates.
    const alone = await readTable(join(dir, file));
    assert.notEqual(alone.columns[1].type === 'datetime' && alone.columns[1].format, '%d/%m/%Y', file);
    const t = await readTable(join(dir, file), { dateFormats: known });
    assert.deepEqual(iso(t, 'when'), { format: '%d/%m/%Y', typeErrors: 1, days: ['2020-02-01', '2020-04-03', '', ''] }, file);
    const p = t.problems.filter((x) => x.code === 'type-mismatch');
    assert.equal(p.length, 1, `${file}: ${JSON.stringify(t.problems)}`);
    assert.match(p[0].message, /2020-05-06/);
    assert.match(p[0].message, /%d\/%m\/%Y/);
  }
  const csv = await readTable(join(dir, 't.csv'), { dateFormats: known });
  assert.deepEqual(
    csv.problems.map((x) => [x.line, x.column, x.message]),
    [[5, 3, 'expected a date like "01/02/2020" (format %d/%m/%Y) in column "when", found "2020-05-06"']],
  );
  const jsonl = await readTable(join(dir, 't.jsonl'), { dateFormats: known });
  assert.equal(jsonl.problems[0].line, 4);
});

test('a known epoch unit applies to numbers too small to be taken for timestamps, and to columns without an epoch header', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-known-epoch-'));
  writeFileSync(join(dir, 'e.csv'), 'stamp,x\n86400,1\n172800,2\n,3\n');
  const alone = await readTable(join(dir, 'e.csv'));
  assert.equal(alone.columns[0].type, 'numeric');
  const t = await readTable(join(dir, 'e.csv'), { dateFormats: new Map([['stamp', 'epoch seconds']]) });
  assert.deepEqual(iso(t, 'stamp'), { format: 'epoch seconds', typeErrors: 0, days: ['1970-01-02', '1970-01-03', ''] });
  writeFileSync(join(dir, 'e.jsonl'), '{"stamp": 86400}\n{"stamp": 172800000}\n');
  const j = await readTable(join(dir, 'e.jsonl'), { dateFormats: new Map([['stamp', 'epoch milliseconds']]) });
  assert.deepEqual(iso(j, 'stamp').days, ['1970-01-01', '1970-01-03']);
});
