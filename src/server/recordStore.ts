/**
 * The storage under a document model (csvModel.ts): records in columnar form (offset, line, field
 * count, flags, row hash; per column the cell kinds, numbers and dictionary codes) and each
 * column's string dictionary. On its own so that readers of the store (the duplicate-row index)
 * need not import the model that owns it.
 */
import { detach } from './csvScanner';

/** Record flags (RecordStore.flags): a quote that never closes, and a record over several lines. */
export const FLAG_UNTERMINATED = 1;
export const FLAG_MULTILINE = 2;
/** A cell of the record has white space around its value (the dictionary holds it trimmed). */
export const FLAG_PADDED = 4;

/**
 * Per-column facts shared by every store of one model: name and the string dictionary. The
 * dictionary is an open-addressing table over text ranges, so a repeated category is found
 * without allocating a string for it.
 */
export class ColumnMeta {
  readonly strings: string[] = [];
  private hashes = new Int32Array(16);
  private table = new Int32Array(32).fill(-1);
  /** Cells per kind in the main store: [absent, number, missing, text]. */
  readonly counts = [0, 0, 0, 0];
  /** Bumped whenever a cell of the column changes; statistics are cached per version. */
  version = 0;
  constructor(readonly name: string) {}

  /** The code of text[s, e), added to the dictionary when new. */
  intern(text: string, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    const table = this.table;
    const mask = table.length - 1;
    let slot = h & mask;
    const len = e - s;
    for (;;) {
      const code = table[slot];
      if (code < 0) break;
      if (this.hashes[code] === h) {
        const candidate = this.strings[code];
        if (candidate.length === len && text.startsWith(candidate, s)) return code;
      }
      slot = (slot + 1) & mask;
    }
    const code = this.strings.length;
    this.strings.push(detach(text.slice(s, e)));
    if (code === this.hashes.length) {
      const grown = new Int32Array(code * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[code] = h;
    table[slot] = code;
    if ((code + 1) * 2 > table.length) this.rehash(table.length * 2);
    return code;
  }

  private rehash(size: number): void {
    const table = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let code = 0; code < this.strings.length; code++) {
      let slot = this.hashes[code] & mask;
      while (table[slot] >= 0) slot = (slot + 1) & mask;
      table[slot] = code;
    }
    this.table = table;
  }
}

/** Records in columnar form. The model keeps one; an edit fills a small one and splices it in. */
export class RecordStore {
  n = 0;
  cap: number;
  start: Int32Array;
  line: Int32Array;
  fields: Int32Array;
  flags: Uint8Array;
  /** Hash of each complete row's values, for duplicate detection. */
  hash: Int32Array;
  kinds: Uint8Array[];
  values: (Float64Array | null)[];
  codes: (Int32Array | null)[];

  constructor(
    readonly ncols: number,
    cap: number,
  ) {
    this.cap = Math.max(16, cap);
    this.start = new Int32Array(this.cap);
    this.line = new Int32Array(this.cap);
    this.fields = new Int32Array(this.cap);
    this.flags = new Uint8Array(this.cap);
    this.hash = new Int32Array(this.cap);
    this.kinds = Array.from({ length: ncols }, () => new Uint8Array(this.cap));
    this.values = new Array<Float64Array | null>(ncols).fill(null);
    this.codes = new Array<Int32Array | null>(ncols).fill(null);
  }

  ensure(cap: number): void {
    if (cap <= this.cap) return;
    const next = Math.max(cap, Math.ceil(this.cap * 1.5));
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(next);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.start = grow32(this.start);
    this.line = grow32(this.line);
    this.fields = grow32(this.fields);
    this.hash = grow32(this.hash);
    const f = new Uint8Array(next);
    f.set(this.flags.subarray(0, this.n));
    this.flags = f;
    for (let c = 0; c < this.ncols; c++) {
      const k = new Uint8Array(next);
      k.set(this.kinds[c].subarray(0, this.n));
      this.kinds[c] = k;
      const v = this.values[c];
      if (v) {
        const w = new Float64Array(next);
        w.set(v.subarray(0, this.n));
        this.values[c] = w;
      }
      const d = this.codes[c];
      if (d) this.codes[c] = grow32(d);
    }
    this.cap = next;
  }

  valuesOf(c: number): Float64Array {
    let v = this.values[c];
    if (!v) {
      v = new Float64Array(this.cap);
      this.values[c] = v;
    }
    return v;
  }

  codesOf(c: number): Int32Array {
    let v = this.codes[c];
    if (!v) {
      v = new Int32Array(this.cap);
      this.codes[c] = v;
    }
    return v;
  }
}
