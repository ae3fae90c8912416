/**
 * Comparison of two streamed files (streamProfile.ts) in bounded memory: columns matched by
 * name; numeric drift (KS, Wasserstein, PSI, Jensen-Shannon, the shared histogram) from the
 * quantile sketches, each figure with the interval the exact value lies in; categorical drift
 * (chi-squared, Jensen-Shannon, PSI) from the category summaries, exact while they are; the
 * drift verdict by the in-memory rule (stats/driftRule.ts), marked unsure when the bound of its
 * deciding figure straddles the threshold; the domain classifier on the reservoir samples; the
 * label columns (left out of the features) compared by streamLabel.ts. A column both files read
 * as dates (streamDates.ts) is compared as the in-memory timeDrift.ts compares dates, with the
 * same functions on exact counts: the two time ranges, their overlap, the drift of year, month,
 * day of week and hour; those decide its verdict.
 */
import { isIdentifierLike } from '../columnKind';
import { alignSchemas, type SchemaAlignment } from '../schemaAlign';
import { chiSquaredHomogeneity } from '../stats/chi2';
import { jensenShannonDistance, psi } from '../stats/divergence';
import { DEFAULT_DRIFT_THRESHOLDS, driftVerdict, wassersteinNorm, type DriftMethod, type DriftThresholds } from '../stats/driftRule';
import { kstwoSf } from '../stats/kstwo';
import { domainClassifierSummary, type DomainPair } from '../compare/domainShift';
import { comparedParts, DAYS, decidingPart, MONTHS, partLabel, timeOverlap, timePartDrift } from '../compare/timeDrift';
import type { DomainClassifierSummary, TimeComparison, TimePartDrift } from '../compare/types';
import { isoInstant } from '../dates/isoInstant';
import type { CategoricalColumn, Column, NumericColumn } from '../table';
import { sketchDistances, sketchHistogram, type Bounded } from './quantileSketch';
import { sampledKind } from './sampledKind';
import { countBetween, followDates, type DateFollowing, type FollowedDates } from './streamDates';
import { compareStreamLabels, type StreamLabelComparison } from './streamLabel';
import type { StreamColumn, StreamProfile } from './streamProfile';

export interface StreamFeature {
  readonly name: string;
  /** The column's name in the other file, when it differs (matched after normalising case, spaces and punctuation, as in memory). */
  readonly otherName?: string;
  /** datetime: both files' cells read as dates in one format each (streamDates.ts); compared by `time`. */
  readonly type: 'numeric' | 'categorical' | 'datetime';
  readonly referenceN: number;
  readonly otherN: number;
  readonly referenceMissingShare: number;
  readonly otherMissingShare: number;
  /** Every figure of this feature is exact (no bucket, no pruned category). */
  readonly exact: boolean;
  readonly ks?: { readonly statistic: Bounded; readonly pvalue: number; readonly pvalueRange: readonly [number, number] };
  readonly wasserstein?: Bounded;
  readonly wassersteinNorm?: Bounded;
  readonly referenceMean?: number;
  readonly otherMean?: number;
  readonly referenceStd?: number;
  readonly psi: number;
  readonly jensenShannon: number;
  readonly chi2?: { readonly statistic: number; readonly pvalue: number; readonly dof: number };
  /** Numeric and datetime: 30 equal-width bins over the pooled range (instants in ms for dates, `time`), and the most a bin's share may be off. */
  readonly distribution?: { readonly edges: number[]; readonly reference: number[]; readonly other: number[]; readonly maxShareError: number; readonly time?: true };
  /** Categorical: the most frequent categories (count lower bounds) and how far below the truth a count may be. */
  readonly categories?: { readonly values: string[]; readonly reference: number[]; readonly other: number[]; readonly referenceUndercount: number; readonly otherUndercount: number };
  readonly drift: boolean;
  readonly method: DriftMethod;
  readonly verdictValue: number;
  readonly threshold: number;
  /** False when the deciding figure's bound straddles the threshold: the exact data could decide otherwise. */
  readonly verdictSure: boolean;
  /**
   * Categorical here, but the sampled cells of both files read as dates or as free text
   * (sampledKind.ts): the in-memory path would compare its time ranges or vocabularies instead.
   */
  readonly sampledKind?: 'datetime' | 'text';
  /** Categorical although its sampled cells read as dates: why its dates could not be followed in one pass. */
  readonly datesNotFollowed?: string;
  /** Datetime: the in-memory comparison of dates (time ranges, overlap, calendar-part drift), from exact counts. */
  readonly time?: StreamTimeComparison;
  /** Categorical with (nearly) a distinct value per row, as the in-memory rule says: no verdict is drawn from it. */
  readonly identifierLike?: boolean;
}

