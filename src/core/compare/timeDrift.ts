/**
 * A datetime feature of two datasets (docs/statistics.md, "Dates"): whether they cover the same
 * period (the overlap of the two time ranges) and whether their calendar parts drift: year,
 * month, day of week and, when both have times, hour, each compared as categories by the drift
 * rule (chi-squared p-value up to 1000 reference rows, Jensen-Shannon distance beyond). The
 * feature drifts when a part does; the verdict shown is the part with the strongest evidence.
 * Parts are taken in each cell's wall time, so a zoned timestamp counts in its own zone.
 */
import { calendarParts, localTime } from '../dates/calendar';
import { isoInstant } from '../dates/isoInstant';
import { pooledHistogram } from '../stats/binning';
import { chiSquaredHomogeneity } from '../stats/chi2';
import { jensenShannonDistance, psi } from '../stats/divergence';
import { driftVerdict, type DriftThresholds } from '../stats/driftRule';
import type { DatetimeColumn } from '../table';
import { alignCounts, sortedValues } from './columnCache';
import type { FeatureComparison, TimeComparison, TimePartDrift } from './types';

/** The labels months and days of the week are counted under, in calendar order. */
export const MONTHS: readonly string[] = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const DAYS: readonly string[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

type Part = TimePartDrift['part'];

/** The label a calendar part's value is counted under (the categories the part is compared over). */
export function partLabel(part: Part, p: { readonly year: number; readonly month: number; readonly dayOfWeek: number; readonly hour: number }): string {
  return part === 'year' ? String(p.year) : part === 'month' ? MONTHS[p.month - 1] : part === 'dayOfWeek' ? DAYS[p.dayOfWeek] : String(Math.floor(p.hour)).padStart(2, '0');
}

/** Counts of one calendar part over a column's values, keyed by the part's label. */
export function partCounts(column: DatetimeColumn, part: Part): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < column.values.length; i++) {
    const t = localTime(column, i);
    if (t !== t) continue;
    const key = partLabel(part, calendarParts(t));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Length of the intersection of two time ranges over the length of their union (1 = the same
 * period, 0 = disjoint; two single instants overlap fully when equal). The streaming comparison
 * calls it with its exact minima and maxima.
 */
export function timeOverlap(aMin: number, aMax: number, bMin: number, bMax: number): number {
  const lo = Math.max(aMin, bMin);
  const hi = Math.min(aMax, bMax);
  const union = Math.max(aMax, bMax) - Math.min(aMin, bMin);
  return union > 0 ? Math.max(0, hi - lo) / union : aMin === bMin ? 1 : 0;
}

/** One calendar part's drift from both sides' counts by label; `referenceRows` are the reference's dates (the drift rule's sample size). */
export function timePartDrift(part: Part, reference: Map<string, number>, other: Map<string, number>, referenceRows: number, thresholds: DriftThresholds): TimePartDrift {
  const aligned = alignCounts(reference, other);
  const chi2 = chiSquaredHomogeneity(aligned.ref, aligned.other);
  const js = jensenShannonDistance(aligned.ref, aligned.other);
  const v = driftVerdict({ kind: 'categorical', referenceRows, chi2Pvalue: chi2.pvalue, jensenShannon: js }, thresholds);
  return { part, chi2, jensenShannon: js, drift: v.drift, method: v.method, verdictValue: v.value, threshold: v.threshold };
}

/** The parts compared: year, month, day of week, and hour when both sides have times of day. */
export function comparedParts(referenceDateOnly: boolean, otherDateOnly: boolean): Part[] {
  const parts: Part[] = ['year', 'month', 'dayOfWeek'];
  if (!referenceDateOnly && !otherDateOnly) parts.push('hour');
  return parts;
}

/** The part whose verdict the feature shows: among the drifted parts (else all with a finite figure), the strongest evidence. */
export function decidingPart(parts: readonly TimePartDrift[]): TimePartDrift {
  const drifted = parts.filter((p) => p.drift);
  const pool = drifted.length ? drifted : parts.filter((p) => Number.isFinite(p.verdictValue));
  return pool.reduce<TimePartDrift | undefined>((best, p) => (best === undefined || evidence(p) > evidence(best) ? p : best), undefined) ?? parts[0];
}

/** Printed range ends: the row holding the earliest / latest instant, in its own zone. */
function range(column: DatetimeColumn): [string, string] {
  let lo = -1;
  let hi = -1;
  const v = column.values;
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== v[i]) continue;
    if (lo < 0 || v[i] < v[lo]) lo = i;
    if (hi < 0 || v[i] > v[hi]) hi = i;
  }
  const iso = (i: number) => (i < 0 ? '' : isoInstant(v[i], column.dateOnly, column.offsets?.[i]));
  return [iso(lo), iso(hi)];
}

/** Strength of a part's evidence, to choose the one shown: a small p-value or a large distance. */
function evidence(p: TimePartDrift): number {
  return p.method === 'chi2' ? 1 - p.verdictValue : p.verdictValue;
}

export function compareTime(
  ref: DatetimeColumn,
  other: DatetimeColumn,
  base: Omit<FeatureComparison, 'type' | 'psi' | 'jensenShannon' | 'drift' | 'method' | 'verdictValue' | 'threshold' | 'identifierLike' | 'distribution'>,
  thresholds: DriftThresholds,
  bins: number,
): FeatureComparison {
  const a = sortedValues(ref);
  const b = sortedValues(other);
  let overlap = 0;
  let inside = 0;
  if (a.length && b.length) {
    overlap = timeOverlap(a[0], a[a.length - 1], b[0], b[b.length - 1]);
    for (let i = 0; i < b.length; i++) if (b[i] >= a[0] && b[i] <= a[a.length - 1]) inside++;
  }
  const partDrift = comparedParts(ref.dateOnly === true, other.dateOnly === true).map((part) => timePartDrift(part, partCounts(ref, part), partCounts(other, part), a.length, thresholds));
  const drifted = partDrift.filter((p) => p.drift);
  const decided = decidingPart(partDrift);
  const hist = pooledHistogram(a, b, bins, { presorted: true });
  const time: TimeComparison = {
    referenceRange: range(ref),
    otherRange: range(other),
    overlap,
    otherInReferenceRange: b.length ? inside / b.length : 0,
    parts: partDrift,
    decidedBy: decided.part,
  };
  return {
    ...base,
    type: 'datetime',
    psi: psi(hist.reference, hist.other),
    jensenShannon: jensenShannonDistance(hist.reference, hist.other),
    drift: drifted.length > 0,
    method: decided.method,
    verdictValue: decided.verdictValue,
    threshold: decided.threshold,
    identifierLike: false,
    distribution: { edges: hist.edges, time: true, reference: hist.reference, other: hist.other },
    time,
  };
}
