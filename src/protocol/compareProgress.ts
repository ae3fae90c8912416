/**
 * Progress of `dataset-lab compare --progress-json` (CLI -> extension host -> dashboard webview):
 * one JSON object per line on the CLI's stderr, in stage order: `read` (each file, bytes `done`
 * of `total`), `profile` (datasets summarised), then per pair `drift` (columns compared),
 * `label`, `units` (unit differences), `domain` (total 0 while its features are built, then
 * folds), and `recommend`. The streaming mode (--stream) reports `read` and then `sketch`
 * (comparing the files' sketches). `fraction` is the CLI's estimate of the whole
 * comparison done, 0..1, never decreasing.
 *
 * The reader (`parseCompareProgress`) is tolerant: a stage it does not know is still shown by
 * its name, extra fields are ignored, and a line that is not a progress event is left to the
 * caller (problems and notes keep their own lines on stderr).
 */
import { formatCount, formatNumber, formatPercent } from './format';

/** The stages, in the order they happen (the streaming mode's `sketch` replaces profile..recommend). */
export const COMPARE_STAGES = ['read', 'profile', 'drift', 'label', 'units', 'domain', 'sketch', 'recommend'] as const;
export type CompareStage = (typeof COMPARE_STAGES)[number];

export interface CompareProgressEvent {
  readonly type: 'compareProgress';
  /** A CompareStage; a newer CLI may send one this reader does not know (shown by name). */
  readonly stage: string;
  /** Progress within the stage: bytes (read), datasets (profile), columns (drift), folds (domain). */
  readonly done: number;
  readonly total: number;
  /** read: the file (as given on the command line), its index and how many files there are. */
  readonly file?: string;
  readonly fileIndex?: number;
  readonly files?: number;
  /** Pair stages: which comparison against the reference (0-based) of how many. */
  readonly pair?: number;
  readonly pairs?: number;
  /** The whole comparison's estimated share done, 0..1. */
  readonly fraction: number;
}

const PREFIX = '{"type":"compareProgress"';

/** The event on one stderr line, or undefined when the line is something else (a problem, a note). */
export function parseCompareProgress(line: string): CompareProgressEvent | undefined {
  const t = line.trim();
  if (!t.startsWith(PREFIX)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.type !== 'compareProgress' || typeof o.stage !== 'string') return undefined;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const fraction = Math.min(1, Math.max(0, num(o.fraction) ?? 0));
  return {
    type: 'compareProgress',
    stage: o.stage,
    done: num(o.done) ?? 0,
    total: num(o.total) ?? 0,
    fraction,
    ...(typeof o.file === 'string' ? { file: o.file } : {}),
    ...(num(o.fileIndex) !== undefined ? { fileIndex: num(o.fileIndex) } : {}),
    ...(num(o.files) !== undefined ? { files: num(o.files) } : {}),
    ...(num(o.pair) !== undefined ? { pair: num(o.pair) } : {}),
    ...(num(o.pairs) !== undefined ? { pairs: num(o.pairs) } : {}),
  };
}

/** The event as one line of JSON (the CLI's writer). */
export function compareProgressLine(e: CompareProgressEvent): string {
  return JSON.stringify(e);
}

/** A stage's name in words, for the notification and the dashboard. */
export function stageTitle(stage: string): string {
  switch (stage) {
    case 'read':
      return 'Reading the files';
    case 'profile':
      return 'Profiling';
    case 'drift':
      return 'Feature drift';
    case 'label':
      return 'Label comparison';
    case 'units':
      return 'Unit differences';
    case 'domain':
      return 'Domain classifier';
    case 'sketch':
      return 'Comparing the sketches';
    case 'recommend':
      return 'Recommendation';
    default:
      return stage;
  }
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

const mb = (bytes: number) => `${formatNumber(bytes / 1e6, 3)} MB`;

/** What the stage is doing, in words: "reading seattle.csv (file 1 of 2): 1.2 of 3.4 MB". */
export function describeCompareProgress(e: CompareProgressEvent): string {
  const pair = e.pairs !== undefined && e.pairs > 1 && e.pair !== undefined ? ` (pair ${e.pair + 1} of ${e.pairs})` : '';
  switch (e.stage) {
    case 'read': {
      const which = e.files !== undefined && e.fileIndex !== undefined ? ` (file ${e.fileIndex + 1} of ${e.files})` : '';
      const amount = e.total > 0 ? `: ${mb(e.done)} of ${mb(e.total)}` : '';
      return `reading ${e.file ? baseName(e.file) : 'the files'}${which}${amount}`;
    }
    case 'profile':
      return `profiling: dataset ${formatCount(Math.min(e.done + 1, e.total))} of ${formatCount(e.total)}`;
    case 'drift':
      return `feature drift: ${formatCount(e.done)} of ${formatCount(e.total)} columns${pair}`;
    case 'label':
      return `label comparison${pair}`;
    case 'units':
      return `unit differences: columns that differ by a factor${pair}`;
    case 'domain':
      if (e.total === 0) return `domain classifier: sampling rows and building its features${pair}`;
      return `domain classifier: fold ${formatCount(Math.min(e.done + 1, e.total))} of ${formatCount(e.total)}${pair}`;
    case 'sketch':
      return 'comparing the sketches: drift, labels, domain classifier on the sample';
    case 'recommend':
      return 'recommendation';
    default:
      return e.total > 0 ? `${e.stage}: ${formatCount(e.done)} of ${formatCount(e.total)}` : e.stage;
  }
}

/** "42%": the whole comparison's share done. */
export function progressPercent(e: Pick<CompareProgressEvent, 'fraction'>): string {
  return formatPercent(e.fraction, 0);
}
