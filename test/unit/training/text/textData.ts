// Seeded synthetic text datasets for the text training tests: words drawn from class-specific
// and shared pools, so a text model can learn the label and a test can know every token.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../../src/cli/main';
import { Rng } from '../../../../src/core/random';
import { captureIo } from '../../helpers';

const SHARED = ['the', 'a', 'of', 'and', 'report', 'today', 'people', 'time', 'year', 'work', 'day', 'new'];
const POOLS: Record<string, string[]> = {
  good: ['great', 'excellent', 'love', 'wonderful', 'happy', 'best'],
  bad: ['awful', 'terrible', 'hate', 'broken', 'worst', 'sad'],
  sport: ['match', 'goal', 'team', 'score', 'league', 'coach'],
  money: ['bank', 'market', 'price', 'stock', 'loan', 'rate'],
  weather: ['rain', 'storm', 'sunny', 'wind', 'cloud', 'snow'],
};

export interface TextRow {
  readonly text: string;
  readonly label: string;
  readonly n: number;
}

/** `rows` rows over `classes`; `extra(i)` may append words to row i (tokens a test looks for). */
export function makeRows(classes: readonly string[], rows: number, seed: number, extra: (i: number) => string = () => ''): TextRow[] {
  const rng = new Rng(seed);
  const out: TextRow[] = [];
  for (let i = 0; i < rows; i++) {
    const c = classes[i % classes.length];
    const words: string[] = [];
    const len = 6 + Math.floor(rng.next() * 8);
    for (let k = 0; k < len; k++) {
      const pool = rng.next() < 0.45 ? POOLS[c] : SHARED;
      words.push(pool[Math.floor(rng.next() * pool.length)]);
    }
    const more = extra(i);
    out.push({ text: `${words.join(' ')}${more ? ` ${more}` : ''}`, label: c, n: classes.indexOf(c) + rng.next() * 2 });
  }
  return out;
}

export function csvOf(rows: readonly TextRow[], columns: readonly (keyof TextRow)[] = ['text', 'n', 'label']): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => q(String(r[c]))).join(','))].join('\n') + '\n';
}

/** A workspace with data/a.csv (good/bad) and data/b.csv (sport/money/weather). */
export function textWorkspace(opts: { rows?: number; extraA?: (i: number) => string; extraB?: (i: number) => string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dl-text-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'a.csv'), csvOf(makeRows(['good', 'bad'], opts.rows ?? 240, 1, opts.extraA)));
  writeFileSync(join(dir, 'data', 'b.csv'), csvOf(makeRows(['sport', 'money', 'weather'], opts.rows ?? 240, 2, opts.extraB)));
  return dir;
}

export function textExperiment(dir: string, extra: Record<string, unknown> = {}, file = 't.experiment.json'): string {
  writeFileSync(
    join(dir, file),
    JSON.stringify({
      version: 1,
      datasets: [
        { name: 'a', path: 'data/a.csv', label: 'label' },
        { name: 'b', path: 'data/b.csv', label: 'label' },
      ],
      features: ['text', 'n'],
      model: { type: 'mlp', hidden: [] },
      training: { epochs: 6, batchSize: 32, learningRate: 0.01, earlyStopping: { patience: 3 } },
      ...extra,
    }),
  );
  return file;
}

/** Runs the real CLI's main() (`run` forks dist/trainer.js) in `cwd`. */
export async function cli(argv: string[], cwd: string) {
  const c = captureIo(cwd);
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

export function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(...parts), 'utf8')) as T;
}

/** Parses a CSV the test wrote (quoted fields, no newlines in cells). */
export function readRows(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const cells: string[] = [];
    const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) && cells.length < names.length) cells.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
    return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  });
}
