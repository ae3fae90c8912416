/**
 * What a run says about its text columns before anything trains, for results.json's `textNotes`
 * (printed by `run`, listed by the results view): a column holding one text in every labelled
 * row of a dataset (it cannot tell that dataset's classes apart) or no text at all, cells that
 * were not valid UTF-8 (read with U+FFFD in place of the bad bytes: the file mixes encodings),
 * and very long cells (only `maxTokens` tokens of each are read). Each note names the file.
 */
import { columnByName, isStringColumn } from '../../core/table';
import type { PreparedData } from '../data';
import type { TextSpec } from './textSpec';

/** Cells longer than this many characters are reported (a 1 MB cell is a document, not a field). */
export const LONG_CELL_CHARS = 100_000;

export function textNotes(data: PreparedData, spec: TextSpec): string[] {
  const notes: string[] = [];
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const f of data.features) {
    if (f.type !== 'text') continue;
    for (const s of data.sources) {
      const col = columnByName(s.table, f.name);
      if (!col || !isStringColumn(col)) continue;
      const file = s.table.path;
      const texts = new Set<number>();
      let long = 0;
      let longest = 0;
      let longestRow = -1;
      for (const r of s.rows) {
        const code = col.codes[r];
        if (code < 0) continue;
        texts.add(code);
        const n = col.dictionary[code].length;
        if (n > LONG_CELL_CHARS) {
          long++;
          if (n > longest) [longest, longestRow] = [n, r];
        }
      }
      const nonEmpty = [...texts].filter((c) => col.dictionary[c].trim() !== '');
      if (nonEmpty.length === 0) notes.push(`${file}: text column "${f.name}" holds no text in any labelled row of ${s.name}; it adds nothing to that dataset's models`);
      else if (texts.size === 1 && s.rows.length > 1) {
        const t = col.dictionary[nonEmpty[0]];
        notes.push(`${file}: text column "${f.name}" holds one text in every labelled row of ${s.name} (${JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}...` : t)}); it cannot tell ${s.name}'s classes apart`);
      }
      if (long > 0) {
        const reads = spec.encoder === 'bag' ? `its ${fmt(spec.maxTokens)} highest-weighted distinct tokens` : `its first ${fmt(spec.maxTokens)} tokens`;
        notes.push(`${file}: ${fmt(long)} cell${long > 1 ? 's' : ''} of text column "${f.name}" ${long > 1 ? 'are' : 'is'} longer than ${fmt(LONG_CELL_CHARS)} characters (the longest, ${fmt(longest)}, on data row ${fmt(longestRow + 1)}); the ${spec.encoder} encoder reads ${reads} of each cell (text.maxTokens)`);
      }
      const field = s.table.columns.indexOf(col);
      const bad = s.table.problems.filter((p) => p.code === 'encoding' && (p.field === undefined || p.field === field));
      if (bad.length) {
        const more = s.table.problemCount > s.table.problems.length ? 'at least ' : '';
        notes.push(`${file}: ${more}${fmt(bad.length)} cell${bad.length > 1 ? 's' : ''} of text column "${f.name}" ${bad.length > 1 ? 'are' : 'is'} not valid UTF-8 (first on line ${bad[0].line}); the bad bytes read as U+FFFD, which splits the words they are in: save the file as UTF-8`);
      }
    }
  }
  return notes;
}
