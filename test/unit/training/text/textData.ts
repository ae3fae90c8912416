// Seeded synthetic text datasets for the text training tests: words drawn from class-specific
// and shared pools, so a text model can learn the label and a test can know every token.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../../src/core/random';

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