/** One calendar part's counts on both sides, over the labels either side has (as the chi-squared test reads them). */
export interface StreamPartCounts {
  readonly part: TimePartDrift['part'];
  readonly categories: string[];
  readonly reference: number[];
  readonly other: number[];
}

/**
 * TimeComparison (compare/types.ts) as the streaming mode computes it: every figure from exact
 * accumulators (`exact`), except the share of the other file inside the reference's range, which
 * comes from the instants' sketches and carries its interval.
 */
export interface StreamTimeComparison extends TimeComparison {
  /** Ranges, overlap and calendar-part drift come from exact counts. */
  readonly exact: true;
  /** The date format each file's cells were read in. */
  readonly formats: readonly [string, string];
  /** Cells read as dates in each file. */
  readonly dates: readonly [number, number];
  /** The interval the exact `otherInReferenceRange` lies in (equal ends when the sketches are exact). */
  readonly otherInReferenceRangeBounds: readonly [number, number];
  readonly counts: readonly StreamPartCounts[];
}

export interface StreamComparison {
  readonly mode: 'streaming';
  readonly reference: { readonly file: string; readonly rows: number; readonly bytes: number };
  readonly other: { readonly file: string; readonly rows: number; readonly bytes: number };
  readonly features: StreamFeature[];
  readonly onlyInReference: string[];
  readonly onlyInOther: string[];
  /**
   * The in-memory schema alignment (schemaAlign.ts) over the feature columns: columns matched by
   * normalised name, type conflicts, and suggested mappings for the unmatched ones by name
   * similarity. `onlyInReference`/`onlyInOther` are its `onlyReference`/`onlyOther`.
   */
  readonly schema: SchemaAlignment;
  /** The label columns compared (--label / --labels), left out of the features and the domain classifier. */
  readonly label?: StreamLabelComparison;
  readonly domainClassifier?: DomainClassifierSummary & { readonly sampledRows: readonly [number, number] };
  /** What the figures approximate and by how much (docs/scaling.md). */
  readonly approximation: { readonly alpha: number; readonly exactDistinct: number; readonly categoryCapacity: number; readonly sampleRows: number };
}

function ksPvalue(d: number, n1: number, n2: number): number {
  const en = (n1 * n2) / (n1 + n2);
  return Math.min(1, Math.max(0, kstwoSf(Math.round(en), d)));
}

