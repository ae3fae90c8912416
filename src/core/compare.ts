/**
 * Compare N >= 2 datasets pairwise against a reference (the first by default): schema
 * alignment, per-feature drift statistics with effect sizes, label spaces, a domain
 * classifier, and the recommendation. Pure: takes tables, returns a JSON-ready report.
 */
import { crossValidatedDomainAuc } from './domainClassifier';
import { mulberry32 } from './random';
import { recommend, type Recommendation, type RecommendOptions } from './recommend';
import { alignSchemas, type SchemaAlignment } from './schemaAlign';
import { chiSquaredHomogeneity } from './stats/chi2';
import { jensenShannonDistance, psi } from './stats/divergence';
import { mean, std } from './stats/descriptive';
import { DEFAULT_DRIFT_THRESHOLDS, driftVerdict, wassersteinNorm, type DriftThresholds } from './stats/driftRule';
import { ksTwoSample } from './stats/ks';
import { pooledHistogram } from './stats/binning';
import { wasserstein1 } from './stats/wasserstein';
import { sortedFinite } from './sortNumbers';
import type { Column, ColumnType, DataTable, NumericColumn, Problem } from './table';

export interface CompareOptions {
  /** Label column per dataset (same order as the tables); undefined = no label. */
  readonly labels?: readonly (string | undefined)[];
  /** Index of the reference dataset. Default 0. */
  readonly reference?: number;
  readonly thresholds?: Partial<DriftThresholds>;
  readonly recommend?: Partial<RecommendOptions>;
  /** Seed for the domain classifier's folds and sampling. Default 42. */
  readonly seed?: number;
  /** Skip the domain classifier (fast mode). */
  readonly skipDomainClassifier?: boolean;
  /** Number of bins for the shared numeric histograms (PSI, JS, charts). Default 30. */
  readonly bins?: number;
}

export interface ColumnSummary {
  readonly name: string;
  readonly type: ColumnType;
  readonly missing: number;
  readonly typeErrors: number;
  readonly distinct: number;
  /** Share of non-missing rows whose value is unique to the row: an identifier-like column. */
  readonly identifierLike: boolean;
}

export interface DatasetSummary {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly label?: string;
  readonly columns: readonly ColumnSummary[];
}

export interface KsResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly method: 'exact' | 'asymp';
}

export interface Chi2Result {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
}

/** Both datasets' counts over shared bins or categories, ready to chart. */
export interface SharedDistribution {
  /** Numeric: bin edges (length = counts + 1). */
  readonly edges?: readonly number[];
  /** Categorical: category values (same length as the counts). */
  readonly categories?: readonly string[];
  readonly reference: readonly number[];
  readonly other: readonly number[];
}

export interface FeatureComparison {
  /** Column name in the reference dataset. */
  readonly name: string;
  /** Column name in the other dataset, when it differs (matched after normalising). */
  readonly otherName?: string;
  readonly type: ColumnType;
  readonly referenceN: number;
  readonly otherN: number;
  readonly referenceMissingShare: number;
  readonly otherMissingShare: number;
  readonly ks?: KsResult;
  readonly wasserstein?: number;
  readonly wassersteinNorm?: number;
  readonly referenceMean?: number;
  readonly otherMean?: number;
  readonly psi: number;
  readonly jensenShannon: number;
  readonly chi2?: Chi2Result;
  readonly onlyReferenceCategories?: readonly string[];
  readonly onlyOtherCategories?: readonly string[];
  readonly drift: boolean;
  /** The test whose verdict counts: ks | chi2 | wasserstein | jensenshannon. */
  readonly method: string;
  /** The statistic the verdict compared against its threshold. */
  readonly verdictValue: number;
  readonly threshold: number;
  readonly identifierLike: boolean;
  readonly distribution: SharedDistribution;
}

export interface LabelValueCount {
  readonly value: string;
  readonly count: number;
  readonly share: number;
}

