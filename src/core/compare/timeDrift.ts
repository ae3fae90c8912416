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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

type Part = TimePartDrift['part'];

/** Counts of one calendar part over a column's values, keyed by the part's label. */
export function partCounts(column: DatetimeColumn, part: Part): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < column.values.length; i++) {
    const t = localTime(column, i);
    if (t !== t) continue;
    const p = calendarParts(t);
    const key = part === 'year' ? String(p.year) : part === 'month' ? MONTHS[p.month - 1] : part === 'dayOfWeek' ? DAYS[p.dayOfWeek] : String(Math.floor(p.hour)).padStart(2, '0');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
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
    const lo = Math.max(a[0], b[0]);
    const hi = Math.min(a[a.length - 1], b[b.length - 1]);
    const union = Math.max(a[a.length - 1], b[b.length - 1]) - Math.min(a[0], b[0]);
    overlap = union > 0 ? Math.max(0, hi - lo) / union : a[0] === b[0] ? 1 : 0;
    for (let i = 0; i < b.length; i++) if (b[i] >= a[0] && b[i] <= a[a.length - 1]) inside++;
  }
  const parts: Part[] = ['year', 'month', 'dayOfWeek'];
  if (!ref.dateOnly && !other.dateOnly) parts.push('hour');
  const partDrift: TimePartDrift[] = parts.map((part) => {
    const aligned = alignCounts(partCounts(ref, part), partCounts(other, part));
    const chi2 = chiSquaredHomogeneity(aligned.ref, aligned.other);
    const js = jensenShannonDistance(aligned.ref, aligned.other);
    const v = driftVerdict({ kind: 'categorical', referenceRows: a.length, chi2Pvalue: chi2.pvalue, jensenShannon: js }, thresholds);
    return { part, chi2, jensenShannon: js, drift: v.drift, method: v.method, verdictValue: v.value, threshold: v.threshold };
  });
  const drifted = partDrift.filter((p) => p.drift);
  const pool = drifted.length ? drifted : partDrift.filter((p) => Number.isFinite(p.verdictValue));
  const decided = pool.reduce<TimePartDrift | undefined>((best, p) => (best === undefined || evidence(p) > evidence(best) ? p : best), undefined) ?? partDrift[0];
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
