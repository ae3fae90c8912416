/**
 * Duplicate rows that inflate test scores: a test row whose feature values also occur in a
 * model's training rows is partly memorised, not predicted. Per dataset, counts test rows seen
 * in that dataset's own training rows (what its separate model trained on) and in the pooled
 * training rows of all datasets (what the merged and multi-head models trained on), and rows
 * shared with other datasets (scraped twice, or the same records under two names).
 *
 * Rows are compared on the experiment's feature columns, exactly (numbers by value, missing
 * equal to missing). A 53-bit hash finds candidates and the values are compared before a row
 * counts, so a hash collision can only miss a duplicate, never invent one.
 */
import type { Column } from '../core/table';
import type { SourceLeakage } from '../protocol/runFolder/contract';
import { columnByName, isStringColumn } from '../core/table';
import { SPLIT_TEST, SPLIT_TRAIN, type FeatureInfo, type Source } from './data';


const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Per feature, a function giving a 32-bit code for a row's value (equal values, equal codes). */
function valueCodes(column: Column): (row: number) => number {
  if (isStringColumn(column)) {
    const hashes = Int32Array.from(column.dictionary, stringHash);
    return (row) => (column.codes[row] < 0 ? 0x7fc00000 : hashes[column.codes[row]]);
  }
  return (row) => {
    const v = column.values[row];
    if (Number.isNaN(v)) return 0x7ff80000;
    f64[0] = v === 0 ? 0 : v;
    return (u32[0] ^ Math.imul(u32[1], 0x9e3779b1)) >>> 0;
  };
}

function sameValue(a: Column, ra: number, b: Column, rb: number): boolean {
  if (isStringColumn(a) && isStringColumn(b)) {
    const ca = a.codes[ra];
    const cb = b.codes[rb];
    if (ca < 0 || cb < 0) return ca < 0 && cb < 0;
    return a.dictionary[ca] === b.dictionary[cb];
  }
  if (a.type === b.type && !isStringColumn(a) && !isStringColumn(b)) {
    const va = a.values[ra];
    const vb = b.values[rb];
    return va === vb || (Number.isNaN(va) && Number.isNaN(vb));
  }
  return false;
}

export function findLeakage(sources: readonly Source[], features: readonly FeatureInfo[]): Record<string, SourceLeakage> {
  const cols = sources.map((s) => features.map((f) => columnByName(s.table, f.name) as Column));
  const codes = cols.map((cs) => cs.map(valueCodes));
  // Per source, the 53-bit hash of each labelled row's features.
  const hashes = sources.map((s, k) => {
    const out = new Float64Array(s.rows.length);
    for (let i = 0; i < s.rows.length; i++) {
      const row = s.rows[i];
      let h1 = 0x12345678;
      let h2 = 0x9abcdef0;
      for (const code of codes[k]) {
        const c = code(row);
        h1 = Math.imul(h1 ^ c, 0x85ebca6b);
        h1 ^= h1 >>> 13;
        h2 = Math.imul(h2 + c, 0xc2b2ae35);
        h2 ^= h2 >>> 16;
      }
      out[i] = (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
    }
    return out;
  });
  const equal = (ka: number, ia: number, kb: number, ib: number) => {
    const ra = sources[ka].rows[ia];
    const rb = sources[kb].rows[ib];
    return cols[ka].every((c, j) => sameValue(c, ra, cols[kb][j], rb));
  };
  // hash -> first (source, position) with that hash, for training rows / all rows of each source.
  const index = (k: number, onlyTrain: boolean) => {
    const map = new Map<number, number>();
    const s = sources[k];
    for (let i = 0; i < s.rows.length; i++) if ((!onlyTrain || s.split[i] === SPLIT_TRAIN) && !map.has(hashes[k][i])) map.set(hashes[k][i], i);
    return map;
  };
  const trainIndex = sources.map((_, k) => index(k, true));
  const allIndex = sources.map((_, k) => index(k, false));
  const hit = (maps: Map<number, number>[], ks: number[], k: number, i: number) =>
    ks.some((other) => {
      const at = maps[other].get(hashes[k][i]);
      return at !== undefined && equal(k, i, other, at);
    });
  const result: Record<string, SourceLeakage> = {};
  sources.forEach((s, k) => {
    let testRows = 0;
    let own = 0;
    let pooled = 0;
    let shared = 0;
    const others = sources.map((_, j) => j).filter((j) => j !== k);
    const all = sources.map((_, j) => j);
    for (let i = 0; i < s.rows.length; i++) {
      if (others.length && hit(allIndex, others, k, i)) shared++;
      if (s.split[i] !== SPLIT_TEST) continue;
      testRows++;
      if (hit(trainIndex, [k], k, i)) own++;
      if (hit(trainIndex, all, k, i)) pooled++;
    }
    result[s.name] = { testRows, testSeenInOwnTrain: own, testSeenInPooledTrain: pooled, sharedWithOtherDatasets: shared };
  });
  return result;
}
