/**
 * Findings across datasets, for a CSV file that an experiment pairs with others: columns the
 * partner lacks, categories and label values the partner lacks, and drifted features. They go
 * on the header cell of the column concerned; a finding of the pair on one of its two files
 * (crossFindings says which), pointing at the partner.
 */
import * as path from 'node:path';
import type { FeatureComparison, PairComparison } from '../core/compare';
import { alignSchemas, normalizeColumnName } from '../core/schemaAlign';
import { Locator } from './locator';
import { isClassLabel, type ColumnStats } from './columnStats';
import type { CsvModel } from './csvModel';
import type { HeaderFinding } from './csvDiagnostics';
import type { StatsCache } from './statsCache';
import type { ExperimentDataset, Pairing } from './experiments';

export interface Side {
  readonly model: CsvModel;
  readonly stats: StatsCache;
  readonly label?: string;
}

export interface PartnerSide extends Side {
  readonly dataset: ExperimentDataset;
  /** The partner file's URI (an open document's own, else its file: URI), for related information. */
  readonly uri?: string;
  /** The partner has diagnostics of its own (an open document, or checked from disk). */
  readonly open?: boolean;
  /** This file (reference) against the partner, from the comparison engine. */
  comparison?: PairComparison;
}

/** "KS p = 0.0012 < 0.05" and the like: the statistic that decided a feature's drift verdict. */
export function driftEvidence(f: FeatureComparison): string {
  const v = f.verdictValue;
  const shown = Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(3);
  switch (f.method) {
    case 'ks':
      return `KS statistic ${f.ks?.statistic.toFixed(3)}, p = ${shown} < ${f.threshold}`;
    case 'chi2':
      return `chi-squared p = ${shown} < ${f.threshold}`;
    case 'wasserstein':
      return `Wasserstein / reference std = ${shown} >= ${f.threshold}`;
    case 'jensenshannon':
      return `Jensen-Shannon distance = ${shown} >= ${f.threshold}`;
    default:
      return `${f.method} = ${shown} (threshold ${f.threshold})`;
  }
}

const list = (values: readonly string[], max = 5) =>
  values
    .slice(0, max)
    .map((v) => JSON.stringify(v))
    .join(', ') + (values.length > max ? `, ... (${values.length} in all)` : '');

function valuesOf(s: ColumnStats): Set<string> {
  return new Set(s.categories.map(([v]) => v));
}

/**
 * Which file of a pair reports the pair's findings: the dataset listed first in the experiment,
 * or the other one while the first has no diagnostics of its own (not open), so a finding never
 * vanishes with the file it would be on.
 */
export function reportsPairFindings(selfIndex: number, partner: Pick<PartnerSide, 'dataset' | 'open'>): boolean {
  return selfIndex < partner.dataset.index || !partner.open;
}

/**
 * The findings on this file's header cells against each partner. A finding about one column of
 * one pair (a column whose name the partner spells differently, categories or label values one
 * side lacks, drift) is a finding of the pair: it is reported once, on the file
 * reportsPairFindings chooses, with relatedInformation on the partner's header cell of the
 * matching column. A column the partner has no counterpart for can only be reported on the file
 * that has it (relatedInformation: the partner's header line).
 */
