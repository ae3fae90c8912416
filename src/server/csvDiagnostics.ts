/**
 * Diagnostics for one CSV document from its model: structure, types and quality, each on the
 * exact cell, capped at maxProblems plus one summary.
 */
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver';
import { mixedFormatsMessage } from '../core/dates/inferDates';
import { CellKind } from './csvScanner';
import type { CsvModel } from './csvModel';
import { FLAG_UNTERMINATED } from './recordStore';
import { isClassLabel, type ColumnStats } from './columnStats';
import { SOURCE, type DiagnosticData } from './diagnosticData';
import { Locator } from './locator';
import { findModes, modeOf, type Mode } from './modes';
import { numberRepairs } from './numberRepairs';
import { severityOf, type DiagnosticCode, type ServerSettings } from './settings';
import type { StatsCache } from './statsCache';

/** A cell-level finding before it becomes a Diagnostic (only the first maxProblems are materialised). */
interface Finding {
  row: number;
  col: number;
  code: DiagnosticCode;
  /** Outlier z, first row for duplicates, or the text offset for encoding problems. */
  extra: number;
  /** Outliers of a column with several modes: the mode the z was judged in, and how many modes. */
  mode?: { readonly mode: Mode; readonly of: number };
}

export interface HeaderFinding {
  readonly column: number;
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly data?: DiagnosticData;
  readonly related?: DiagnosticRelatedInformation[];
}

export interface CheckContext {
  readonly uri: string;
  readonly settings: ServerSettings;
  readonly stats: StatsCache;
  /** Label columns named by experiments for this file (exact names). */
  readonly labels: readonly string[];
  /** Cross-dataset findings on header cells, computed by the caller. */
  readonly headerFindings: readonly HeaderFinding[];
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toPrecision(4) : String(Number(x.toFixed(4))));