function numericFeature(a: StreamColumn, b: StreamColumn, base: Omit<StreamFeature, 'type' | 'exact' | 'psi' | 'jensenShannon' | 'drift' | 'method' | 'verdictValue' | 'threshold' | 'verdictSure'>, t: DriftThresholds): StreamFeature {
  const dist = sketchDistances(a.sketch, b.sketch);
  const hist = sketchHistogram(a.sketch, b.sketch, 30);
  const refStd = a.numbers > 0 ? Math.sqrt(a.m2 / a.numbers) : NaN;
  const norm = (v: number) => wassersteinNorm(v, refStd);
  const wn: Bounded = { estimate: norm(dist.wasserstein.estimate), lower: norm(dist.wasserstein.lower), upper: norm(dist.wasserstein.upper) };
  const p = ksPvalue(dist.ks.estimate, a.numbers, b.numbers);
  const pRange: [number, number] = [ksPvalue(dist.ks.upper, a.numbers, b.numbers), ksPvalue(dist.ks.lower, a.numbers, b.numbers)];
  const exact = a.sketch.isExact && b.sketch.isExact;
  // A numeric code (few distinct values, known exactly): compared as categories, as in memory.
  const distinctExact = exact ? new Set([...a.sketch.segments(), ...b.sketch.segments()].map((s) => s.l)).size : Infinity;
  let chi2: StreamFeature['chi2'];
  let catJs: number | undefined;
  if (distinctExact <= t.categoricalMaxUnique) {
    const values = [...new Set([...a.sketch.segments(), ...b.sketch.segments()].map((s) => s.l))].sort((x, y) => x - y);
    const count = (c: StreamColumn) => values.map((v) => c.sketch.segments().find((s) => s.l === v)?.c ?? 0);
    const r = chiSquaredHomogeneity(count(a), count(b));
    chi2 = { statistic: r.statistic, pvalue: r.pvalue, dof: r.dof };
    catJs = jensenShannonDistance(count(a), count(b));
  }
  const js = jensenShannonDistance(hist.reference, hist.other);
  const verdict = driftVerdict(
    chi2 ? { kind: 'categorical', referenceRows: a.numbers, chi2Pvalue: chi2.pvalue, jensenShannon: catJs ?? js } : { kind: 'numeric', referenceRows: a.numbers, ksPvalue: p, wassersteinNorm: wn.estimate },
    t,
  );
  let sure = true;
  if (!chi2 && verdict.method === 'wasserstein') sure = (wn.lower >= verdict.threshold) === (wn.upper >= verdict.threshold);
  if (!chi2 && verdict.method === 'ks') sure = (pRange[0] < verdict.threshold) === (pRange[1] < verdict.threshold);
  return {
    ...base,
    type: 'numeric',
    exact,
    ks: { statistic: dist.ks, pvalue: p, pvalueRange: pRange },
    wasserstein: dist.wasserstein,
    wassersteinNorm: wn,
    referenceMean: a.mean,
    otherMean: b.mean,
    referenceStd: refStd,
    psi: psi(hist.reference, hist.other),
    jensenShannon: js,
    ...(chi2 ? { chi2 } : {}),
    distribution: hist,
    drift: verdict.drift,
    method: verdict.method,
    verdictValue: verdict.value,
    threshold: verdict.threshold,
    verdictSure: sure,
  };
}

function categoricalFeature(a: StreamColumn, b: StreamColumn, base: Omit<StreamFeature, 'type' | 'exact' | 'psi' | 'jensenShannon' | 'drift' | 'method' | 'verdictValue' | 'threshold' | 'verdictSure'>, t: DriftThresholds): StreamFeature {
  const values = [...new Set([...a.categories.top().map((x) => x.value), ...b.categories.top().map((x) => x.value)])];
  const ra = values.map((v) => a.categories.get(v));
  const rb = values.map((v) => b.categories.get(v));
  // What the summaries no longer name (pruned categories) is one "(other)" cell per side.
  const restA = a.categories.total - ra.reduce((x, y) => x + y, 0);
  const restB = b.categories.total - rb.reduce((x, y) => x + y, 0);
  if (restA > 0 || restB > 0) {
    ra.push(restA);
    rb.push(restB);
  }
  const chi2 = chiSquaredHomogeneity(ra, rb);
  const js = jensenShannonDistance(ra, rb);
  const verdict = driftVerdict({ kind: 'categorical', referenceRows: a.categories.total, chi2Pvalue: chi2.pvalue, jensenShannon: js }, t);
  const order = values.map((_, i) => i).sort((x, y) => ra[y] + rb[y] - (ra[x] + rb[x]));
  const top = order.slice(0, 30);
  const exact = a.categories.isExact && b.categories.isExact;
  const identifierLike = isIdentifierLike(a.categories.isExact ? a.categories.size : Infinity, a.categories.total) || isIdentifierLike(b.categories.isExact ? b.categories.size : Infinity, b.categories.total);
  return {
    ...base,
    type: 'categorical',
    ...(identifierLike ? { identifierLike } : {}),
    exact,
    psi: psi(ra, rb),
    jensenShannon: js,
    chi2: { statistic: chi2.statistic, pvalue: chi2.pvalue, dof: chi2.dof },
    categories: { values: top.map((i) => values[i]), reference: top.map((i) => ra[i]), other: top.map((i) => rb[i]), referenceUndercount: a.categories.undercount, otherUndercount: b.categories.undercount },
    drift: identifierLike ? false : verdict.drift,
    method: verdict.method,
    verdictValue: verdict.value,
    threshold: verdict.threshold,
    // Pruned summaries merge categories into "(other)": the figures are then estimates without a bound.
    verdictSure: exact,
  };
}