export function crossFindings(self: Side, pairing: Pairing, partners: readonly PartnerSide[], tolerance: number): HeaderFinding[] {
  const out: HeaderFinding[] = [];
  // Column lookups by name through one map per model (first column of a name wins, as with
  // findIndex): a search per column would make wide files quadratic.
  const indexes = new Map<CsvModel, Map<string, number>>();
  const colIndex = (m: CsvModel, name: string) => {
    let byName = indexes.get(m);
    if (!byName) {
      byName = new Map();
      for (let i = m.cols.length - 1; i >= 0; i--) byName.set(m.cols[i].name, i);
      indexes.set(m, byName);
    }
    return byName.get(name) ?? -1;
  };
  const selfStats = (c: number) => self.stats.get(c, tolerance);
  const base = { experiment: pairing.experiment.uri, datasetIndex: pairing.self.index };
  for (const p of partners) {
    const pname = `"${p.dataset.name}" (${path.basename(p.dataset.file ?? '')})`;
    const reportsPair = reportsPairFindings(pairing.self.index, p);
    const partnerLoc = new Locator(p.model);
    /** relatedInformation on the partner's header cell of column `pc` (or its header line). */
    const relatedAt = (pc: number, message: string) =>
      p.uri ? { related: [{ location: { uri: p.uri, range: pc >= 0 ? partnerLoc.headerCell(pc) : partnerLoc.headerLine() }, message }] } : {};
    const refs = (m: CsvModel, st: StatsCache, label: string | undefined) =>
      m.cols.map((c, i) => ({ name: c.name, type: st.get(i, tolerance).type })).filter((c) => c.name !== label);
    // One alignment per pair, with the dataset listed first as the reference, so both files of the
    // pair see the same matches and suggestions whichever of them reports.
    const selfFirst = pairing.self.index < p.dataset.index;
    const mine = refs(self.model, self.stats, self.label);
    const theirs = refs(p.model, p.stats, p.label);
    const schema = selfFirst ? alignSchemas(mine, theirs) : alignSchemas(theirs, mine);
    const onlySelf = selfFirst ? schema.onlyReference : schema.onlyOther;
    const matched = schema.matched.map((m) => (selfFirst ? { self: m.reference, partner: m.other } : { self: m.other, partner: m.reference }));
    const suggestions = new Map<string, { partner: string; reason: string }>();
    for (const s of schema.suggestions) suggestions.set(selfFirst ? s.reference : s.other, { partner: selfFirst ? s.other : s.reference, reason: s.reason });
    for (const name of onlySelf) {
      const c = colIndex(self.model, name);
      if (c < 0) continue;
      const suggestion = suggestions.get(name);
      if (!suggestion) {
        out.push({
          column: c,
          code: 'partner-missing-column',
          message: `column "${name}" is not in partner ${pname}`,
          data: { ...base, column: name },
          ...relatedAt(-1, `the columns of ${pname}`),
        });
        continue;
      }
      // A column each file spells its own way: one finding for the two names.
      if (!reportsPair) continue;
      const pc = colIndex(p.model, suggestion.partner);
      out.push({
        column: c,
        code: 'partner-missing-column',
        message: `column "${name}" is not in partner ${pname}; did you mean "${suggestion.partner}" (${suggestion.reason})?`,
        data: { ...base, column: name, renameTo: suggestion.partner, ...(p.uri && pc >= 0 ? { partner: { uri: p.uri, column: suggestion.partner, range: partnerLoc.headerCell(pc), delimiter: String.fromCharCode(p.model.delim) } } : {}) },
        ...relatedAt(pc, `"${suggestion.partner}" in ${pname}`),
      });
    }
    for (const m of reportsPair ? matched : []) {
      const c = colIndex(self.model, m.self);
      const pc = colIndex(p.model, m.partner);
      if (c < 0 || pc < 0) continue;
      const a = selfStats(c);
      const b = p.stats.get(pc, tolerance);
      if (a.type !== 'categorical' || b.type !== 'categorical') continue;
      // Identifier-like columns (ids, dates) differ by nature; their values are not categories.
      const lacking = (x: ColumnStats, y: ColumnStats) => (x.distinct <= 0.5 * x.count ? lacks(x, y) : []);
      const here = lacking(a, b);
      const there = lacking(b, a);
      if (here.length === 0 && there.length === 0) continue;
      const parts: string[] = [];
      if (here.length > 0) parts.push(`${here.length} value(s) of "${m.self}" never occur in partner ${pname}: ${list(here)}`);
      if (there.length > 0) parts.push(`${there.length} value(s) of "${m.partner}" in partner ${pname} never occur in this file: ${list(there)}`);
      out.push({ column: c, code: 'partner-missing-category', message: parts.join('; '), data: { ...base, column: m.self }, ...relatedAt(pc, `"${m.partner}" in ${pname}`) });
    }
    for (const f of reportsPair ? (p.comparison?.features ?? []) : []) {
      if (!f.drift || f.identifierLike) continue;
      const c = colIndex(self.model, f.name);
      if (c < 0) continue;
      const pc = colIndex(p.model, f.otherName ?? f.name);
      out.push({
        column: c,
        code: 'drift',
        message: `"${f.name}" drifted from partner ${pname}: ${driftEvidence(f)} (${f.referenceN} vs ${f.otherN} values)`,
        data: { ...base, column: f.name },
        ...(pc >= 0 ? relatedAt(pc, `"${f.otherName ?? f.name}" in ${pname}`) : {}),
      });
    }
    // Label values one label lacks matter only when one model learns both labels as one target:
    // a merged arm on label columns of the same name. Different label columns (different heads of
    // a multi-head model), or an experiment without a merged arm, expect different label values.
    const mergesLabels =
      self.label !== undefined &&
      p.label !== undefined &&
      normalizeColumnName(self.label) === normalizeColumnName(p.label) &&
      (pairing.experiment.arms.length === 0 || pairing.experiment.arms.includes('merged'));
    if (reportsPair && mergesLabels && self.label !== undefined && p.label !== undefined) {
      const c = colIndex(self.model, self.label);
      const pc = colIndex(p.model, p.label);
      if (c >= 0 && pc >= 0) {
        const a = selfStats(c);
        const b = p.stats.get(pc, tolerance);
        if (a.count > 0 && b.count > 0 && isClassLabel(a) && isClassLabel(b)) {
          const here = lacks(a, b);
          const there = lacks(b, a);
          const parts: string[] = [];
          if (here.length > 0) parts.push(`${here.length} label value(s) of "${self.label}" are not labels of partner ${pname} ("${p.label}"): ${list(here)}`);
          if (there.length > 0) parts.push(`${there.length} label value(s) of "${p.label}" in partner ${pname} are not labels in this file ("${self.label}"): ${list(there)}`);
          if (parts.length > 0) out.push({ column: c, code: 'partner-missing-label', message: parts.join('; '), data: { ...base, column: self.label }, ...relatedAt(pc, `"${p.label}" in ${pname}`) });
        }
      }
    }
  }
  return out;
}

/** The categories of `x` that `y` never takes, most frequent first. */
function lacks(x: ColumnStats, y: ColumnStats): string[] {
  const theirs = valuesOf(y);
  return x.categories.map(([v]) => v).filter((v) => !theirs.has(v));
}