export function checkCsv(model: CsvModel, ctx: CheckContext): Diagnostic[] {
  const { settings, uri } = ctx;
  const cap = settings.diagnostics.maxProblems;
  const loc = new Locator(model);
  const head: Diagnostic[] = [];
  const sev = (code: DiagnosticCode) => severityOf(settings, code);
  const make = (code: DiagnosticCode, range: Range, message: string, data?: DiagnosticData, related?: DiagnosticRelatedInformation[]): Diagnostic | undefined => {
    const severity = sev(code);
    if (severity === undefined) return undefined;
    const d: Diagnostic = { range, severity, code, source: SOURCE, message };
    if (data) d.data = data;
    if (related && related.length) d.relatedInformation = related;
    return d;
  };
  const pushHead = (d: Diagnostic | undefined) => {
    if (d) head.push(d);
  };
  if (model.header.length === 0) return [];

  // Header cells.
  const firstByName = new Map<string, number>();
  model.header.forEach((h, c) => {
    if (h.name === '') pushHead(make('empty-header', loc.headerCell(c), `column ${c + 1} has an empty header name`, { column: h.name }));
    else if (firstByName.has(h.name)) {
      const first = firstByName.get(h.name)!;
      pushHead(
        make('duplicate-header', loc.headerCell(c), `duplicate header name "${h.name}" (also column ${first + 1})`, { column: h.name }, [
          { location: { uri, range: loc.headerCell(first) }, message: `first "${h.name}"` },
        ]),
      );
    } else firstByName.set(h.name, c);
  });
  if (model.headerUnterminatedAt >= 0) {
    pushHead(make('unterminated-quote', loc.range(model.headerUnterminatedAt, model.headerEnd), 'unterminated quote in the header: the field opened here never closes'));
  }

  // Column-level quality, on header cells.
  const d = settings.diagnostics;
  const lowerLabels = d.labelColumns.map((l) => l.toLowerCase());
  // Experiments name the label exactly; without one, the labelColumns setting (any case) applies.
  const isLabelName = (name: string) => (ctx.labels.length ? ctx.labels.includes(name) : lowerLabels.includes(name.toLowerCase()));
  const stats: ColumnStats[] = model.cols.map((_, c) => ctx.stats.get(c, d.numericTolerance));
  const rows = model.rows;
  if (rows > 0) {
    model.cols.forEach((meta, c) => {
      const s = stats[c];
      const name = meta.name;
      if (s.count === 0) pushHead(make('empty-column', loc.headerCell(c), `column "${name}" has no values in ${s.present} rows`, { column: name }));
      else {
        if (s.distinct === 1 && s.count >= 2) {
          pushHead(make('constant-column', loc.headerCell(c), `column "${name}" has the same value "${s.categories[0]?.[0] ?? fmt(s.min)}" in all ${s.count} non-missing rows`, { column: name }));
        }
        const share = (s.present - s.count) / s.present;
        if (share > d.missingShareThreshold) {
          pushHead(make('high-missing', loc.headerCell(c), `column "${name}" is ${(share * 100).toFixed(1)}% missing (${s.present - s.count} of ${s.present} rows; threshold ${(d.missingShareThreshold * 100).toFixed(0)}%)`, { column: name }));
        }
      }
      if (isLabelName(name) && s.count > 0 && isClassLabel(s) && s.categories.length >= 2) {
        const [maxV, maxN] = s.categories[0];
        const [minV, minN] = s.categories[s.categories.length - 1];
        const ratio = maxN / minN;
        if (ratio > d.imbalanceRatio) {
          pushHead(
            make(
              'class-imbalance',
              loc.headerCell(c),
              `class imbalance in label "${name}": "${maxV}" has ${maxN} rows, "${minV}" has ${minN} (ratio ${ratio.toFixed(1)}, threshold ${d.imbalanceRatio})`,
              { column: name },
            ),
          );
        }
      }
    });
  }
  model.cols.forEach((meta, c) => {
    const mixed = stats[c].mixedDates;
    if (mixed) pushHead(make('mixed-date-formats', loc.headerCell(c), mixedFormatsMessage(meta.name, mixed), { column: meta.name }));
  });
  for (const f of ctx.headerFindings) pushHead(make(f.code, loc.headerCell(f.column), f.message, f.data, f.related));

  // Cell-level findings, each category in row order; keep at most `cap` of each, count all.
  const lists: Finding[][] = [];
  let total = 0;
  const collect = (list: Finding[], f: Finding) => {
    total++;
    if (list.length < cap) list.push(f);
  };
  const store = model.store;
  const ncols = model.cols.length;
  if (sev('ragged-row') !== undefined || sev('unterminated-quote') !== undefined) {
    const list: Finding[] = [];
    for (let r = 0; r < rows; r++) {
      if (store.flags[r] & FLAG_UNTERMINATED && sev('unterminated-quote') !== undefined) collect(list, { row: r, col: -1, code: 'unterminated-quote', extra: 0 });
      else if (store.fields[r] !== ncols && sev('ragged-row') !== undefined) collect(list, { row: r, col: -1, code: 'ragged-row', extra: store.fields[r] });
    }
    lists.push(list);
  }
  for (let c = 0; c < ncols; c++) {
    const s = stats[c];
    // Cells that break the column's kind: text in a numeric column, what is not a date in a date column.
    const mismatch = (s.type === 'numeric' || s.type === 'datetime') && sev('type-mismatch') !== undefined;
    const spelling = s.missingSpellings.size > 0 && sev('missing-spelling') !== undefined;
    const outliers = s.type === 'numeric' && s.numbers >= 10 && sev('outlier') !== undefined && s.mad > 0;
    // Per-column findings depend on that column only: an edit elsewhere reuses them.
    const cached = ctx.stats.memoize(c, `${mismatch}|${spelling}|${outliers}|${d.outlierThreshold}|${cap}|${rows}`, () => columnFindings(model, c, s, mismatch, spelling, outliers, d.outlierThreshold, cap));
    for (const list of cached.lists) lists.push(list);
    total += cached.total;
  }
  // Rows whose label (as an experiment names it) is missing: training leaves them out.
  if (sev('missing-label') !== undefined && ctx.labels.length) {
    model.cols.forEach((meta, c) => {
      if (!ctx.labels.includes(meta.name)) return;
      const kinds = store.kinds[c];
      const list: Finding[] = [];
      let missing = 0;
      for (let r = 0; r < rows; r++) if (kinds[r] === CellKind.Missing) missing++;
      if (!missing) return;
      for (let r = 0; r < rows; r++) if (kinds[r] === CellKind.Missing) collect(list, { row: r, col: c, code: 'missing-label', extra: missing });
      lists.push(list);
    });
  }
  if (sev('encoding') !== undefined) {
    const list: Finding[] = [];
    for (const ch of ['\uFFFD', '\u0000']) {
      for (let i = model.text.indexOf(ch); i >= 0; i = model.text.indexOf(ch, i + 1)) {
        collect(list, { row: model.store.n > 0 && i >= store.start[0] ? model.recordAt(i) : -1, col: -2, code: 'encoding', extra: i });
        if (list.length >= cap) break;
      }
    }
    lists.push(list);
  }
  if (sev('duplicate-row') !== undefined && rows > 1) {
    // Rows with the same values in every column (pandas' duplicated), each linked to the first
    // of them; the index is kept across edits (src/server/duplicates.ts).
    const list: Finding[] = [];
    const first = model.duplicateRows().first;
    for (let r = 0; r < rows; r++) {
      const f = first[r];
      if (f >= 0 && f !== r) collect(list, { row: r, col: -1, code: 'duplicate-row', extra: f });
    }
    lists.push(list);
  }

  const budget = Math.max(0, cap - head.length);
  const merged = mergeByRow(lists, budget);
  const out = head.slice(0, cap);
  for (const f of merged) {
    const diag = materialise(model, loc, f, stats, uri, settings, make);
    if (diag) out.push(diag);
  }
  const all = head.length + total;
  if (all > out.length) {
    out.push({
      range: loc.headerLine(),
      severity: sev('too-many-problems') ?? DiagnosticSeverity.Information,
      code: 'too-many-problems',
      source: SOURCE,
      message: `${all} problems in this file; showing the first ${out.length} (setting datasetLab.diagnostics.maxProblems = ${cap})`,
    });
  }
  return out;
}