/** A calendar part's exact counts by the labels timeDrift.ts counts under (only the labels that occur). */
function followedPartCounts(d: FollowedDates, part: TimePartDrift['part']): Map<string, number> {
  const c = d.candidate;
  const out = new Map<string, number>();
  const put = (key: string, n: number) => {
    if (n > 0) out.set(key, (out.get(key) ?? 0) + n);
  };
  const at = { year: 1970, month: 1, dayOfWeek: 0, hour: 0 };
  if (part === 'year') for (const [y, n] of c.year) put(partLabel('year', { ...at, year: y }), n);
  if (part === 'month') c.month.forEach((n, k) => put(partLabel('month', { ...at, month: k + 1 }), n));
  if (part === 'dayOfWeek') c.dayOfWeek.forEach((n, k) => put(partLabel('dayOfWeek', { ...at, dayOfWeek: k }), n));
  if (part === 'hour') c.hour.forEach((n, k) => put(partLabel('hour', { ...at, hour: k }), n));
  return out;
}

/** Dates on both sides: timeDrift.ts's figures from the followed formats' exact accumulators. */
function timeFeature(a: FollowedDates, b: FollowedDates, rows: readonly [number, number], base: Omit<StreamFeature, 'type' | 'exact' | 'psi' | 'jensenShannon' | 'drift' | 'method' | 'verdictValue' | 'threshold' | 'verdictSure'>, t: DriftThresholds): StreamFeature {
  const ca = a.candidate;
  const cb = b.candidate;
  const inside = countBetween(cb.instants, ca.min, ca.max);
  const share = (x: number) => (cb.cells ? x / cb.cells : 0);
  const parts = comparedParts(a.dateOnly, b.dateOnly);
  const refCounts = parts.map((p) => followedPartCounts(a, p));
  const otherCounts = parts.map((p) => followedPartCounts(b, p));
  const partDrift = parts.map((p, k) => timePartDrift(p, refCounts[k], otherCounts[k], ca.cells, t));
  const decided = decidingPart(partDrift);
  const counts: StreamPartCounts[] = parts.map((part, k) => {
    const categories = [...new Set([...refCounts[k].keys(), ...otherCounts[k].keys()])];
    // In the order of the part (years ascending, Jan..Dec, Mon..Sun, 00..23), for charts and people.
    const order = categories.sort((x, y) => labelIndex(part, x) - labelIndex(part, y));
    return { part, categories: order, reference: order.map((x) => refCounts[k].get(x) ?? 0), other: order.map((x) => otherCounts[k].get(x) ?? 0) };
  });
  const hist = sketchHistogram(ca.instants, cb.instants, 30);
  const time: StreamTimeComparison = {
    referenceRange: [isoInstant(ca.min, a.dateOnly, ca.minOffset), isoInstant(ca.max, a.dateOnly, ca.maxOffset)],
    otherRange: [isoInstant(cb.min, b.dateOnly, cb.minOffset), isoInstant(cb.max, b.dateOnly, cb.maxOffset)],
    overlap: timeOverlap(ca.min, ca.max, cb.min, cb.max),
    otherInReferenceRange: share(inside.estimate),
    parts: partDrift,
    decidedBy: decided.part,
    exact: true,
    formats: [a.format, b.format],
    dates: [ca.cells, cb.cells],
    otherInReferenceRangeBounds: [share(inside.lower), share(inside.upper)],
    counts,
  };
  return {
    ...base,
    // As in memory: cells that are not dates count as missing.
    referenceN: ca.cells,
    otherN: cb.cells,
    referenceMissingShare: rows[0] ? (rows[0] - ca.cells) / rows[0] : 0,
    otherMissingShare: rows[1] ? (rows[1] - cb.cells) / rows[1] : 0,
    type: 'datetime',
    exact: ca.instants.isExact && cb.instants.isExact,
    psi: psi(hist.reference, hist.other),
    jensenShannon: jensenShannonDistance(hist.reference, hist.other),
    distribution: { ...hist, time: true },
    drift: partDrift.some((p) => p.drift),
    method: decided.method as DriftMethod,
    verdictValue: decided.verdictValue,
    threshold: decided.threshold,
    // Counts are exact: the verdict is what the whole files say.
    verdictSure: true,
    time,
  };
}

