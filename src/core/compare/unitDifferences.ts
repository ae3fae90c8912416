/**
 * Unit differences between two datasets' numeric columns: the same quantity measured in other
 * units shows as a constant factor between the medians (`other ~ factor x reference`), e.g.
 * grams against kilograms or millimetres against inches. Two datasets rarely hold the same
 * population, so the medians of one quantity differ by tens of percent anyway: a large factor is
 * recognised from the medians alone, a small one needs the distributions to agree up to it.
 * Both columns need at least MIN_VALUES finite values and 10/25/50/75/90% quantiles of one sign,
 * none zero. Then, with r the ratio of medians:
 * - r within x1.35 of a common conversion of 10 or more (x1000, 25.4 mm per inch, 3600 s per
 *   hour, ...; or their inverses), or within x1.15 of one between 2.5 and 10, and every
 *   quantile ratio within x1.5 of r (a shift of the values is not a unit): that factor;
 * - r within 2% of a common conversion below 2.5 (1.609 km per mile, 1.8, 2.54 cm per inch),
 *   and every quantile ratio within 5% of r: that factor;
 * - otherwise, |r| at least 2 and every quantile ratio within 5% of r: r itself (3 digits).
 * The windiness of New York against Seattle (x1.57 at the median, x1.44 to x1.71 across the
 * quantiles) is therefore no unit difference. Candidates are the matched columns and the
 * suggested mappings of the schema alignment.
 */
import { quantileSorted } from '../stats/descriptive';
import type { Column } from '../table';

export interface UnitDifference {
  /** Column in the reference dataset. */
  readonly reference: string;
  /** Column in the other dataset (a matched column or a suggested mapping's). */
  readonly other: string;
  /** other / reference: the common conversion factor the ratio of medians is near, else that ratio (3 digits). */
  readonly factor: number;
  /** The ratio of medians as measured. */
  readonly measured: number;
  /** The common conversion the factor matches, reference unit -> other unit (e.g. "g -> kg"), when it matches one. */
  readonly conversion?: string;
  readonly referenceMedian: number;
  readonly otherMedian: number;
}

const MIN_VALUES = 20;
const QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9];
const MIN_RATIO = 1.5;
const MIN_UNKNOWN_RATIO = 2;
const SPREAD = 0.05;
const LOOSE_SPREAD = 1.5;

/** other / reference for common unit pairs: [factor, reference unit, other unit] (one likely pair per factor: x1000 is also km -> m). */
const CONVERSIONS: readonly (readonly [number, string, string])[] = [
  [10, 'cm', 'mm'],
  [100, 'm', 'cm'],
  [1000, 'kg', 'g'],
  [1e6, 'millions', 'units'],
  [2.54, 'inches', 'cm'],
  [25.4, 'inches', 'mm'],
  [0.3048, 'feet', 'm'],
  [12, 'feet', 'inches'],
  [1.609344, 'miles', 'km'],
  [0.45359237, 'pounds', 'kg'],
  [28.349523125, 'ounces', 'g'],
  [3.6, 'm/s', 'km/h'],
  [2.236936, 'm/s', 'mph'],
  [1.943844, 'm/s', 'knots'],
  [60, 'hours', 'minutes'],
  [3600, 'hours', 'seconds'],
  [3.785411784, 'US gallons', 'litres'],
  [1.8, 'Celsius degrees', 'Fahrenheit degrees'],
];

function finiteSorted(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) out[m++] = v;
  return out.subarray(0, m).sort();
}

/** max(r, 1/r): how far from 1 a ratio is, either way. */
const magnitude = (r: number) => Math.max(r, 1 / r);

/** How far (as a factor) a ratio of medians may be from a conversion of this size. */
function tolerance(factor: number): number {
  const m = magnitude(factor);
  return m >= 10 ? 1.35 : m >= 2.5 ? 1.15 : 1.02;
}

/** The common conversion nearest to `ratio` (in log distance) that it is within tolerance of. */
function nearestConversion(ratio: number): { factor: number; conversion: string } | undefined {
  let best: { factor: number; conversion: string; distance: number } | undefined;
  for (const [f, from, to] of CONVERSIONS) {
    for (const [factor, conversion] of [[f, `${from} -> ${to}`], [1 / f, `${to} -> ${from}`]] as const) {
      const distance = Math.abs(Math.log(ratio / factor));
      if (distance <= Math.log(tolerance(factor)) && (!best || distance < best.distance)) best = { factor, conversion, distance };
    }
  }
  return best && { factor: best.factor, conversion: best.conversion };
}

/** The unit difference between two numeric columns, or undefined when they are not one quantity up to a factor. */
export function unitDifference(reference: Column, other: Column): UnitDifference | undefined {
  if (reference.type !== 'numeric' || other.type !== 'numeric') return undefined;
  const a = finiteSorted(reference.values);
  const b = finiteSorted(other.values);
  if (a.length < MIN_VALUES || b.length < MIN_VALUES) return undefined;
  const qa = QUANTILES.map((q) => quantileSorted(a, q));
  const qb = QUANTILES.map((q) => quantileSorted(b, q));
  const ratios = qa.map((x, i) => qb[i] / x);
  if (ratios.some((r) => !Number.isFinite(r) || r <= 0)) return undefined;
  const measured = ratios[2];
  if (magnitude(measured) < MIN_RATIO) return undefined;
  const proportional = ratios.every((r) => Math.abs(r / measured - 1) <= SPREAD);
  // Populations differ, but a unit keeps every quantile's ratio near the median's; a shift does not.
  const alike = ratios.every((r) => magnitude(r / measured) <= LOOSE_SPREAD);
  const known = nearestConversion(measured);
  let factor: number;
  let conversion: string | undefined;
  if (known && ((magnitude(known.factor) >= 2.5 && alike) || proportional)) ({ factor, conversion } = known);
  else if (proportional && magnitude(measured) >= MIN_UNKNOWN_RATIO) factor = Number(measured.toPrecision(3));
  else return undefined;
  return { reference: reference.name, other: other.name, factor, measured, ...(conversion ? { conversion } : {}), referenceMedian: qa[2], otherMedian: qb[2] };
}

/** The unit differences among column pairs (reference, other) of two tables. */
export function unitDifferences(pairs: readonly (readonly [Column, Column])[]): UnitDifference[] {
  const out: UnitDifference[] = [];
  for (const [r, o] of pairs) {
    const d = unitDifference(r, o);
    if (d) out.push(d);
  }
  return out;
}
