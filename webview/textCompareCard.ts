/**
 * Compare view, text columns (src/core/compare/textDrift.ts): per text column, the lengths of
 * both sides (mean, median; KS, W1 / reference std, Jensen-Shannon of the length histograms),
 * the vocabularies (Jaccard index of the top-k sets, sizes, out-of-vocabulary rate both ways,
 * Jensen-Shannon of the token distributions) and each side's most frequent tokens side by side.
 * Every number goes through src/protocol/format.ts and is bound to its JSON path (dom.ts bound()).
 */
import type { ComparisonReport } from '../src/protocol/dashboard';
import { formatCount, formatNumber, formatPercent, formatPValue } from '../src/protocol/format';
import { regressionLabelChart } from './charts';
import { bound, h, named, type JsonPath } from './dom';

type Pair = ComparisonReport['comparisons'][number];
type Feature = Pair['features'][number];
type Text = NonNullable<Feature['text']>;

/** The Text columns card, or null when the pair has no text column. `pairPath` is the pair's place in the JSON. */
export function textCompareCard(pair: Pair, names: readonly [string, string], pairPath: JsonPath, width = 1000): HTMLElement | null {
  // The length chart sits in the left half of the card beside the token tables (below them when narrow).
  const chartWidth = Math.min(520, Math.max(280, width / 2 - 80));
  const blocks = pair.features.flatMap((f, i) => (f.type === 'text' && f.text ? [textBlock(f, f.text, names, [...pairPath, 'features', i], chartWidth)] : []));
  if (!blocks.length) return null;
  return h(
    'div',
    { class: 'card wide text-compare-card', 'data-card': 'text-columns' },
    h('h3', {}, 'Text columns', h('span', { class: 'muted' }, ' lengths in characters per value; tokens as the profile counts them')),
    h('div', { class: 'legend' }, h('span', { class: 'swatch ref' }), names[0], h('span', { class: 'swatch other' }), names[1]),
    ...blocks,
  );
}

