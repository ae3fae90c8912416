import type { CompareStep } from '../core/compare';
import { compareProgressLine, type CompareProgressEvent } from '../protocol/compareProgress';

/**
 * A one-line progress indicator on stderr, only when stderr is a terminal; redrawn at most
 * ten times a second. Silent otherwise, so piped and --json output stay clean.
 */
export class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean }) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(label: string, done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    this.stream.write(`\r${label} [${bar}] ${(share * 100).toFixed(0).padStart(3)}% `);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/**
 * `compare --progress-json`: the comparison's stages as JSON lines on stderr
 * (src/protocol/compareProgress.ts), for a program that runs the CLI (the extension). Stage
 * changes are always written; progress within a stage at most ten times a second. The overall
 * fraction is an estimate from the stages' usual share of the time (measured on two 45 MB files
 * of bench/ingest-generate.mjs: reading ~35%, unit differences ~30%, the domain classifier ~20%,
 * the rest a few % each): reading by the files' bytes, then each pair's stages by PAIR_SHARES.
 */
export class CompareProgressWriter {
  private last = 0;
  private lastKey = '';
  private lastDone = -1;
  private lastTotal = -1;
  private fraction = 0;
  private readonly totalBytes: number;

  /** `sizes`: each file's bytes, in command-line order; `streaming`: the streaming mode's stages. */
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly files: readonly string[],
    private readonly sizes: readonly number[],
    private readonly streaming = false,
    private readonly now: () => number = Date.now,
  ) {
    this.totalBytes = sizes.reduce((s, b) => s + b, 0);
  }

  /** Share of the whole spent reading; the rest is split as PAIR_SHARES says. */
  private get readShare(): number {
    return this.streaming ? 0.95 : 0.5;
  }

  /** File `fileIndex` read up to byte `done` of `total`. */
  reading(fileIndex: number, done: number, total: number = this.sizes[fileIndex] ?? 0): void {
    const before = this.sizes.slice(0, fileIndex).reduce((s, b) => s + b, 0);
    const share = this.totalBytes > 0 ? (before + Math.min(done, total)) / this.totalBytes : (fileIndex + (total > 0 ? done / total : 0)) / Math.max(1, this.files.length);
    this.emit({ stage: 'read', done, total, file: this.files[fileIndex], fileIndex, files: this.files.length }, share * this.readShare);
  }

  /** A stage of the in-memory comparison (core's onProgress). */
  step(s: CompareStep): void {
    const r = this.readShare;
    const within = s.total > 0 ? Math.min(1, s.done / s.total) : 0;
    let at: number;
    if (s.stage === 'profile') at = r + 0.03 * within;
    else if (s.stage === 'recommend') at = 0.98;
    else {
      const pairs = Math.max(1, s.pairs ?? 1);
      const span = (0.98 - (r + 0.03)) / pairs;
      const [from, width] = PAIR_SHARES[s.stage];
      at = r + 0.03 + span * ((s.pair ?? 0) + from + width * within);
    }
    this.emit({ stage: s.stage, done: s.done, total: s.total, ...(s.pair !== undefined ? { pair: s.pair, pairs: s.pairs } : {}) }, at);
  }

  /** The streaming mode, after reading: the sketches compared. */
  sketching(): void {
    this.emit({ stage: 'sketch', done: 0, total: 1 }, this.readShare);
  }

  private emit(e: Omit<CompareProgressEvent, 'type' | 'fraction'>, fraction: number): void {
    const key = `${e.stage}/${e.pair ?? ''}/${e.fileIndex ?? ''}`;
    const now = this.now();
    const boundary = key !== this.lastKey || e.done === 0 || e.done >= e.total;
    const repeat = key === this.lastKey && e.done === this.lastDone && e.total === this.lastTotal;
    if (repeat || (!boundary && now - this.last < 100)) return;
    this.last = now;
    this.lastKey = key;
    this.lastDone = e.done;
    this.lastTotal = e.total;
    this.fraction = Math.max(this.fraction, Math.min(1, fraction));
    this.stream.write(compareProgressLine({ type: 'compareProgress', ...e, fraction: Number(this.fraction.toFixed(4)) }) + '\n');
  }
}

/** Where each pair stage starts within the pair's share, and how much of it it takes. */
const PAIR_SHARES: Record<'drift' | 'label' | 'units' | 'domain', readonly [number, number]> = {
  drift: [0, 0.2],
  label: [0.2, 0.05],
  units: [0.25, 0.4],
  domain: [0.65, 0.35],
};
