// The files the streaming tests read, written by the same seeded generator as
// test/reference/stream/make_stream_reference.py (scipy/numpy's figures in stream_reference.json).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../../../src/core/random';

/** The generator of make_stream_reference.py, step for step. */
export function makeCsv(n: number, seed: number, shifted: boolean): string {
  const r = mulberry32(seed);
  const lines = ['x,y,k,c'];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < 12; j++) s += r();
    const z = s - 6;
    const x = Math.floor((shifted ? z * 1.1 + 0.2 : z) * 1000);
    let u = r();
    const y = Math.floor(1000 / (u + (shifted ? 0.012 : 0.01)));
    u = r();
    const k = Math.floor((shifted ? u * u : u) * 20);
    u = r();
    const c = `c${Math.floor((shifted ? u : u * u) * 50)}`;
    lines.push(`${i % 97 === 5 ? '' : x},${y},${k},${c}`);
  }
  return lines.join('\n') + '\n';
}

/** The same rows as JSON Lines: one object per row, the missing x as null, c a JSON string. */
export function csvToJsonLines(csv: string): string {
  const [head, ...rows] = csv.trim().split('\n');
  const names = head.split(',');
  return rows.map((r) => JSON.stringify(Object.fromEntries(r.split(',').map((v, j) => [names[j], names[j] === 'c' ? v : v === '' ? null : Number(v)])))).join('\n') + '\n';
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (v: number) => String(v).padStart(2, '0');

/** y-m-d of a count of days since 1970-01-01 (UTC). */
function ymd(days: number): [number, number, number] {
  const d = new Date(days * 86_400_000);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/**
 * A CSV with date columns, as test/reference/stream/make_stream_dates_reference.py writes it
 * (the same mulberry32 draws, integer arithmetic only):
 * - `day`: ISO dates over four years (from 2012-01-01, the shifted file from 2013-07-01); one
 *   cell in 211 empty, one in 401 "unknown" (a type error, as in memory);
 * - `dmy`: day-first dates (31/01/2000) whose days are all 12 or less (so they read both ways)
 *   except in the last five rows: only those decide the order;
 * - `mon`: `Jun 12 1998` (month names, May among them, which %B reads too);
 * - `ts`: ISO date and time to the minute over 2015 (the shifted file's hours later in the day);
 * - `late`: dates only in the first 100 rows, date and time after: the first cells fit a
 *   format the rest does not, so a single pass cannot follow it;
 * - `city`: four categories; `id`: the row number.
 */
export function makeDatesCsv(n: number, seed: number, shifted: boolean): string {
  const r = mulberry32(seed);
  const lines = ['id,day,dmy,mon,ts,late,city'];
  const dayBase = shifted ? 15887 : 15340; // 2013-07-01, 2012-01-01
  for (let i = 0; i < n; i++) {
    const [y1, m1, d1] = ymd(dayBase + Math.floor(r() * 1461));
    const day = i % 211 === 7 ? '' : i % 401 === 3 ? 'unknown' : `${y1}-${pad(m1)}-${pad(d1)}`;
    const y2 = 2000 + Math.floor(r() * 5);
    const m2 = 1 + Math.floor(r() * 12);
    const d2 = i >= n - 5 ? 13 + Math.floor(r() * 16) : 1 + Math.floor(r() * 12);
    const dmy = `${pad(d2)}/${pad(m2)}/${y2}`;
    const [y3, m3, d3] = ymd(9131 + Math.floor(r() * (shifted ? 2000 : 1500))); // from 1995-01-01
    const mon = `${MON[m3 - 1]} ${d3} ${y3}`;
    const minute = Math.floor(r() * 365 * 1440);
    const hour = shifted ? (Math.floor(minute / 60) % 24 < 12 ? 12 + (Math.floor(minute / 60) % 12) : Math.floor(minute / 60) % 24) : Math.floor(minute / 60) % 24;
    const [y4, m4, d4] = ymd(16436 + Math.floor(minute / 1440)); // 2015-01-01
    const ts = `${y4}-${pad(m4)}-${pad(d4)} ${pad(hour)}:${pad(minute % 60)}:00`;
    const [y5, m5, d5] = ymd(16436 + Math.floor(r() * 365));
    const late = i < 100 ? `${y5}-${pad(m5)}-${pad(d5)}` : `${y5}-${pad(m5)}-${pad(d5)} ${pad(i % 24)}:30`;
    const city = ['north', 'south', 'east', 'west'][Math.floor(r() * (shifted ? 3 : 4))];
    lines.push(`${i},${day},${dmy},${mon},${ts},${late},${city}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Writes `text` as `dir/name.csv` after checking it is the file the Python reference script wrote
 * (its length and byte checksum, from the reference JSON): both languages must mean the same data.
 */
export function writeCheckedCsv(dir: string, name: string, text: string, expected: { readonly bytes: number; readonly checksum: number }): void {
  const bytes = Buffer.from(text);
  let sum = 0;
  for (const b of bytes) sum = (sum + b) % 1000000007;
  assert.equal(bytes.length, expected.bytes, `${name}: the same bytes as the Python generator`);
  assert.equal(sum, expected.checksum, `${name}: checksum`);
  writeFileSync(join(dir, `${name}.csv`), text);
}
