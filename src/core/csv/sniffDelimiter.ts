import { CsvTokenizer, FieldKind, type RecordSink } from './tokenizer';

/** Delimiters considered when none is given, in order of preference on a tie. */
export const DELIMITER_CANDIDATES: readonly string[] = [',', '\t', ';', '|'];

const SNIFF_RECORDS = 50;

class CountSink implements RecordSink {
  readonly counts: number[] = [];
  record(t: CsvTokenizer): void {
    const blank = t.fieldCount === 1 && t.fieldKind[0] === FieldKind.Plain && t.fieldEnd[0] === t.fieldStart[0];
    if (!blank) this.counts.push(t.fieldCount);
    if (this.counts.length >= SNIFF_RECORDS) t.stop = true;
  }
  unterminated(): void {}
}

export interface SniffResult {
  readonly delimiter: string;
  /** Share of the sampled records with the most common field count (1 = all agree). */
  readonly consistency: number;
  readonly fields: number;
}

/**
 * Pick the delimiter that splits the first records (quotes respected) into the same number of
 * fields, preferring full agreement, then more fields, then the order of DELIMITER_CANDIDATES.
 * A file where no candidate gives at least two fields is read as one column split on commas.
 */
export function sniffDelimiter(sample: Uint8Array, start: number, eof: boolean): SniffResult {
  let best: SniffResult = { delimiter: ',', consistency: 0, fields: 1 };
  for (const d of DELIMITER_CANDIDATES) {
    const sink = new CountSink();
    const tokenizer = new CsvTokenizer(d.charCodeAt(0));
    tokenizer.scan(sample, start, eof, sink);
    const counts = sink.counts;
    if (counts.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 0;
    let modeCount = 0;
    for (const [c, n] of freq) {
      if (n > modeCount || (n === modeCount && c > mode)) {
        mode = c;
        modeCount = n;
      }
    }
    if (mode < 2) continue;
    // The header must agree too: a data-only agreement is how decimal commas fool a comma split.
    const consistency = counts[0] === mode ? modeCount / counts.length : (modeCount / counts.length) * 0.5;
    if (consistency > best.consistency || (consistency === best.consistency && mode > best.fields)) {
      best = { delimiter: d, consistency, fields: mode };
    }
  }
  return best;
}