export interface LabelComparison {
  readonly referenceColumn: string;
  readonly otherColumn: string;
  readonly task: 'classification' | 'regression';
  readonly sameColumn: boolean;
  readonly shared: readonly string[];
  readonly onlyReference: readonly string[];
  readonly onlyOther: readonly string[];
  /** |shared| / |union| of label values (classification). */
  readonly overlap: number;
  readonly referenceDistribution: readonly LabelValueCount[];
  readonly otherDistribution: readonly LabelValueCount[];
  /** Largest class count / smallest class count, per dataset (classification). */
  readonly referenceImbalance: number;
  readonly otherImbalance: number;
  readonly jensenShannon?: number;
  readonly chi2?: Chi2Result;
  readonly ks?: KsResult;
  readonly wassersteinNorm?: number;
}

export interface DomainClassifierSummary {
  readonly auc: number;
  readonly score: number;
  readonly folds: number;
  readonly rowsUsed: number;
  readonly features: readonly string[];
  /** Features ordered by how much they separate the datasets. */
  readonly topFeatures: readonly { readonly name: string; readonly importance: number }[];
}

export interface PairComparison {
  readonly reference: string;
  readonly other: string;
  readonly schema: SchemaAlignment;
  readonly features: readonly FeatureComparison[];
  readonly label?: LabelComparison;
  readonly domainClassifier?: DomainClassifierSummary;
  /** Share of compared (non-identifier) features that drifted. */
  readonly driftShare: number;
  /** Rows of the larger dataset / rows of the smaller. */
  readonly sizeRatio: number;
  /** Matched feature columns / all distinct feature columns of the pair. */
  readonly sharedFeatureShare: number;
}

export interface ProblemEntry {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}

export interface ComparisonReport {
  readonly version: 1;
  readonly datasets: readonly DatasetSummary[];
  readonly comparisons: readonly PairComparison[];
  readonly recommendation: Recommendation;
  readonly problems: readonly ProblemEntry[];
  readonly thresholds: DriftThresholds;
}

export const DEFAULT_THRESHOLDS: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS;

/** Finite values of a numeric column, in row order. */
export function finiteValues(column: NumericColumn): Float64Array {
  const v = column.values;
  let n = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) out[j++] = v[i];
  return out;
}

/** Reference spread for the normalised Wasserstein: population std (ddof 0), as Evidently uses. */
function populationStd(v: Float64Array): number {
  return v.length < 2 ? 0 : std(v) * Math.sqrt((v.length - 1) / v.length);
}

function countDistinctNumeric(values: Float64Array, cap: number): number {
  const seen = new Set<number>();
  for (let i = 0; i < values.length && seen.size <= cap; i++) seen.add(values[i]);
  return seen.size;
}

/** One sort per column per run: summaries and feature statistics share it. */
const sortedCache = new WeakMap<Float64Array, Float64Array>();
function sortedValues(column: NumericColumn): Float64Array {
  let sorted = sortedCache.get(column.values);
  if (!sorted) {
    sorted = sortedFinite(column.values);
    sortedCache.set(column.values, sorted);
  }
  return sorted;
}

/** Whether two ascending samples hold at most `max` distinct values between them. */
function pooledDistinctAtMost(a: Float64Array, b: Float64Array, max: number): boolean {
  if (countDistinctSorted(a) > max || countDistinctSorted(b) > max) return false;
  return new Set([...new Set(a), ...new Set(b)]).size <= max;
}

/** Distinct values of an ascending array, in one pass. */
function countDistinctSorted(sorted: Float64Array): number {
  let n = sorted.length ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) n++;
  return n;
}

const countsCache = new WeakMap<Column, Map<string, number>>();

/** Category counts of a column (numeric values become their shortest string form); cached per column. */
export function categoryCounts(column: Column): Map<string, number> {
  const cached = countsCache.get(column);
  if (cached) return cached;
  const counts = computeCategoryCounts(column);
  countsCache.set(column, counts);
  return counts;
}

