/**
 * Findings across datasets, for a CSV file that an experiment pairs with others: columns the
 * partner lacks, categories and label values the partner lacks, and drifted features. They go
 * on the header cell of the column concerned.
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
    const refs = (m: CsvModel, st: StatsCache, label: string | undefined) =>
      m.cols.map((c, i) => ({ name: c.name, type: st.get(i, tolerance).type })).filter((c) => c.name !== label);
    const schema = alignSchemas(refs(self.model, self.stats, self.label), refs(p.model, p.stats, p.label));
    const suggestions = new Map<string, (typeof schema.suggestions)[number]>();
    for (let i = schema.suggestions.length - 1; i >= 0; i--) suggestions.set(schema.suggestions[i].reference, schema.suggestions[i]);
    for (const name of schema.onlyReference) {
      const c = colIndex(self.model, name);
      if (c < 0) continue;
      const suggestion = suggestions.get(name);
      out.push({
        column: c,
        code: 'partner-missing-column',
        message: `column "${name}" is not in partner ${pname}${suggestion ? `; did you mean "${suggestion.other}" (${suggestion.reason})?` : ''}`,
        data: { ...base, column: name, ...(suggestion ? { renameTo: suggestion.other } : {}) },
      });
    }
    for (const m of schema.matched) {
      const c = colIndex(self.model, m.reference);
      const pc = colIndex(p.model, m.other);
      if (c < 0 || pc < 0) continue;
      const a = selfStats(c);
      const b = p.stats.get(pc, tolerance);
      // Identifier-like columns (ids, dates) differ by nature; their values are not categories.
      if (a.type === 'categorical' && b.type === 'categorical' && a.distinct <= 0.5 * a.count) {
        const theirs = valuesOf(b);
        const lacking = a.categories.map(([v]) => v).filter((v) => !theirs.has(v));
        if (lacking.length > 0) {
          out.push({
            column: c,
            code: 'partner-missing-category',
            message: `${lacking.length} value(s) of "${m.reference}" never occur in partner ${pname}: ${list(lacking)}`,
            data: { ...base, column: m.reference },
          });
        }
      }
    }
    // Drift is a finding of the pair, not of one file: it is reported once, on the file listed
    // first in the experiment, pointing at the partner's column (related information); on this
    // file when the partner has no diagnostics of its own (not open).
    const reportsPair = pairing.self.index < p.dataset.index || !p.open;
    const partnerLoc = new Locator(p.model);
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
        ...(p.uri && pc >= 0 ? { related: [{ location: { uri: p.uri, range: partnerLoc.headerCell(pc) }, message: `"${f.otherName ?? f.name}" in ${pname}` }] } : {}),
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
    if (mergesLabels && self.label !== undefined && p.label !== undefined) {
      const c = colIndex(self.model, self.label);
      const pc = colIndex(p.model, p.label);
      if (c >= 0 && pc >= 0) {
        const a = selfStats(c);
        const b = p.stats.get(pc, tolerance);
        if (a.count > 0 && b.count > 0 && isClassLabel(a) && isClassLabel(b)) {
          const theirs = valuesOf(b);
          const lacking = a.categories.map(([v]) => v).filter((v) => !theirs.has(v));
          if (lacking.length > 0) {
            out.push({
              column: c,
              code: 'partner-missing-label',
              message: `${lacking.length} label value(s) of "${self.label}" are not labels of partner ${pname} ("${p.label}"): ${list(lacking)}`,
              data: { ...base, column: self.label },
            });
          }
        }
      }
    }
  }
  return out;
}