function columnFindings(
  model: CsvModel,
  c: number,
  s: ColumnStats,
  mismatch: boolean,
  spelling: boolean,
  outliers: boolean,
  threshold: number,
  cap: number,
): { lists: Finding[][]; total: number } {
  const lists: Finding[][] = [];
  let total = 0;
  const collect = (list: Finding[], f: Finding) => {
    total++;
    if (list.length < cap) list.push(f);
  };
  const store = model.store;
  const rows = store.n;
  const kinds = store.kinds[c];
  // A date column read with a format: its numbers are not dates either.
  const numbersOdd = mismatch && s.date !== undefined && s.date.epoch === undefined;
  if ((s.texts > 0 && (mismatch || spelling)) || (numbersOdd && s.numbers > 0)) {
    const codes = store.codes[c];
    const list: Finding[] = [];
    const odd = s.date?.oddCodes;
    for (let r = 0; r < rows; r++) {
      const k = kinds[r];
      if (k === CellKind.Number) {
        if (numbersOdd) collect(list, { row: r, col: c, code: 'type-mismatch', extra: 0 });
        continue;
      }
      if (k !== CellKind.Text) continue;
      if (s.missingSpellings.has(codes![r])) {
        if (spelling) collect(list, { row: r, col: c, code: 'missing-spelling', extra: 0 });
      } else if (mismatch && (odd === undefined || odd.has(codes![r]))) collect(list, { row: r, col: c, code: 'type-mismatch', extra: 0 });
    }
    lists.push(list);
  }
  if (outliers) {
    // Iglewicz-Hoaglin modified z-score; a column whose MAD is 0 (over half its values equal) has none.
    const values = store.values[c]!;
    const list: Finding[] = [];
    // A column of several modes (two groups mixed) is judged within each mode: the ordinary values
    // of the smaller group are not outliers of the whole column (src/server/modes.ts).
    const numbers: number[] = [];
    for (let r = 0; r < rows; r++) if (kinds[r] === CellKind.Number) numbers.push(values[r]);
    const modes = findModes(numbers);
    if (modes.length > 1) {
      for (let r = 0; r < rows; r++) {
        if (kinds[r] !== CellKind.Number) continue;
        const m = modeOf(modes, values[r]);
        if (!(m.mad > 0)) continue;
        const z = ((values[r] - m.median) * 0.6745) / m.mad;
        if (z > threshold || z < -threshold) collect(list, { row: r, col: c, code: 'outlier', extra: z, mode: { mode: m, of: modes.length } });
      }
    } else {
      const scale = 0.6745 / s.mad;
      const median = s.median;
      for (let r = 0; r < rows; r++) {
        if (kinds[r] !== CellKind.Number) continue;
        const z = (values[r] - median) * scale;
        if (z > threshold || z < -threshold) collect(list, { row: r, col: c, code: 'outlier', extra: z });
      }
    }
    lists.push(list);
  }
  return { lists, total };
}

function mergeByRow(lists: Finding[][], budget: number): Finding[] {
  const all: Finding[] = [];
  for (const l of lists) for (const f of l) all.push(f);
  all.sort((a, b) => a.row - b.row || a.col - b.col);
  return all.slice(0, budget);
}