function computeCategoryCounts(column: Column): Map<string, number> {
  const counts = new Map<string, number>();
  if (column.type === 'categorical') {
    const perCode = new Float64Array(column.dictionary.length);
    for (let i = 0; i < column.codes.length; i++) if (column.codes[i] >= 0) perCode[column.codes[i]]++;
    column.dictionary.forEach((v, k) => {
      if (perCode[k] > 0) counts.set(v, perCode[k]);
    });
  } else {
    for (let i = 0; i < column.values.length; i++) {
      const x = column.values[i];
      if (x === x) {
        const key = String(x);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return counts;
}

function nonMissing(column: Column): number {
  if (column.type === 'numeric') return sortedValues(column).length;
  let n = 0;
  for (let i = 0; i < column.codes.length; i++) if (column.codes[i] >= 0) n++;
  return n;
}

function distinctCount(column: Column): number {
  if (column.type === 'categorical') return categoryCounts(column).size;
  return countDistinctSorted(sortedValues(column));
}

/** Counts of both sides aligned over the union of categories, ordered by pooled count. */
export function alignCounts(a: Map<string, number>, b: Map<string, number>): { categories: string[]; ref: number[]; other: number[] } {
  const all = new Set<string>([...a.keys(), ...b.keys()]);
  const categories = [...all].sort((x, y) => (b.get(y) ?? 0) + (a.get(y) ?? 0) - ((b.get(x) ?? 0) + (a.get(x) ?? 0)) || x.localeCompare(y));
  return {
    categories,
    ref: categories.map((c) => a.get(c) ?? 0),
    other: categories.map((c) => b.get(c) ?? 0),
  };
}

function isIdentifierLike(column: Column, n: number): boolean {
  // Mostly-unique categorical values (ids, dates, free text) say nothing about distribution.
  return column.type === 'categorical' && n >= 20 && categoryCounts(column).size >= 0.5 * n;
}

export function summarizeDataset(table: DataTable, label?: string): DatasetSummary {
  return {
    name: table.name,
    path: table.path,
    rows: table.rows,
    ...(label !== undefined ? { label } : {}),
    columns: table.columns.map((c) => {
      const n = nonMissing(c);
      return {
        name: c.name,
        type: c.type,
        missing: c.missing,
        typeErrors: c.typeErrors,
        distinct: distinctCount(c),
        identifierLike: isIdentifierLike(c, n),
      };
    }),
  };
}

function compareFeature(
  ref: Column,
  other: Column,
  refRows: number,
  otherRows: number,
  thresholds: DriftThresholds,
  bins: number,
): FeatureComparison {
  const refN = nonMissing(ref);
  const otherN = nonMissing(other);
  const base = {
    name: ref.name,
    ...(ref.name !== other.name ? { otherName: other.name } : {}),
    referenceN: refN,
    otherN,
    referenceMissingShare: refRows ? (refRows - refN) / refRows : 0,
    otherMissingShare: otherRows ? (otherRows - otherN) / otherRows : 0,
  };
  if (ref.type === 'numeric' && other.type === 'numeric') {
    // Sorted once: KS, Wasserstein and the distinct count all walk the sorted samples.
    const a = sortedValues(ref);
    const b = sortedValues(other);
    const hist = pooledHistogram(a, b, bins, { presorted: true });
    const js = jensenShannonDistance(hist.reference, hist.other);
    const p = psi(hist.reference, hist.other);
    const ks = a.length && b.length ? ksTwoSample(a, b, { presorted: true }) : undefined;
    const w = a.length && b.length ? wasserstein1(a, b, { presorted: true }) : Number.NaN;
    const wNorm = wassersteinNorm(w, populationStd(a));
    // Few distinct values: a numeric code, treated as categorical for the p-value test.
    // Distinct values over both datasets pooled, as Evidently counts them.
    const lowCardinality = pooledDistinctAtMost(a, b, thresholds.categoricalMaxUnique);
    let chi2: Chi2Result | undefined;
    let catJs = js;
    if (lowCardinality) {
      const aligned = alignCounts(categoryCounts(ref), categoryCounts(other));
      chi2 = chiSquaredHomogeneity(aligned.ref, aligned.other);
      catJs = jensenShannonDistance(aligned.ref, aligned.other);
    }
    const verdict = driftVerdict(
      lowCardinality
        ? { kind: 'categorical', referenceRows: refN, chi2Pvalue: chi2?.pvalue ?? 1, jensenShannon: catJs }
        : { kind: 'numeric', referenceRows: refN, ksPvalue: ks?.pvalue ?? 1, wassersteinNorm: wNorm },
      thresholds,
    );
    return {
      ...base,
      type: 'numeric',
      ...(ks ? { ks: { statistic: ks.statistic, pvalue: ks.pvalue, method: ks.method } } : {}),
      wasserstein: w,
      wassersteinNorm: wNorm,
      referenceMean: mean(a),
      otherMean: mean(b),
      psi: p,
      jensenShannon: js,
      ...(chi2 ? { chi2 } : {}),
      drift: verdict.drift,
      method: verdict.method,
      verdictValue: verdict.value,
      threshold: verdict.threshold,
      identifierLike: false,
      distribution: { edges: hist.edges, reference: hist.reference, other: hist.other },
    };
  }
  // Categorical on either side (a type conflict compares both as categories).
  const aligned = alignCounts(categoryCounts(ref), categoryCounts(other));
  const chi2 = chiSquaredHomogeneity(aligned.ref, aligned.other);
  const js = jensenShannonDistance(aligned.ref, aligned.other);
  const p = psi(aligned.ref, aligned.other);
  const identifierLike = isIdentifierLike(ref, refN) || isIdentifierLike(other, otherN);
  const verdict = driftVerdict({ kind: 'categorical', referenceRows: refN, chi2Pvalue: chi2.pvalue, jensenShannon: js }, thresholds);
  const top = 30;
  return {
    ...base,
    type: 'categorical',
    psi: p,
    jensenShannon: js,
    chi2,
    onlyReferenceCategories: aligned.categories.filter((_, i) => aligned.other[i] === 0),
    onlyOtherCategories: aligned.categories.filter((_, i) => aligned.ref[i] === 0),
    drift: verdict.drift,
    method: verdict.method,
    verdictValue: verdict.value,
    threshold: verdict.threshold,
    identifierLike,
    distribution: {
      categories: aligned.categories.slice(0, top),
      reference: aligned.ref.slice(0, top),
      other: aligned.other.slice(0, top),
    },
  };
}

function labelTask(column: Column): 'classification' | 'regression' {
  if (column.type === 'categorical') return 'classification';
  const v = finiteValues(column);
  let integers = true;
  for (let i = 0; i < v.length && integers; i++) integers = Number.isInteger(v[i]);
  return integers && countDistinctNumeric(v, 20) <= 20 ? 'classification' : 'regression';
}

function distribution(counts: Map<string, number>): LabelValueCount[] {
  let total = 0;
  for (const c of counts.values()) total += c;
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value, count]) => ({ value, count, share: total ? count / total : 0 }));
}

