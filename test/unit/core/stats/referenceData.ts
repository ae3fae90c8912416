// Loads the scipy/numpy reference values written by test/reference/stats/make_reference.py.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Repository root: the nearest ancestor of this (bundled) file holding package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** JSON numbers, with the strings 'NaN' / 'Infinity' the generator writes for non-finite values. */
export type Num = number | 'NaN' | 'Infinity' | '-Infinity';
export function num(v: Num): number {
  return typeof v === 'number' ? v : Number(v);
}

export function loadReference<T>(file: string): T {
  return JSON.parse(readFileSync(join(repoRoot(), 'test', 'reference', 'stats', file), 'utf8')) as T;
}

let cache: Map<string, Float64Array> | undefined;
/** A named sample from reference.json or large.json. */
export function sample(name: string): Float64Array {
  if (!cache) {
    cache = new Map();
    for (const f of ['reference.json', 'large.json']) {
      const d = loadReference<{ samples: Record<string, number[]> }>(f);
      for (const [k, v] of Object.entries(d.samples)) cache.set(k, Float64Array.from(v));
    }
  }
  const s = cache.get(name);
  if (!s) throw new Error(`no reference sample named ${name}`);
  return s;
}

/** |actual - expected| <= rel * |expected| (+ a tiny absolute slack for expected == 0). */
export function closeRel(actual: number, expected: number, rel: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-300;
}

export function closeAbs(actual: number, expected: number, abs: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Math.abs(actual - expected) <= abs;
}
