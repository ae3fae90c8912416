/**
 * Dates and free text in the streaming mode: the streamed summaries hold every non-numeric column
 * as categories; whether its cells read as dates or as prose is judged on the uniform row sample
 * (reservoir, 10,000 rows by default) by the in-memory rules (inferDateFormat, stringKind), so the
 * output can say which categorical columns the in-memory path would compare as dates or text.
 */
import { stringKind } from '../columnKind';
import { inferDateFormat } from '../dates/inferDates';
import type { StreamProfile } from './streamProfile';

/** Cells of a sampled column (missing ones left out) as distinct values and their counts. */
function sampledValues(p: StreamProfile, name: string, missing: ReadonlySet<string>): { values: string[]; counts: number[] } {
  const j = p.columns.findIndex((c) => c.name === name);
  const counts = new Map<string, number>();
  if (j >= 0) {
    for (const row of p.sample) {
      const v = row[j];
      if (v === undefined || missing.has(v.trim())) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  return { values: [...counts.keys()], counts: [...counts.values()] };
}

/** Whether a column's sampled cells read as dates, as free text, or as categories (missing cells left out). */
export function sampledKind(p: StreamProfile, name: string, missingTokens: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'null', '?']): 'datetime' | 'text' | 'categorical' {
  const { values, counts } = sampledValues(p, name, new Set(missingTokens.map((t) => t.trim())));
  if (values.length === 0) return 'categorical';
  if (inferDateFormat(values, counts, 0.05).kind === 'datetime') return 'datetime';
  return stringKind(values, counts);
}