function imbalance(counts: Map<string, number>): number {
  const values = [...counts.values()];
  if (values.length === 0) return 1;
  return Math.max(...values) / Math.min(...values);
}

function compareLabels(ref: Column, other: Column): LabelComparison {
  const task = labelTask(ref) === 'regression' && labelTask(other) === 'regression' ? 'regression' : 'classification';
  const base = { referenceColumn: ref.name, otherColumn: other.name, task, sameColumn: ref.name === other.name } as const;
  if (task === 'regression' && ref.type === 'numeric' && other.type === 'numeric') {
    const a = finiteValues(ref);
    const b = finiteValues(other);
    const ks = a.length && b.length ? ksTwoSample(a, b) : undefined;
    return {
      ...base,
      shared: [],
      onlyReference: [],
      onlyOther: [],
      overlap: 1,
      referenceDistribution: [],
      otherDistribution: [],
      referenceImbalance: 1,
      otherImbalance: 1,
      ...(ks ? { ks: { statistic: ks.statistic, pvalue: ks.pvalue, method: ks.method } } : {}),
      wassersteinNorm: a.length && b.length ? wassersteinNorm(wasserstein1(a, b), populationStd(a)) : Number.NaN,
    };
  }
  const ca = categoryCounts(ref);
  const cb = categoryCounts(other);
  const shared = [...ca.keys()].filter((k) => cb.has(k)).sort();
  const onlyReference = [...ca.keys()].filter((k) => !cb.has(k)).sort();
  const onlyOther = [...cb.keys()].filter((k) => !ca.has(k)).sort();
  const union = shared.length + onlyReference.length + onlyOther.length;
  const aligned = alignCounts(ca, cb);
  return {
    ...base,
    shared,
    onlyReference,
    onlyOther,
    overlap: union ? shared.length / union : 0,
    referenceDistribution: distribution(ca),
    otherDistribution: distribution(cb),
    referenceImbalance: imbalance(ca),
    otherImbalance: imbalance(cb),
    jensenShannon: jensenShannonDistance(aligned.ref, aligned.other),
    chi2: chiSquaredHomogeneity(aligned.ref, aligned.other),
  };
}

