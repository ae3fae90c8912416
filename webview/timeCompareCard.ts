/**
 * Compare view, date columns (src/core/compare/timeDrift.ts; in the streaming mode from exact
 * counts, src/core/stream/streamDates.ts): per date column the two time ranges side by side, the
 * overlap of the ranges and the share of the other file inside the reference's range, and each
 * calendar part's drift test (chi-squared p-value or Jensen-Shannon distance, by the drift rule)
 * against its threshold, the part that decided the verdict marked. Works on the in-memory
 * report's features and the streaming document's alike (the fields they share); every number
 * goes through src/protocol/format.ts and is bound to its JSON path (dom.ts bound()).
 */
import { formatCount, formatPercent, formatPValue } from '../src/protocol/format';
import { bound, fmt, h, named, type JsonPath } from './dom';

/** The fields of a date feature's `time` this card reads (TimeComparison, StreamTimeDoc). */
export interface TimeCardInput {
  readonly referenceRange: readonly [string, string] | readonly string[];
  readonly otherRange: readonly [string, string] | readonly string[];
  readonly overlap?: number | null;
  readonly otherInReferenceRange?: number | null;
  readonly otherInReferenceRangeBounds?: readonly [number | null, number | null];
  readonly parts?: readonly {
    readonly part: string;
    readonly chi2?: { readonly pvalue: number | null };
    readonly jensenShannon?: number | null;
    readonly drift?: boolean;
    readonly method?: string;
    readonly verdictValue?: number | null;
    readonly threshold?: number;
  }[];
  readonly decidedBy?: string;
  readonly exact?: boolean;
  readonly formats?: readonly [string, string];
  readonly dates?: readonly [number, number];
}

const PART: Record<string, string> = { year: 'year', month: 'month', dayOfWeek: 'day of week', hour: 'hour' };

/** The Dates card, or null when no feature has a time comparison. `pairPath` is the pair's place in the JSON. */
export function timeCompareCard(features: readonly { readonly name: string; readonly time?: TimeCardInput }[], names: readonly [string, string], pairPath: JsonPath, streaming = false): HTMLElement | null {
  const blocks = features.flatMap((f, i) => (f.time ? [timeBlock(f.name, f.time, names, [...pairPath, 'features', i, 'time'])] : []));
  if (!blocks.length) return null;
  return h(
    'div',
    { class: 'card wide time-compare-card', 'data-card': 'date-columns' },
    h('h3', {}, 'Dates', h('span', { class: 'muted' }, streaming ? ' time ranges and calendar parts from exact counts, as the in-memory comparison computes them' : ' time ranges and calendar parts, in each cell\'s wall time')),
    ...blocks,
  );
}

function timeBlock(name: string, t: TimeCardInput, names: readonly [string, string], at: JsonPath): HTMLElement {
  const share = (x: number | null | undefined, ...k: (string | number)[]) => (typeof x === 'number' && Number.isFinite(x) ? bound(formatPercent(x, 1), [...at, ...k], 'percent') : '–');
  const ranges = h(
    'table',
    { class: 'data time-ranges' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'from'), h('th', {}, 'to'), t.dates ? h('th', { class: 'num' }, 'dates') : null, t.formats ? h('th', {}, 'format') : null)),
    h(
      'tbody',
      {},
      ...([0, 1] as const).map((k) => {
        const range = k === 0 ? t.referenceRange : t.otherRange;
        return h(
          'tr',
          { 'data-side': k === 0 ? 'reference' : 'other' },
          h('td', {}, h('span', { class: `swatch ${k === 0 ? 'ref' : 'other'}` }), named(names[k])),
          h('td', { 'data-range': 'from' }, named(range[0] ?? '')),
          h('td', { 'data-range': 'to' }, named(range[1] ?? '')),
          t.dates ? h('td', { class: 'num' }, bound(formatCount(t.dates[k]), [...at, 'dates', k])) : null,
          t.formats ? h('td', {}, h('code', {}, named(t.formats[k]))) : null,
        );
      }),
    ),
  );
  const b = t.otherInReferenceRangeBounds;
  const approx = b && typeof b[0] === 'number' && typeof b[1] === 'number' && formatPercent(b[0], 1) !== formatPercent(b[1], 1);
  const overlap = h(
    'p',
    { class: 'time-overlap' },
    'Time ranges overlap ',
    share(t.overlap, 'overlap'),
    ' · ',
    share(t.otherInReferenceRange, 'otherInReferenceRange'),
    approx ? h('span', { class: 'muted interval', title: 'from the sketches of the instants: the exact share lies in this interval' }, ' [', share(b[0], 'otherInReferenceRangeBounds', 0), ', ', share(b[1], 'otherInReferenceRangeBounds', 1), ']') : null,
    ` of ${names[1]}'s dates inside ${names[0]}'s range`,
  );
  const parts = h(
    'table',
    { class: 'data time-parts' },
    h('thead', {}, h('tr', {}, h('th', {}, 'calendar part'), h('th', { class: 'num', title: 'the drift test of the part\'s counts against its threshold' }, 'test'), h('th', {}, 'verdict'))),
    h(
      'tbody',
      {},
      ...(t.parts ?? []).map((p, k) => {
        const isP = p.method === 'chi2';
        const value = isP ? bound(formatPValue(p.verdictValue ?? NaN), [...at, 'parts', k, 'verdictValue']) : bound(fmt(p.verdictValue, 3), [...at, 'parts', k, 'verdictValue']);
        const threshold = typeof p.threshold === 'number' ? bound(fmt(p.threshold, 3), [...at, 'parts', k, 'threshold']) : '–';
        return h(
          'tr',
          { 'data-part': p.part, class: p.drift ? 'drifted' : '' },
          h('td', {}, PART[p.part] ?? p.part, p.part === t.decidedBy ? h('span', { class: 'badge subtle', title: 'the feature\'s verdict is this part\'s' }, 'decides') : null),
          h('td', { class: 'num' }, `${isP ? 'χ² p' : 'JS'} `, value, ` ${isP ? (p.drift ? '<' : '≥') : p.drift ? '≥' : '<'} `, threshold),
          h('td', {}, h('span', { class: `verdict ${p.drift ? 'drift' : 'ok'}` }, p.drift ? 'drift' : 'no drift')),
        );
      }),
    ),
  );
  return h(
    'div',
    { class: 'time-block', 'data-feature': name },
    h('h4', {}, named(name), t.exact ? h('span', { class: 'badge subtle', title: 'ranges and calendar-part counts are exact' }, 'exact') : null),
    h('div', { class: 'time-grid' }, h('div', {}, ranges, overlap), parts),
  );
}