/** A part's label's place in calendar order (years and hours by their number). */
function labelIndex(part: TimePartDrift['part'], label: string): number {
  return part === 'month' ? MONTHS.indexOf(label) : part === 'dayOfWeek' ? DAYS.indexOf(label) : Number(label);
}

/** The reservoir rows of one column as a Column for the domain classifier. */
function sampleColumn(c: StreamColumn, rows: readonly (readonly string[])[], j: number, kind: 'numeric' | 'categorical', missing: ReadonlySet<string>): Column {
  if (kind === 'numeric') {
    const values = Float64Array.from(rows, (r) => {
      const s = r[j].trim();
      return s === '' || missing.has(s) ? NaN : Number(s);
    });
    return { name: c.name, type: 'numeric', values, missing: 0, typeErrors: 0 } satisfies NumericColumn;
  }
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(rows, (r) => {
    const s = r[j];
    if (s.trim() === '' || missing.has(s.trim())) return -1;
    let k = index.get(s);
    if (k === undefined) {
      k = dictionary.length;
      dictionary.push(s);
      index.set(s, k);
    }
    return k;
  });
  return { name: c.name, type: 'categorical', codes, dictionary, missing: 0, typeErrors: 0 } satisfies CategoricalColumn;
}

/** Why a column whose sampled cells read as dates in both files was not compared as dates. */
function notFollowed(a: DateFollowing, aFile: string, b: DateFollowing, bFile: string): string {
  const say = (d: DateFollowing, file: string) => (d.status === 'unfollowed' ? `in ${file}, ${d.reason}` : d.status === 'none' ? `in ${file}, too many cells are not dates` : '');
  return [say(a, aFile), say(b, bFile)].filter((x) => x).join('; ');
}

