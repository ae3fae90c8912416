// Dates: the format parser and the inference against pandas.to_datetime with an explicit
// format (test/reference/dates/dates.json, made by make_dates_reference.py from corpus.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dateFormat } from '../../../src/core/dates/dateFormat';
import { epochToMilliseconds, epochUnit, formatCandidates, headerSaysEpoch, inferDateFormat, parseValues, type EpochUnit } from '../../../src/core/dates/inferDates';
import { repoRoot } from '../helpers';

type Instant = [number, number | null] | null;
interface Reference {
  readonly pandas: string;
  readonly formats: { format: string; values: string[]; pandas: Instant[] }[];
  readonly epochs: { unit: string; values: number[]; pandas: Instant[] }[];
  readonly columns: { name: string; format: string; values: string[]; pandas: Instant[] }[];
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'reference', 'dates', 'dates.json'), 'utf8')) as Reference;

/** pandas' Timestamp holds 64-bit nanoseconds: 1677-09-21 to 2262-04-11. We read years 0001-9999. */
const PANDAS_LIMIT_MS = 2 ** 63 / 1e6;

/** pandas keeps nanoseconds: agreement to a microsecond (1e-3 ms). */
function sameInstant(ours: { ms: number; offset?: number } | undefined, theirs: Instant, what: string): void {
  if (theirs === null && ours !== undefined && Math.abs(ours.ms) >= PANDAS_LIMIT_MS) return; // documented difference
  if (theirs === null) {
    assert.equal(ours, undefined, `${what}: pandas reads no date, we read ${ours && new Date(ours.ms).toISOString()}`);
    return;
  }
  assert.ok(ours, `${what}: pandas reads ${new Date(theirs[0]).toISOString()}, we read nothing`);
  assert.ok(Math.abs(ours.ms - theirs[0]) <= 1e-3, `${what}: ${ours.ms} vs pandas ${theirs[0]}`);
  assert.equal(ours.offset ?? null, theirs[1], `${what}: zone offset`);
}

test(`every value of the corpus reads as pandas ${reference.pandas} reads it with the same format`, () => {
  let compared = 0;
  for (const c of reference.formats) {
    const f = dateFormat(c.format);
    c.values.forEach((v, i) => {
      sameInstant(f.parse(v.trim()), c.pandas[i], `${JSON.stringify(v)} as ${c.format}`);
      compared++;
    });
  }
  assert.ok(compared >= 100, `${compared} values`);
  // The one deliberate difference: a date past pandas' nanosecond range is still a date here.
  assert.ok(dateFormat('%Y-%m-%d').parse('2400-02-29'));
  // Both sides refuse impossible dates, so the corpus holds some.
  assert.ok(reference.formats.some((c) => c.pandas.includes(null)));
});

test('epoch timestamps: the unit from their size, the instant as pandas reads it with that unit', () => {
  for (const c of reference.epochs) {
    const unit = ({ s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds' } as Record<string, EpochUnit>)[c.unit];
    c.values.forEach((v, i) => sameInstant({ ms: epochToMilliseconds(v, unit) }, c.pandas[i], `${v} ${c.unit}`));
    const nonZero = Float64Array.from(c.values.filter((v) => v !== 0)).sort();
    assert.equal(epochUnit(nonZero), unit, `${c.unit}: unit from the values`);
  }
  assert.equal(epochUnit(Float64Array.from([1, 2, 3])), undefined, 'small counters are not timestamps');
  for (const name of ['created_ts', 'epoch', 'unix_time', 'eventTs', 'Timestamp', 'ts']) assert.ok(headerSaysEpoch(name), name);
  for (const name of ['tsunami', 'stats', 'time', 'date', 'unix2']) assert.ok(!headerSaysEpoch(name), name);
});

test('whole columns: the inference finds the format, and reads every value as pandas does with it', () => {
  for (const c of reference.columns) {
    const found = inferDateFormat(c.values, c.values.map(() => 1), 0.05);
    assert.deepEqual(found.kind === 'datetime' ? found.format : found, c.format, c.name);
    const { ms, offsets } = parseValues(c.values, c.format);
    c.values.forEach((v, i) => sameInstant(Number.isNaN(ms[i]) ? undefined : { ms: ms[i], ...(offsets ? { offset: offsets[i] } : {}) }, c.pandas[i], `${c.name}: ${v}`));
  }
});

test('the decision depends on the values, not their order, and counts cells', () => {
  const values = ['13/02/2000', '01/02/2000', '03/02/2000'];
  const a = inferDateFormat(values, [1, 50, 50], 0.05);
  const b = inferDateFormat([...values].reverse(), [50, 50, 1], 0.05);
  assert.deepEqual(a, b);
  assert.deepEqual(a, { kind: 'datetime', format: '%d/%m/%Y', cells: 101 });
});

test('odd cells in a date column: few are type errors, many rule dates out', () => {
  const dates = Array.from({ length: 30 }, (_, i) => `2012-01-${String(i + 1).padStart(2, '0')}`);
  // One unreadable cell in 31: a date column (one distinct odd value in under 10%).
  assert.deepEqual(inferDateFormat([...dates, 'soon'], [...dates.map(() => 1), 1], 0.05), { kind: 'datetime', format: '%Y-%m-%d', cells: 30 });
  // Three distinct odd values in 10 of 40 cells: not dates.
  assert.deepEqual(inferDateFormat([...dates, 'a', 'b', 'c'], [...dates.map(() => 1), 4, 3, 3], 0.05), { kind: 'none' });
  // Names and prose are rejected.
  assert.deepEqual(inferDateFormat(['Oslo', 'Rome'], [5, 5], 0.05), { kind: 'none' });
});

test('a column mixing formats is not read as dates: the formats are named', () => {
  const iso = Array.from({ length: 10 }, (_, i) => `2012-01-${String(i + 10)}`);
  const us = Array.from({ length: 10 }, (_, i) => `01/${String(i + 13)}/2012`);
  const r = inferDateFormat([...iso, ...us], new Array(20).fill(1), 0.05);
  assert.equal(r.kind, 'mixed');
  assert.deepEqual(
    r.kind === 'mixed' ? r.formats.map((f) => [f.format, f.cells]) : [],
    [
      ['%Y-%m-%d', 10],
      ['%m/%d/%Y', 10],
    ],
  );
  // Month-first and day-first dates that cannot both be right.
  const both = inferDateFormat(['01/13/2000', '13/01/2000', '02/14/2000', '14/02/2000'], [1, 1, 1, 1], 0.05);
  assert.equal(both.kind, 'mixed');
});

test('shapes: what each value proposes', () => {
  assert.deepEqual(formatCandidates('2012-01-31'), ['%Y-%m-%d']);
  assert.deepEqual(formatCandidates('2012-01-31T10:00:00.5+02:00'), ['%Y-%m-%dT%H:%M:%S.%f%z']);
  assert.deepEqual(formatCandidates('05/06/2000'), ['%m/%d/%Y', '%d/%m/%Y']);
  assert.deepEqual(formatCandidates('May 1 2000'), ['%b %d %Y', '%B %d %Y']);
  assert.deepEqual(formatCandidates('01.02.03'), []);
  assert.deepEqual(formatCandidates('1,234.5'), []);
  assert.deepEqual(formatCandidates('12'), []);
});