/** Up to `max` row indices of `n`, sampled without replacement with a seeded PRNG, ascending. */
export function sampleRows(n: number, max: number, seed: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n <= max) return idx;
  const rand = mulberry32(seed);
  // Partial Fisher-Yates: the first `max` slots become a uniform sample.
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.subarray(0, max).sort();
}

/**
 * Feature matrix for the domain classifier over sampled rows of both tables: numeric columns as
 * they are, categoricals with at most 20 categories one-hot (NaN where missing).
 */
function domainFeatures(
  pairs: readonly { ref: Column; other: Column; name: string }[],
  refRows: Uint32Array,
  otherRows: Uint32Array,
): { columns: Float64Array[]; source: string[] } {
  const columns: Float64Array[] = [];
  const source: string[] = [];
  const n = refRows.length + otherRows.length;
  for (const { ref, other, name } of pairs) {
    if (ref.type === 'numeric' && other.type === 'numeric') {
      const col = new Float64Array(n);
      refRows.forEach((r, i) => (col[i] = ref.values[r]));
      otherRows.forEach((r, i) => (col[refRows.length + i] = other.values[r]));
      columns.push(col);
      source.push(name);
      continue;
    }
    const aligned = alignCounts(categoryCounts(ref), categoryCounts(other));
    if (aligned.categories.length > 20) continue;
    const refStrings = stringsAt(ref, refRows);
    const otherStrings = stringsAt(other, otherRows);
    for (const cat of aligned.categories) {
      const col = new Float64Array(n);
      refStrings.forEach((v, i) => (col[i] = v === undefined ? Number.NaN : v === cat ? 1 : 0));
      otherStrings.forEach((v, i) => (col[refRows.length + i] = v === undefined ? Number.NaN : v === cat ? 1 : 0));
      columns.push(col);
      source.push(name);
    }
  }
  return { columns, source };
}

function stringsAt(column: Column, rows: Uint32Array): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(rows.length);
  if (column.type === 'categorical') {
    rows.forEach((r, i) => (out[i] = column.codes[r] < 0 ? undefined : column.dictionary[column.codes[r]]));
  } else {
    rows.forEach((r, i) => (out[i] = column.values[r] === column.values[r] ? String(column.values[r]) : undefined));
  }
  return out;
}

/** Rows per dataset the domain classifier sees (Deepchecks samples 10k per side). */
export const DOMAIN_ROWS_PER_SIDE = 10_000;