export function compareStreams(ref: StreamProfile, other: StreamProfile, options: { thresholds?: Partial<DriftThresholds>; seed?: number; missingTokens?: readonly string[]; labels?: readonly [string | undefined, string | undefined]; skipDomainClassifier?: boolean } = {}): StreamComparison {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...options.thresholds };
  const [refLabel, otherLabel] = options.labels ?? [undefined, undefined];
  const refFeatures = ref.columns.filter((c) => c.name !== refLabel);
  const otherFeatures = other.columns.filter((c) => c.name !== otherLabel);
  const schema = alignSchemas(
    refFeatures.map((c) => ({ name: c.name, type: c.kind })),
    otherFeatures.map((c) => ({ name: c.name, type: c.kind })),
  );
  const features: StreamFeature[] = [];
  const pairs: DomainPair[] = [];
  const missing = new Set((options.missingTokens ?? ['', 'NA', 'N/A', 'NaN', 'null', '?']).map((s) => s.trim()));
  for (const m of schema.matched) {
    const i = ref.columns.findIndex((c) => c.name === m.reference && c.name !== refLabel);
    const j = other.columns.findIndex((c) => c.name === m.other && c.name !== otherLabel);
    const a = ref.columns[i];
    const b = other.columns[j];
    const refN = a.numbers + a.odd;
    const otherN = b.numbers + b.odd;
    const base = {
      name: a.name,
      ...(m.renamed ? { otherName: b.name } : {}),
      referenceN: a.kind === 'numeric' && b.kind === 'numeric' ? a.numbers : refN,
      otherN: a.kind === 'numeric' && b.kind === 'numeric' ? b.numbers : otherN,
      referenceMissingShare: ref.rows ? (ref.rows - refN) / ref.rows : 0,
      otherMissingShare: other.rows ? (other.rows - otherN) / other.rows : 0,
    };
    const both = a.kind === 'numeric' && b.kind === 'numeric';
    if (both && (a.numbers === 0 || b.numbers === 0)) continue;
    if (both) features.push(numericFeature(a, b, base, t));
    else {
      const ka = sampledKind(ref, a.name, options.missingTokens);
      const kb = sampledKind(other, b.name, options.missingTokens);
      const da = followDates(a, () => ka === 'datetime');
      const db = followDates(b, () => kb === 'datetime');
      if (da.status === 'dates' && db.status === 'dates') features.push(timeFeature(da.dates, db.dates, [ref.rows, other.rows], base, t));
      else {
        const kind = ka !== 'categorical' && ka === kb ? ka : undefined;
        const why = kind === 'datetime' ? notFollowed(da, ref.file, db, other.file) : undefined;
        features.push({ ...categoricalFeature(a, b, base, t), ...(kind ? { sampledKind: kind } : {}), ...(why ? { datesNotFollowed: why } : {}) });
      }
    }
    // High-cardinality categories (pruned summaries, or a distinct value per row) are identifiers more often than features: left out, as in memory.
    if (!both && !(a.categories.isExact && b.categories.isExact)) continue;
    if (!both && (isIdentifierLike(a.categories.size, refN) || isIdentifierLike(b.categories.size, otherN))) continue;
    const kind = both ? 'numeric' : 'categorical';
    pairs.push({ name: a.name, ref: sampleColumn(a, ref.sample, i, kind, missing), other: sampleColumn(b, other.sample, j, kind, missing) });
  }
  const refCol = ref.columns.find((c) => c.name === refLabel);
  const otherCol = other.columns.find((c) => c.name === otherLabel);
  const seed = options.seed ?? 42;
  const domain = options.skipDomainClassifier ? undefined : domainClassifierSummary(pairs, ref.sample.length, other.sample.length, seed);
  return {
    mode: 'streaming',
    reference: { file: ref.file, rows: ref.rows, bytes: ref.bytes },
    other: { file: other.file, rows: other.rows, bytes: other.bytes },
    features,
    onlyInReference: [...schema.onlyReference],
    onlyInOther: [...schema.onlyOther],
    schema,
    ...(refCol && otherCol ? { label: compareStreamLabels(refCol, otherCol) } : {}),
    ...(domain ? { domainClassifier: { ...domain, sampledRows: [ref.sample.length, other.sample.length] as const } } : {}),
    approximation: { alpha: ref.alpha, exactDistinct: ref.exactDistinct, categoryCapacity: ref.categoryCapacity, sampleRows: Math.max(ref.sample.length, other.sample.length) },
  };
}
