/**
 * Schema alignment between a reference dataset and another: columns are matched by a
 * normalised name (case, spaces and punctuation ignored); what is left unmatched gets
 * suggested mappings by name similarity, so "Temp (max)" and "tmax" can be paired by a person.
 */
import type { ColumnType } from './table';

export interface ColumnRef {
  readonly name: string;
  readonly type: ColumnType;
}

export interface MatchedColumn {
  readonly reference: string;
  readonly other: string;
  /** The normalised key both names reduce to. */
  readonly key: string;
  readonly referenceType: ColumnType;
  readonly otherType: ColumnType;
  /** True when one side is numeric and the other categorical. */
  readonly typeConflict: boolean;
  /** True when the raw names differ (matched only after normalising). */
  readonly renamed: boolean;
}

export interface SuggestedMapping {
  readonly reference: string;
  readonly other: string;
  /** 0..1, higher is more alike. */
  readonly similarity: number;
  readonly reason: string;
}

export interface SchemaAlignment {
  readonly matched: readonly MatchedColumn[];
  readonly onlyReference: readonly string[];
  readonly onlyOther: readonly string[];
  readonly typeConflicts: readonly string[];
  readonly suggestions: readonly SuggestedMapping[];
}

/** Lower-case, and drop everything that is not a letter or digit (Unicode aware). */
export function normalizeColumnName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Words of a name, for token overlap: "Body Mass (g)" -> ["body", "mass", "g"]. */
function tokens(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * Similarity of two column names in 0..1: the larger of the normalised edit similarity and
 * the token overlap (Jaccard), plus a bonus when one normalised name contains the other.
 */
export function nameSimilarity(a: string, b: string): number {
  return similarityOf(nameFeatures(a), nameFeatures(b));
}

interface NameFeatures {
  readonly normalized: string;
  readonly tokens: ReadonlySet<string>;
}

function nameFeatures(name: string): NameFeatures {
  return { normalized: normalizeColumnName(name), tokens: new Set(tokens(name)) };
}

function similarityOf(a: NameFeatures, b: NameFeatures): number {
  const na = a.normalized;
  const nb = b.normalized;
  if (na.length === 0 || nb.length === 0) return 0;
  const edit = 1 - levenshtein(na, nb) / Math.max(na.length, nb.length);
  const ta = a.tokens;
  const tb = b.tokens;
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  const union = ta.size + tb.size - shared;
  const jaccard = union === 0 ? 0 : shared / union;
  const contains = na.length >= 3 && nb.length >= 3 && (na.includes(nb) || nb.includes(na)) ? 0.8 : 0;
  return Math.max(edit, jaccard, contains);
}

export interface AlignOptions {
  /** Minimum similarity for a suggested mapping. Default 0.6. */
  readonly minSimilarity?: number;
}

/**
 * Suggestions compare every unmatched reference column with every unmatched other column; past
 * this many on a side (two wide files that share few names) only the first ones are paired, so
 * the work stays bounded (512 x 512 name pairs, well under a second).
 */
export const MAX_SUGGESTION_COLUMNS = 512;

export function alignSchemas(
  reference: readonly ColumnRef[],
  other: readonly ColumnRef[],
  options: AlignOptions = {},
): SchemaAlignment {
  const minSimilarity = options.minSimilarity ?? 0.6;
  const otherByKey = new Map<string, ColumnRef>();
  for (const c of other) {
    const key = normalizeColumnName(c.name);
    // First column wins when two names normalise alike; the second stays unmatched and visible.
    if (!otherByKey.has(key)) otherByKey.set(key, c);
  }
  const matched: MatchedColumn[] = [];
  const usedOther = new Set<string>();
  const onlyReference: string[] = [];
  for (const r of reference) {
    const key = normalizeColumnName(r.name);
    const o = otherByKey.get(key);
    if (o && !usedOther.has(o.name)) {
      usedOther.add(o.name);
      matched.push({
        reference: r.name,
        other: o.name,
        key,
        referenceType: r.type,
        otherType: o.type,
        typeConflict: r.type !== o.type,
        renamed: r.name !== o.name,
      });
    } else {
      onlyReference.push(r.name);
    }
  }
  const onlyOther = other.filter((c) => !usedOther.has(c.name)).map((c) => c.name);

  // Greedy best-first pairing of the leftovers by name similarity.
  const candidates: SuggestedMapping[] = [];
  const leftR = onlyReference.slice(0, MAX_SUGGESTION_COLUMNS).map((name) => ({ name, f: nameFeatures(name) }));
  const leftO = onlyOther.slice(0, MAX_SUGGESTION_COLUMNS).map((name) => ({ name, f: nameFeatures(name) }));
  for (const { name: r, f: fr } of leftR) {
    for (const { name: o, f: fo } of leftO) {
      const similarity = similarityOf(fr, fo);
      if (similarity >= minSimilarity) {
        candidates.push({ reference: r, other: o, similarity, reason: `names are ${(similarity * 100).toFixed(0)}% alike` });
      }
    }
  }
  candidates.sort((a, b) => b.similarity - a.similarity || a.reference.localeCompare(b.reference));
  const takenR = new Set<string>();
  const takenO = new Set<string>();
  const suggestions: SuggestedMapping[] = [];
  for (const c of candidates) {
    if (takenR.has(c.reference) || takenO.has(c.other)) continue;
    takenR.add(c.reference);
    takenO.add(c.other);
    suggestions.push(c);
  }
  return {
    matched,
    onlyReference,
    onlyOther,
    typeConflicts: matched.filter((m) => m.typeConflict).map((m) => m.reference),
    suggestions,
  };
}