export function comparePair(
  refTable: DataTable,
  otherTable: DataTable,
  refLabel: string | undefined,
  otherLabel: string | undefined,
  options: { thresholds: DriftThresholds; bins: number; seed: number; skipDomainClassifier: boolean },
): PairComparison {
  const isLabel = (t: DataTable, c: string, label: string | undefined) => label !== undefined && c === label && t.columns.some((x) => x.name === c);
  const refFeatures = refTable.columns.filter((c) => !isLabel(refTable, c.name, refLabel));
  const otherFeatures = otherTable.columns.filter((c) => !isLabel(otherTable, c.name, otherLabel));
  const schema = alignSchemas(refFeatures, otherFeatures);
  const features: FeatureComparison[] = [];
  const pairs: { ref: Column; other: Column; name: string }[] = [];
  for (const m of schema.matched) {
    const ref = refFeatures.find((c) => c.name === m.reference) as Column;
    const other = otherFeatures.find((c) => c.name === m.other) as Column;
    const f = compareFeature(ref, other, refTable.rows, otherTable.rows, options.thresholds, options.bins);
    features.push(f);
    if (!f.identifierLike) pairs.push({ ref, other, name: m.reference });
  }
  const refLabelCol = refLabel !== undefined ? refTable.columns.find((c) => c.name === refLabel) : undefined;
  const otherLabelCol = otherLabel !== undefined ? otherTable.columns.find((c) => c.name === otherLabel) : undefined;
  const label = refLabelCol && otherLabelCol ? compareLabels(refLabelCol, otherLabelCol) : undefined;

  let domainClassifier: DomainClassifierSummary | undefined;
  if (!options.skipDomainClassifier && pairs.length > 0 && refTable.rows >= 10 && otherTable.rows >= 10) {
    // Sample before building the matrix: memory and time stay bounded on any file size.
    const refRows = sampleRows(refTable.rows, DOMAIN_ROWS_PER_SIDE, options.seed);
    const otherRows = sampleRows(otherTable.rows, DOMAIN_ROWS_PER_SIDE, options.seed + 1);
    const { columns, source } = domainFeatures(pairs, refRows, otherRows);
    if (columns.length > 0) {
      const isOther = new Uint8Array(refRows.length + otherRows.length);
      isOther.fill(1, refRows.length);
      const r = crossValidatedDomainAuc(columns, isOther, { seed: options.seed, maxRowsPerSide: DOMAIN_ROWS_PER_SIDE });
      // Importance per original feature: one-hot parts add up.
      const byFeature = new Map<string, number>();
      r.importance.forEach((imp, i) => byFeature.set(source[i], (byFeature.get(source[i]) ?? 0) + imp));
      domainClassifier = {
        auc: r.auc,
        score: r.score,
        folds: r.folds,
        rowsUsed: r.rowsUsed,
        features: [...new Set(source)],
        topFeatures: [...byFeature.entries()]
          .map(([name, importance]) => ({ name, importance }))
          .sort((a, b) => b.importance - a.importance)
          .slice(0, 10),
      };
    }
  }
  const compared = features.filter((f) => !f.identifierLike);
  const allFeatureNames = schema.matched.length + schema.onlyReference.length + schema.onlyOther.length;
  return {
    reference: refTable.name,
    other: otherTable.name,
    schema,
    features,
    ...(label ? { label } : {}),
    ...(domainClassifier ? { domainClassifier } : {}),
    driftShare: compared.length ? compared.filter((f) => f.drift).length / compared.length : 0,
    sizeRatio: Math.max(refTable.rows, otherTable.rows) / Math.max(1, Math.min(refTable.rows, otherTable.rows)),
    sharedFeatureShare: allFeatureNames ? schema.matched.length / allFeatureNames : 0,
  };
}

export function problemEntries(tables: readonly DataTable[]): ProblemEntry[] {
  const out: ProblemEntry[] = [];
  for (const t of tables) {
    for (const p of t.problems as readonly Problem[]) {
      out.push({ file: p.file, line: p.line, column: p.column, code: p.code, message: p.message });
    }
  }
  return out;
}

/** Make dataset names unique within a run: `a`, `a`, -> `a`, `a-2`. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    if (k === 1) return n;
    let candidate = `${n}-${k}`;
    while (taken.has(candidate)) candidate += '_';
    taken.add(candidate);
    return candidate;
  });
}

export function compareDatasets(tables: readonly DataTable[], options: CompareOptions = {}): ComparisonReport {
  if (tables.length < 2) throw new Error('compare needs at least two datasets');
  const thresholds: DriftThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const refIndex = options.reference ?? 0;
  if (refIndex < 0 || refIndex >= tables.length) throw new Error(`reference index ${refIndex} is out of range`);
  const labels = options.labels ?? [];
  tables.forEach((t, i) => {
    const label = labels[i];
    if (label !== undefined && !t.columns.some((c) => c.name === label)) {
      const err = new Error(`${t.path}: label column "${label}" not found (columns: ${t.columns.map((c) => c.name).join(', ')})`);
      (err as Error & { userFacing: boolean; exitCode: number }).userFacing = true;
      (err as Error & { userFacing: boolean; exitCode: number }).exitCode = 2;
      throw err;
    }
  });
  const ref = tables[refIndex];
  const comparisons = tables
    .map((t, i) => ({ t, i }))
    .filter(({ i }) => i !== refIndex)
    .map(({ t, i }) =>
      comparePair(ref, t, labels[refIndex], labels[i], {
        thresholds,
        bins: options.bins ?? 30,
        seed: options.seed ?? 42,
        skipDomainClassifier: options.skipDomainClassifier ?? false,
      }),
    );
  return {
    version: 1,
    datasets: tables.map((t, i) => summarizeDataset(t, labels[i])),
    comparisons,
    recommendation: recommend(comparisons, tables.map((t, i) => ({ name: t.name, rows: t.rows, label: labels[i] })), options.recommend),
    problems: problemEntries(tables),
    thresholds,
  };
}
