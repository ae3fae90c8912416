/**
 * The line a date feature gets in `compare`'s text output, in memory and streaming alike: the two
 * time ranges, their overlap, the share of the other file inside the reference's range, and each
 * calendar part's test (chi-squared p-value or Jensen-Shannon distance, by the drift rule).
 */
import type { TimeComparison } from '../core/compare/types';
import { displayText as d, fmt, percent, pvalue } from './format';

export function timeComparisonText(name: string, t: TimeComparison, reference: string, other: string, inside: string = percent(t.otherInReferenceRange)): string {
  const parts = t.parts.map((x) => `${x.part === 'dayOfWeek' ? 'day of week' : x.part} ${x.method === 'chi2' ? `chi2 p ${pvalue(x.chi2.pvalue)}` : `JS ${fmt(x.jensenShannon)}`}${x.drift ? ' DRIFT' : ''}`);
  return `  "${d(name)}" (dates): ${t.referenceRange.join(' to ')} vs ${t.otherRange.join(' to ')}; time ranges overlap ${percent(t.overlap)}, ${inside} of ${d(other)} inside ${d(reference)}'s range; ${parts.join(', ')}\n`;
}