function textBlock(f: Feature, t: Text, names: readonly [string, string], featurePath: JsonPath, chartWidth: number): HTMLElement {
  const at = (...k: (string | number)[]) => [...featurePath, 'text', ...k];
  const n = (x: number, ...k: (string | number)[]) => bound(formatNumber(x, 4), at(...k));
  const share = (x: number, ...k: (string | number)[]) => bound(formatPercent(x, 1), at(...k), 'percent');
  const lengths = h(
    'table',
    { class: 'data text-lengths' },
    h('thead', {}, h('tr', {}, h('th', {}, 'length'), h('th', { class: 'num' }, 'mean'), h('th', { class: 'num' }, 'median'), h('th', { class: 'muted small' }, 'bar mean · tick median'))),
    h(
      'tbody',
      {},
      ...([0, 1] as const).map((k) => {
        const key = k === 0 ? 'referenceLength' : 'otherLength';
        const len = t[key];
        const widest = Math.max(t.referenceLength.mean, t.otherLength.mean, t.referenceLength.median, t.otherLength.median, 1);
        return h(
          'tr',
          { 'data-side': k === 0 ? 'reference' : 'other' },
          h('td', {}, h('span', { class: `swatch ${k === 0 ? 'ref' : 'other'}` }), named(names[k])),
          h('td', { class: 'num' }, n(len.mean, key, 'mean')),
          h('td', { class: 'num' }, n(len.median, key, 'median')),
          h('td', { class: 'len-bars', title: 'mean (bar) and median (tick), on one scale for both datasets' }, h('span', { class: `len-bar ${k === 0 ? 'ref' : 'other'}`, style: `width: ${(100 * len.mean) / widest}%` }), h('span', { class: 'len-median', style: `left: ${(100 * len.median) / widest}%` })),
        );
      }),
    ),
  );
  const ks = t.lengthKs;
  const lengthTests = h(
    'p',
    { class: 'muted small text-length-tests' },
    ks ? h('span', {}, 'KS D ', n(ks.statistic, 'lengthKs', 'statistic'), ', p ', bound(formatPValue(ks.pvalue), at('lengthKs', 'pvalue')), ' · ') : null,
    'W1/σ ',
    n(t.lengthWassersteinNorm, 'lengthWassersteinNorm'),
    ' · JS ',
    n(t.lengthJensenShannon, 'lengthJensenShannon'),
  );
  const vocabulary = h(
    'dl',
    { class: 'text-vocabulary' },
    h('dt', { title: `|A ∩ B| / |A ∪ B| of the ${formatCount(t.topK)} most frequent tokens of each side` }, 'Vocabulary Jaccard (top ', bound(formatCount(t.topK), at('topK')), ')'),
    h('dd', {}, n(t.vocabularyJaccard, 'vocabularyJaccard')),
    h('dt', {}, 'Distinct tokens'),
    h('dd', {}, bound(formatCount(t.referenceVocabulary), at('referenceVocabulary')), ' / ', bound(formatCount(t.otherVocabulary), at('otherVocabulary'))),
    h('dt', { title: `share of ${names[1]}'s token occurrences that never occur in ${names[0]}` }, 'OOV of ', named(names[1]), ' in ', named(names[0])),
    h('dd', {}, share(t.otherOovRate, 'otherOovRate')),
    h('dt', { title: `share of ${names[0]}'s token occurrences that never occur in ${names[1]}` }, 'OOV of ', named(names[0]), ' in ', named(names[1])),
    h('dd', {}, share(t.referenceOovRate, 'referenceOovRate')),
    h('dt', { title: 'Jensen-Shannon distance between the token distributions (both top-k vocabularies, every other token pooled)' }, 'Token JS'),
    h('dd', {}, n(t.tokenJensenShannon, 'tokenJensenShannon')),
  );
  // Both length distributions on shared bins, overlaid, each mean marked (comparisons saved before
  // the histogram was part of the JSON have none).
  const d = t.lengthDistribution;
  const lengthChart = d?.edges?.length
    ? h('figure', { class: 'chart text-length-chart', 'data-chart': 'text-lengths', 'data-bins': d.reference.length }, regressionLabelChart(d, t.referenceLength.mean, t.otherLength.mean, names, chartWidth, 'characters per value'))
    : null;
  const widest = Math.max(1e-12, ...t.referenceTopTokens.map((r) => r.share), ...t.otherTopTokens.map((r) => r.share));
  const tokens = (k: 0 | 1) => {
    const key = k === 0 ? 'referenceTopTokens' : 'otherTopTokens';
    return h(
      'table',
      { class: 'data top-tokens', 'data-side': k === 0 ? 'reference' : 'other' },
      h('thead', {}, h('tr', {}, h('th', {}, h('span', { class: `swatch ${k === 0 ? 'ref' : 'other'}` }), named(names[k])), h('th', { colspan: 2, class: 'num' }, 'share of tokens'))),
      h(
        'tbody',
        {},
        ...t[key].map((r, i) =>
          h(
            'tr',
            { 'data-token': r.token },
            h('td', { class: 'token', title: r.token }, named(r.token.length > 20 ? `${r.token.slice(0, 19)}…` : r.token)),
            h('td', { class: 'share-cell' }, h('span', { class: `share-bar ${k === 0 ? 'ref' : 'other'}`, style: `width: ${(100 * r.share) / widest}%` })),
            h('td', { class: 'num' }, bound(formatPercent(r.share, 2), at(key, i, 'share'), 'percent')),
          ),
        ),
      ),
    );
  };
  return h(
    'section',
    { class: 'text-column', 'data-feature': f.name },
    h('h4', {}, named(f.name), ' ', h('span', { class: `verdict ${f.drift ? 'drift' : 'ok'}` }, f.drift ? 'drift' : 'no drift')),
    h('div', { class: 'text-compare-grid' }, h('div', { class: 'text-lengths-box' }, lengths, lengthChart, lengthTests, vocabulary), h('div', { class: 'top-tokens-pair' }, tokens(0), tokens(1))),
  );
}