function materialise(
  model: CsvModel,
  loc: Locator,
  f: Finding,
  stats: ColumnStats[],
  uri: string,
  settings: ServerSettings,
  make: (code: DiagnosticCode, range: Range, message: string, data?: DiagnosticData, related?: DiagnosticRelatedInformation[]) => Diagnostic | undefined,
): Diagnostic | undefined {
  const store = model.store;
  const ncols = model.cols.length;
  switch (f.code) {
    case 'ragged-row': {
      const n = store.fields[f.row];
      const fields = model.fieldsOf(f.row);
      const range = n > ncols ? loc.range(fields.starts[ncols], fields.ends[n - 1]) : loc.row(f.row);
      return make('ragged-row', range, `expected ${ncols} fields, found ${n}`);
    }
    case 'unterminated-quote': {
      const fields = model.fieldsOf(f.row);
      let q = 0;
      for (let i = 0; i < fields.count; i++) if (fields.quoted[i] === 2) q = i;
      return make('unterminated-quote', loc.range(fields.starts[q], fields.ends[q]), 'unterminated quote: this field opens a quote that never closes (read up to the end of the line)');
    }
    case 'type-mismatch': {
      const s = stats[f.col];
      const value = model.cellString(f.col, f.row) ?? '';
      const name = model.cols[f.col].name;
      if (s.date !== undefined && s.date.epoch === undefined) {
        return make('type-mismatch', loc.cell(f.row, f.col), `"${value}" is not a date in date column "${name}" (format ${s.date.format}, like "${s.date.example}"; ${s.date.cells} of ${s.count} values are dates)`, { column: name, value });
      }
      const repair = numberRepairs(value)[0];
      const hint = repair ? `; ${repair.kind === 'thousands' ? 'remove the thousands separator' : 'use "." as the decimal mark'}` : '';
      return make('type-mismatch', loc.cell(f.row, f.col), `"${value}" is not a number in numeric column "${name}" (${s.numbers} of ${s.count} values are numbers)${hint}`, { column: name, value });
    }
    case 'missing-spelling': {
      const value = model.cellString(f.col, f.row) ?? '';
      const name = model.cols[f.col].name;
      return make(
        'missing-spelling',
        loc.cell(f.row, f.col),
        `"${value}" looks like a missing value but is not a missing token (${settings.missingTokens.map((t) => JSON.stringify(t)).join(', ')}); it counts as a value`,
        { column: name, value },
      );
    }
    case 'outlier': {
      const s = stats[f.col];
      const name = model.cols[f.col].name;
      const v = store.values[f.col]![f.row];
      if (f.mode) {
        const m = f.mode.mode;
        const range = `${Number.isFinite(m.low) ? fmt(m.low) : 'below'}${Number.isFinite(m.low) && Number.isFinite(m.high) ? ' to ' : ' '}${Number.isFinite(m.high) ? fmt(m.high) : 'and above'}`;
        return make(
          'outlier',
          loc.cell(f.row, f.col),
          `extreme value ${fmt(v)} in "${name}": robust z = ${f.extra.toFixed(2)} within its mode (the column has ${f.mode.of} modes; this one holds ${m.count} values, ${range}: median ${fmt(m.median)}, MAD ${fmt(m.mad)}; threshold ${settings.diagnostics.outlierThreshold})`,
          { column: name },
        );
      }
      return make('outlier', loc.cell(f.row, f.col), `extreme value ${fmt(v)} in "${name}": robust z = ${f.extra.toFixed(2)} (median ${fmt(s.median)}, MAD ${fmt(s.mad)}; threshold ${settings.diagnostics.outlierThreshold})`, {
        column: name,
      });
    }
    case 'missing-label': {
      const name = model.cols[f.col].name;
      return make('missing-label', loc.cell(f.row, f.col), `the label "${name}" is missing: training leaves this row out (${f.extra} of ${store.n} rows have no label)`, { column: name });
    }
    case 'encoding': {
      const nul = model.text.charCodeAt(f.extra) === 0;
      const message = nul
        ? 'NUL character: this looks like binary data, not text'
        : 'invalid character U+FFFD: bytes here are not valid in the encoding the file was opened with (reopen it with the right encoding)';
      return make('encoding', loc.range(f.extra, f.extra + 1), message);
    }
    case 'duplicate-row': {
      const firstLine = store.line[f.extra] + 1;
      return make('duplicate-row', loc.row(f.row), `duplicate row: same as line ${firstLine}`, undefined, [{ location: { uri, range: loc.row(f.extra) }, message: 'first occurrence' }]);
    }
    default:
      return undefined;
  }
}
