/**
 * Duplicate rows of one document model, kept across edits. Rows with the same values in every
 * column form a class (pandas' `duplicated`: all but the first row of a class are duplicates);
 * ragged rows and rows with a broken quote hold no values and belong to none.
 *
 * `first[r]` is the first row of r's class (r itself for the first, -1 for rows without values).
 * An open-addressing table over the rows' hashes (computed by the scan) finds a class by its
 * first row. An edit that re-scans a few rows in place (the record count unchanged) moves just
 * those rows between classes, instead of hashing every row again: on a 100 MB file that pass
 * is the largest part of re-checking after a keystroke. Anything else rebuilds the index.
 */
import { FLAG_UNTERMINATED, type RecordStore } from './recordStore';

/** What the index reads of a document model (CsvModel, which owns the index: hence no import of it). */
export interface RowSource {
  readonly rows: number;
  readonly cols: readonly unknown[];
  readonly store: RecordStore;
  /** Whether two complete rows hold the same values in every column. */
  sameValues(a: number, b: number): boolean;
}

const EMPTY = 0;
/** A slot whose class went away; probing continues past it. */
const TOMBSTONE = -1;
/** Rows changed between two checks above which the model drops the index rather than update it. */
export const MAX_INCREMENTAL_ROWS = 64;

export class DuplicateRows {
  readonly first: Int32Array;
  /** slot -> first row of a class + 1; EMPTY or TOMBSTONE. */
  private table: Int32Array;
  /** Occupied slots plus tombstones: the table is rebuilt when they pass 3/4 of it. */
  private used = 0;
  /** Row count the index describes. */
  readonly rows: number;

  constructor(private readonly model: RowSource) {
    this.rows = model.rows;
    this.first = new Int32Array(this.rows);
    this.table = new Int32Array(0);
    this.build();
  }

  private complete(r: number): boolean {
    const store = this.model.store;
    return store.fields[r] === this.model.cols.length && (store.flags[r] & FLAG_UNTERMINATED) === 0;
  }

  private build(): void {
    let size = 1024;
    while (size < this.rows * 1.5) size *= 2;
    this.table = new Int32Array(size);
    this.used = 0;
    for (let r = 0; r < this.rows; r++) {
      if (!this.complete(r)) this.first[r] = -1;
      else this.join(r, false);
    }
  }

  /**
   * Puts row r (whose `first` entry is free) into its class: the class of an earlier or later
   * row with the same values, or a new one. With `relink`, r may precede the class's first row
   * (rows re-scanned by an edit join out of order), which then moves the class to r.
   */
  private join(r: number, relink: boolean): void {
    const model = this.model;
    const hashes = model.store.hash;
    const table = this.table;
    const mask = table.length - 1;
    const h = hashes[r];
    let slot = h & mask;
    for (;;) {
      const v = table[slot];
      if (v === EMPTY) {
        table[slot] = r + 1;
        this.first[r] = r;
        this.used++;
        return;
      }
      if (v !== TOMBSTONE) {
        const f = v - 1;
        if (hashes[f] === h && model.sameValues(f, r)) {
          if (!relink || f < r) this.first[r] = f;
          else {
            // r comes before the class's first row: it becomes the first.
            const first = this.first;
            for (let x = f; x < this.rows; x++) if (first[x] === f) first[x] = r;
            first[r] = r;
            table[slot] = r + 1;
          }
          return;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Rows re-scanned in place: `oldHashes[i]` is the hash row `rows[i]` had when the index last
   * saw it. Returns false when the index must be rebuilt instead.
   */
  update(rows: readonly number[], oldHashes: readonly number[]): boolean {
    if (this.model.rows !== this.rows) return false;
    const first = this.first;
    const table = this.table;
    const mask = table.length - 1;
    // Take every changed row out of its class first, so none is mistaken for a member of a
    // class it is about to leave.
    const was = rows.map((r) => first[r]);
    for (const r of rows) first[r] = -2;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (was[i] !== r) continue;
      // r was its class's first row: the next member takes over, or the class is gone.
      let next = -1;
      for (let x = r + 1; x < this.rows; x++) {
        if (first[x] !== r) continue;
        if (next < 0) next = x;
        first[x] = next;
      }
      let slot = oldHashes[i] & mask;
      while (table[slot] !== r + 1) {
        if (table[slot] === EMPTY) return false; // not where it should be: rebuild
        slot = (slot + 1) & mask;
      }
      table[slot] = next >= 0 ? next + 1 : TOMBSTONE;
    }
    const order = [...rows].sort((a, b) => a - b);
    for (const r of order) {
      if (!this.complete(r)) first[r] = -1;
      else this.join(r, true);
    }
    if (this.used * 4 > table.length * 3) this.build();
    return true;
  }
}
