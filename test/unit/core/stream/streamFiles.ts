// The files the streaming tests read, written by the same seeded generator as
// test/reference/stream/make_stream_reference.py (scipy/numpy's figures in stream_reference.json).
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
