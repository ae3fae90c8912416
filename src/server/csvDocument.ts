/**
 * One open CSV/TSV document: its text, model, statistics cache and check scheduling. Edits are
 * applied to the model as they arrive (re-scanning only touched records); full scans run in
 * time slices so the server keeps answering while a large file is read.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { LineIndex } from './lineIndex';
import { PieceText } from './pieceText';
import { CsvModel } from './csvModel';
import { sniffDelimiter } from './csvScanner';
import { StatsCache } from './statsCache';
import type { PairComparison } from '../core/compare';
import { isTabSeparatedPath } from '../protocol/files';

export interface EditRegion {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** Folds successive content changes into one region: old [start, oldEnd) became new [start, newEnd). */
export function mergeRegion(region: EditRegion | undefined, s: number, e: number, inserted: number): EditRegion {
  if (!region) return { start: s, oldEnd: e, newEnd: s + inserted };
  const shift = region.newEnd - region.oldEnd;
  const start = Math.min(region.start, s);
  const oldEnd = e > region.newEnd ? Math.max(region.oldEnd, e - shift) : region.oldEnd;
  const newEnd = Math.max(region.newEnd, e) + inserted - (e - s);
  return { start, oldEnd, newEnd };
}

/**
 * A CSV document's text and version, as the client last sent them. During a burst of edits the
 * text is kept in pieces (PieceText) and joined into one string when it is next asked for.
 */
export class CsvText {
  private lines: LineIndex | undefined;
  private pieces: PieceText | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    private text: string,
  ) {}

  getText(): string {
    if (this.pieces) {
      this.text = this.pieces.toString();
      this.pieces = undefined;
    }
    return this.text;
  }

  /** The line table, built on first use (the first edit), not when the document opens. */
  private index(): LineIndex {
    return (this.lines ??= new LineIndex(this.getText()));
  }

  offsetAt(position: Position): number {
    const index = this.index();
    return index.offsetAt(this.pieces ?? this.text, position.line, position.character);
  }

  /** Replaces text [start, end) with `inserted`; `inPieces` while more edits follow at once. */
  replace(start: number, end: number, inserted: string, inPieces = false): void {
    const index = this.index();
    if (inPieces || this.pieces) {
      const pieces = (this.pieces ??= new PieceText(this.text));
      pieces.replace(start, end, inserted);
      index.update(pieces, start, end, inserted.length);
      if (!inPieces) this.getText();
      return;
    }
    this.text = this.text.slice(0, start) + inserted + this.text.slice(end);
    index.update(this.text, start, end, inserted.length);
  }

  /** Replaces the whole text. */
  reset(text: string): void {
    this.text = text;
    this.pieces = undefined;
    this.lines = undefined;
  }
}

export class CsvDocument {
  doc: CsvText;
  model: CsvModel | undefined;
  stats: StatsCache | undefined;
  /** The model must be rebuilt from the whole text. */
  needsFull = true;
  /** When the oldest change not yet answered by published diagnostics arrived (performance.now()). */
  pendingSince = 0;
  /** Every change since the last publication was applied incrementally. */
  incremental = false;
  lastCheckMs = 0;
  /** When the oldest edit not yet in published diagnostics arrived (performance.now()); 0 when none. */
  uncheckedSince = 0;
  /** What the last check cost, from its start to its publication (ms), waits for edits excluded. */
  checkCostMs = 0;
  /** Duration of the last full scan (ms). */
  lastFullMs = 0;
  timer: NodeJS.Timeout | undefined;
  running = false;
  rerun = false;
  /** Comparison results per partner model, with the column versions they were computed from. */
  readonly comparisons = new WeakMap<CsvModel, { key: string; model: CsvModel; result: PairComparison | undefined; at: number }>();
  compareTimer: NodeJS.Timeout | undefined;
  /** The version whose check was last passed on to open partner documents. */
  propagatedVersion = -1;
  /** Read from disk, not synchronised by the client (a file too large for the editor to share). */
  fromDisk = false;

  constructor(doc: TextDocument) {
    this.doc = new CsvText(doc.uri, doc.languageId, doc.version, doc.getText());
  }

  get uri(): string {
    return this.doc.uri;
  }

  delimiter(): string {
    if (this.doc.languageId === 'tsv' || isTabSeparatedPath(this.doc.uri)) return '\t';
    return sniffDelimiter(this.doc.getText());
  }

  /** Text edited since the model last followed it: the region they cover, or a whole-text change. */
  private pendingRegion: EditRegion | undefined;
  private pendingFull = false;

  /**
   * Applies LSP content changes to the text, and to the model when it can be updated in place.
   * `more`: another edit of this document is next in line; the model (and the joined text)
   * then wait for it, so a burst costs one model update (see sync).
   */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number, more = false): void {
    const doc = this.doc;
    for (const ch of changes) {
      if ('range' in ch) {
        let a = doc.offsetAt(ch.range.start);
        let b = doc.offsetAt(ch.range.end);
        if (a > b) [a, b] = [b, a];
        this.pendingRegion = mergeRegion(this.pendingRegion, a, b, ch.text.length);
        doc.replace(a, b, ch.text, more);
      } else {
        this.pendingFull = true;
        doc.reset(ch.text);
      }
    }
    doc.version = version;
    if (!more) this.sync();
  }

  /** Brings the model up to the text: the edits since it last followed, in one update. */
  sync(): void {
    const region = this.pendingRegion;
    const full = this.pendingFull;
    if (!region && !full) return;
    this.pendingRegion = undefined;
    this.pendingFull = false;
    const text = this.doc.getText();
    if (!full && region && this.model && !this.needsFull && !this.model.scanning) {
      const n = this.model.applyEdit(text, region.start, region.oldEnd, region.newEnd);
      if (n < 0) this.needsFull = true;
    } else this.needsFull = true;
    if (this.needsFull) this.incremental = false;
  }
}
