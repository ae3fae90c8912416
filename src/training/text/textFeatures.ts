/**
 * Text feature columns as numbers for the scratch encoders (bag, conv): a vocabulary fitted on
 * the training rows alone (the most frequent tokens, capped by text.maxVocabulary, each in at
 * least text.minCount training cells), inverse document frequencies from the same rows, and each
 * row packed into fixed-width float columns the network's front end reads (textNetwork.ts):
 *
 * - bag: `maxTokens` token ids then `maxTokens` weights: the cell's distinct in-vocabulary
 *   tokens with their TF-IDF weights (raw counts times scikit-learn's smooth idf,
 *   ln((1 + n) / (1 + df)) + 1, the row L2-normalised) or, with pooling "mean", their share of
 *   the cell's in-vocabulary tokens; when a cell has more distinct tokens than `maxTokens`, the
 *   highest-weighted are kept;
 * - conv: the first `maxTokens` token ids in order (1 = out of vocabulary, 0 = padding).
 *
 * Id 0 is padding and 1 out-of-vocabulary; vocabulary entry k has id k + 2.
 */
import { categoryAt, columnByName, isStringColumn, type DataTable } from '../../core/table';
import type { TextSpec } from './textSpec';
import type { TextTokenizer } from './textTokenizer';

export const PAD_ID = 0;
export const OOV_ID = 1;
export const FIRST_TOKEN_ID = 2;

/** What the training split taught about one text column; saved in the model's text.json. */
export interface FittedTextColumn {
  readonly name: string;
  /** Tokens in id order (entry k is id k + 2). */
  readonly vocabulary: readonly string[];
  /** Smooth inverse document frequency per vocabulary entry. */
  readonly idf: readonly number[];
  /** Training cells the vocabulary was counted on. */
  readonly documents: number;
  /** Share of the training split's token occurrences that fell outside the vocabulary. */
  readonly oovRate: number;
}

/** A set of rows of one table (the training rows of one dataset, say). */
export interface TextRowSet {
  readonly table: DataTable;
  readonly rows: Int32Array;
}

/**
 * Tokens of each distinct text of a column, computed once per distinct text: text columns store
 * each distinct cell once (dictionary codes), and e-mails and reviews repeat.
 */
export class TokenCache {
  private readonly byTable = new Map<DataTable, Map<string, (string[] | undefined)[]>>();
  constructor(readonly tokenizer: TextTokenizer) {}

  /** Tokens of `table`'s cell (row r, column `name`); a missing cell has none. */
  tokens(table: DataTable, name: string, r: number): string[] {
    const col = columnByName(table, name);
    if (!col) throw new Error(`text column "${name}" not found in ${table.path}`);
    if (!isStringColumn(col)) {
      // A numeric column listed as text in another dataset's file: its numbers are its tokens.
      const v = col.type === 'numeric' ? col.values[r] : NaN;
      return Number.isNaN(v) ? [] : this.tokenizer.tokens(String(v));
    }
    let perTable = this.byTable.get(table);
    if (!perTable) this.byTable.set(table, (perTable = new Map()));
    let cache = perTable.get(name);
    if (!cache) perTable.set(name, (cache = new Array(col.dictionary.length)));
    const code = col.codes[r];
    if (code < 0) return [];
    let t = cache[code];
    if (t === undefined) t = cache[code] = this.tokenizer.tokens(categoryAt(col, r) ?? '');
    return t;
  }
}

/** Fits one column's vocabulary and idf on the training rows only. */
export function fitTextColumn(name: string, train: readonly TextRowSet[], cache: TokenCache, spec: Pick<TextSpec, 'maxVocabulary' | 'minCount'>): FittedTextColumn {
  const total = new Map<string, number>();
  const docs = new Map<string, number>();
  let documents = 0;
  let occurrences = 0;
  for (const s of train) {
    for (const r of s.rows) {
      const tokens = cache.tokens(s.table, name, r);
      documents++;
      occurrences += tokens.length;
      const seen = new Set<string>();
      for (const t of tokens) {
        total.set(t, (total.get(t) ?? 0) + 1);
        if (!seen.has(t)) {
          seen.add(t);
          docs.set(t, (docs.get(t) ?? 0) + 1);
        }
      }
    }
  }
  // Most frequent first (scikit-learn's max_features counts occurrences), ties by token so the order is reproducible.
  const ranked = [...total.entries()].filter(([t]) => (docs.get(t) ?? 0) >= spec.minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, spec.maxVocabulary);
  let inVocabulary = 0;
  for (const [, c] of kept) inVocabulary += c;
  const vocabulary = kept.map(([t]) => t);
  const idf = vocabulary.map((t) => Math.log((1 + documents) / (1 + (docs.get(t) ?? 0))) + 1);
  return { name, vocabulary, idf, documents, oovRate: occurrences > 0 ? 1 - inVocabulary / occurrences : 0 };
}

/** Packed width of one text column for an encoder. */
export function packedWidth(encoder: 'bag' | 'conv', maxTokens: number): number {
  return encoder === 'bag' ? 2 * maxTokens : maxTokens;
}

/** Lookup tables for packing rows with a fitted column. */
export class TextPacker {
  private readonly index: Map<string, number>;
  constructor(
    readonly fitted: FittedTextColumn,
    readonly encoder: 'bag' | 'conv',
    readonly pooling: 'tfidf' | 'mean',
    readonly maxTokens: number,
  ) {
    this.index = new Map(fitted.vocabulary.map((t, k) => [t, k + FIRST_TOKEN_ID]));
  }

  get width(): number {
    return packedWidth(this.encoder, this.maxTokens);
  }

  /** Writes one row's packed columns into `out` at `offset`. */
  pack(tokens: readonly string[], out: Float32Array, offset: number): void {
    const L = this.maxTokens;
    if (this.encoder === 'conv') {
      const n = Math.min(L, tokens.length);
      for (let j = 0; j < n; j++) out[offset + j] = this.index.get(tokens[j]) ?? OOV_ID;
      return;
    }
    const counts = new Map<number, number>();
    let inVocabulary = 0;
    for (const t of tokens) {
      const id = this.index.get(t);
      if (id === undefined) continue;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      inVocabulary++;
    }
    if (counts.size === 0) return;
    let entries = [...counts.entries()].map(([id, c]) => [id, this.pooling === 'tfidf' ? c * this.fitted.idf[id - FIRST_TOKEN_ID] : c / inVocabulary] as [number, number]);
    if (this.pooling === 'tfidf') {
      let ss = 0;
      for (const [, w] of entries) ss += w * w;
      const norm = Math.sqrt(ss);
      entries = entries.map(([id, w]) => [id, w / norm]);
    }
    if (entries.length > L) entries = entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, L);
    entries.forEach(([id, w], j) => {
      out[offset + j] = id;
      out[offset + L + j] = w;
    });
  }
}
