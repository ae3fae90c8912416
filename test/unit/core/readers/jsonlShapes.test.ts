// The JSON Lines reader takes each row's keys in whatever order and number they come (it reuses
// the previous row's columns when the keys repeat): rows with keys reordered, left out, nested
// or added late read to the same table as the CSV of the same cells; a number among strings is
// text in first-appearance order; a boolean in a numeric column is reported as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsvText } from '../../../../src/core/ingest';
import { readJsonLinesText } from '../../../../src/core/readers/jsonl';
import { isStringColumn, type DataTable } from '../../../../src/core/table';

const options = { missingTokens: ['', 'NA', 'N/A', 'NaN', 'null', '?'], maxProblems: 100, numericTolerance: 0.05 };

function cells(t: DataTable): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of t.columns) out[`${c.name}:${c.type}`] = isStringColumn(c) ? Array.from(c.codes, (k) => (k < 0 ? '' : c.dictionary[k])) : Array.from(c.values, (v) => (Number.isNaN(v) ? '' : String(v)));
  return out;
}

test('JSON Lines rows with keys reordered, missing, nested or new read to the same table as the CSV of the same cells', () => {
  const rows: Record<string, unknown>[] = [];
  const csv = ['a,b,c,loc.lat,loc.lon,d,e'];
  for (let i = 0; i < 60; i++) {
    const a = i;
    const b = ['x', 'y', 'z'][i % 3];
    const c = i % 7 === 0 ? null : i / 4;
    const lat = i % 5 === 0 ? null : i + 0.5;
    const lon = -i;
    const d = i >= 30 ? `w${i % 4}` : null;
    // e: strings with one number among them: text, the number as written.
    const e = i === 10 ? 12 : ['p', 'q'][i % 2];
    const shapes = [
      { a, b, c, loc: { lat, lon }, d, e },
      { e, d, loc: { lon, lat }, c, b, a },
      { b, a, e, loc: { lat, lon }, c, d },
    ];
    const row = shapes[i % 3] as Record<string, unknown>;
    if (i % 11 === 0) delete row.c;
    if (d === null) delete row.d;
    rows.push(row);
    const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
    csv.push([a, b, i % 11 === 0 ? null : c, lat, lon, d, e].map(cell).join(','));
  }
  const t = readJsonLinesText(rows.map((r) => JSON.stringify(r)).join('\n') + '\n', 'shapes.jsonl', 'shapes', options);
  const expected = parseCsvText(csv.join('\n') + '\n', 'shapes.csv');
  // Columns in order of first appearance (row 0 has no c, row 1 brings it; d comes at row 30), nested keys dotted.
  assert.deepEqual(t.columns.map((c) => c.name), ['a', 'b', 'loc.lat', 'loc.lon', 'e', 'c', 'd']);
  const want = cells(expected);
  const got = cells(t);
  for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, k);
  const e = t.columns.find((c) => c.name === 'e');
  assert.ok(e && isStringColumn(e));
  assert.deepEqual(e.dictionary, ['p', 'q', '12']);
});

test('a boolean or string in a numeric JSON Lines column is a type error reported as written, with its line', () => {
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i === 5 ? true : i === 9 ? 'nine' : i }));
  const t = readJsonLinesText(lines.join('\n'), 'n.jsonl', 'n', options);
  assert.equal(t.columns[0].type, 'numeric');
  assert.deepEqual(
    t.problems.map((p) => [p.line, p.message]),
    [
      [6, '"n" is numeric but this row holds true; read as missing'],
      [10, '"n" is numeric but this row holds "nine"; read as missing'],
    ],
  );
});
