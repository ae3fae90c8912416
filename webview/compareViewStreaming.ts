/**
 * The compare view of a streaming comparison (`compare --stream`, src/protocol/streamCompare.ts):
 * what the streaming mode measures, each approximate figure with the interval its exact value
 * lies in, and what it does not compute, said plainly. Every number is bound to its path in the
 * document (dom.ts bound()), so the e2e numbers check reads them back against the CLI's JSON.
 */
import { formatCount, formatPercent, formatPValue, formatRelativeTime } from '../src/protocol/format';
import type { CompareMeta } from '../src/protocol/dashboard';
import { streamPairs, streamSuggestions, type StreamBounded, type StreamCompareDocument, type StreamFeatureDoc, type StreamLabelDoc, type StreamPairDoc } from '../src/protocol/streamCompare';
import { distributionChart, labelChart, regressionLabelChart } from './charts';
import { bound, counted, fmt, h, icon, moment, named, type JsonPath } from './dom';
import { timeCompareCard } from './timeCompareCard';
import { STRATEGY_TITLES } from '../src/protocol/armRule';

type Path = readonly (string | number)[];

const FEATURE_CHART_LIMIT = 40;

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** The name a file goes by on screen: the document's name, else the file's name without folders. */
const fileName = (f: { readonly file: string; readonly name?: string }) => f.name ?? baseName(f.file).replace(/\.[^.]+$/, '');

/** A mean or other value of the data: 4 significant digits, and never fewer than its whole part has (500,135 rather than 500,100). */
const wholeDigits = (v: number) => fmt(v, Math.max(4, Math.floor(Math.log10(Math.abs(v) || 1)) + 1));

/** A number bound to its path, or a dash when the document has none there. */
function num(x: number | null | undefined, path: Path, text: (v: number) => string = (v) => fmt(v, 4)): HTMLElement | string {
  return typeof x === 'number' && Number.isFinite(x) ? bound(text(x), path as JsonPath) : '–';
}

/** An estimate with the interval its exact value lies in: `0.0861 [0.0857, 0.0865]`; exact figures plain. */
function bounded(b: StreamBounded | undefined, path: Path, digits = 3): HTMLElement {
  if (!b || typeof b.estimate !== 'number') return h('span', {}, '–');
  const exact = b.lower === b.estimate && b.upper === b.estimate;
  return h(
    'span',
    { class: 'bounded', ...(exact ? { 'data-exact': '' } : {}) },
    num(b.estimate, [...path, 'estimate'], (v) => fmt(v, digits)),
    exact ? null : h('span', { class: 'muted interval', title: 'the exact value lies in this interval' }, ' [', num(b.lower, [...path, 'lower'], (v) => fmt(v, digits)), ', ', num(b.upper, [...path, 'upper'], (v) => fmt(v, digits)), ']'),
  );
}

/** A p-value, with the range it may take when the statistic it comes from is approximate. */
function pvalueText(p: number | null | undefined, range: readonly [number | null, number | null] | undefined, path: Path): HTMLElement {
  // A range that reads the same at both ends (<1e-16 .. <1e-16) says nothing more: left out.
  const differs = range && typeof range[0] === 'number' && typeof range[1] === 'number' && formatPValue(range[0]) !== formatPValue(range[1]);
  return h(
    'span',
    {},
    num(p, [...path, 'pvalue'], formatPValue),
    differs ? h('span', { class: 'muted interval', title: 'the p-value of the exact statistic lies in this range' }, ' [', num(range[0], [...path, 'pvalueRange', 0], formatPValue), ', ', num(range[1], [...path, 'pvalueRange', 1], formatPValue), ']') : null,
  );
}

const METHOD: Record<string, string> = { ks: 'KS p', chi2: 'χ² p', wasserstein: 'W/σ', jensenshannon: 'JS' };

export interface StreamingDrawn {
  readonly charts: number;
  readonly rows: number;
}

/** Draws `doc` into `root` (emptied by the caller); `pairIndex` picks the pair when there are several. */
export function drawStreamingCompare(root: HTMLElement, doc: StreamCompareDocument, meta: CompareMeta | undefined, width: number, pairIndex: number, onPair: (i: number) => void): StreamingDrawn {
  const pairs = streamPairs(doc);
  if (!pairs.length) {
    root.append(h('p', { class: 'notice' }, 'The streaming comparison has no pair this version of the dashboard can read. The CLI\'s JSON has it all.'));
    return { charts: 0, rows: 0 };
  }
  const { pair, path } = pairs[Math.min(pairIndex, pairs.length - 1)];
  const names: [string, string] = [fileName(pair.reference), fileName(pair.other)];
  root.append(source(pairs.map((p) => p.pair), meta), chips(pairs.map((p) => p.pair), pairs.map((p) => p.path)), notAvailable(doc, pair, path));
  if (pairs.length > 1) {
    const select = h('select', { 'aria-label': 'Pair', onchange: (e: Event) => onPair(Number((e.target as HTMLSelectElement).value)) });
    pairs.forEach((p, i) => select.append(h('option', { value: i, selected: i === pairIndex }, `${fileName(p.pair.reference)} vs ${fileName(p.pair.other)}`)));
    root.append(h('div', { class: 'pair-select' }, 'Pair: ', select));
  }
  const rec = pair.recommendation ?? doc.recommendation;
  if (rec) root.append(recommendation(rec));
  const grid = h('div', { class: 'cards' });
  grid.append(domainCard(pair, path), labelCard(pair.label, [...path, 'label'], names, width));
  root.append(grid, schemaCard(pair, path, names));
  const drift = driftTable(pair, path, width);
  root.append(drift.el);
  const dates = timeCompareCard(pair.features, names, path as JsonPath, true);
  if (dates) root.append(dates);
  const charts = featureCharts(pair, path, names, width);
  root.append(charts.el);
  const labelCharts = pair.label && (pair.label.task === 'classification' || pair.label.distribution?.edges) ? 1 : 0;
  return { charts: charts.count + labelCharts, rows: drift.rows };
}

function source(pairs: readonly StreamPairDoc[], meta: CompareMeta | undefined): HTMLElement {
  const files = [pairs[0].reference, ...pairs.map((p) => p.other)];
  return h(
    'header',
    { class: 'view-source', 'data-source-of': 'compare' },
    icon('diff'),
    ' ',
    h('strong', { title: files.map((f) => f.file).join('\n') }, named(files.map((f) => baseName(f.file)).join(' vs '))),
    h('span', { class: 'badge streaming-badge', title: 'read once in bounded memory (compare --stream)' }, 'streaming'),
    h('span', { class: 'muted' }, meta?.at ? h('span', {}, ' · compared ', moment(meta.at, formatRelativeTime(meta.at))) : null),
  );
}

function chips(pairs: readonly StreamPairDoc[], paths: readonly Path[]): HTMLElement {
  const items = [
    { f: pairs[0].reference, at: [...paths[0], 'reference'], ref: true },
    ...pairs.map((p, i) => ({ f: p.other, at: [...paths[i], 'other'], ref: false })),
  ];
  return h(
    'header',
    { class: 'datasets' },
    ...items.map(({ f, at, ref }) =>
      h(
        'div',
        { class: `dataset-chip ${ref ? 'ref' : 'other'}`, 'data-dataset': fileName(f) },
        h('span', { class: 'swatch' }),
        h('strong', {}, named(fileName(f))),
        h('span', { class: 'muted' }, ' ', num(f.rows, [...at, 'rows'], formatCount), ' rows', typeof f.bytes === 'number' ? h('span', {}, ' · ', num(f.bytes, [...at, 'bytes'], formatCount), ' bytes') : null),
      ),
    ),
  );
}

/** What the streaming mode approximates (the CLI's note) and what it does not compute at all. */
function notAvailable(doc: StreamCompareDocument, pair: StreamPairDoc, path: Path): HTMLElement {
  const missing: (string | HTMLElement)[] = [];
  if (!(pair.recommendation ?? doc.recommendation)) missing.push('the recommendation (merge, multi-head or separate) and its scaffold buttons: compare in memory, or sample the files, for them');
  if (!streamSuggestions(pair)) missing.push('schema suggestions and unit differences: columns are matched by their exact names');
  missing.push('text analyses (lengths, vocabularies): text columns are compared as categories');
  // Date columns are compared as dates (the Dates card); only those whose dates could not be followed in one pass are not.
  const unfollowed = pair.features.filter((f) => f.type === 'categorical' && f.sampledKind === 'datetime');
  if (unfollowed.length) {
    missing.push(
      h(
        'span',
        { 'data-unfollowed-dates': '' },
        'date analyses (time ranges, calendar parts) of ',
        ...unfollowed.flatMap((f, k) => [k ? ', ' : '', named(`"${f.name}"`), f.datesNotFollowed ? h('span', { class: 'muted' }, ' (', named(f.datesNotFollowed), ')') : '']),
        ': their dates could not be followed in one pass, so they are compared as categories',
      ),
    );
  }
  const dc = pair.domainClassifier;
  missing.push(
    dc?.sampledRows
      ? h('span', {}, 'the domain classifier on every row: it was trained on a uniform sample of ', num(dc.sampledRows[0], [...path, 'domainClassifier', 'sampledRows', 0], formatCount), ' + ', num(dc.sampledRows[1], [...path, 'domainClassifier', 'sampledRows', 1], formatCount), ' rows')
      : 'the domain classifier: not run (too few rows or no shared feature)',
  );
  const a = doc.approximation;
  return h(
    'div',
    { class: 'card wide streaming-note', 'data-streaming': '' },
    h('h3', {}, icon('info'), ' Streaming mode: figures from one pass in bounded memory'),
    h(
      'p',
      {},
      'Counts, missing values and means are exact. Distributions, KS, Wasserstein and the histograms come from quantile sketches: an approximate figure is shown as ',
      h('span', { class: 'muted' }, 'estimate [lowest, highest]'),
      ', the interval its exact value lies in',
      a && typeof a.alpha === 'number' ? h('span', {}, '; the sketch keeps each value within ±', bound(formatPercent(a.alpha, 1), ['approximation', 'alpha'], 'percent'), ' (relative)') : null,
      a && typeof a.exactDistinct === 'number' ? h('span', {}, ', exactly up to ', bound(formatCount(a.exactDistinct), ['approximation', 'exactDistinct']), ' distinct values per column') : null,
      '. PSI and JS marked ~ come from sketched histograms. ',
      a && typeof a.categoryCapacity === 'number' ? h('span', {}, 'Categories are counted exactly up to ', bound(formatCount(a.categoryCapacity), ['approximation', 'categoryCapacity']), ' distinct values per column.') : null,
    ),
    h('p', { class: 'muted' }, 'Not computed in streaming mode:'),
    h('ul', { class: 'not-available' }, ...missing.map((m) => h('li', {}, m))),
    doc.approximate ? h('details', {}, h('summary', {}, 'The CLI\'s note'), h('p', { class: 'muted' }, named(doc.approximate))) : null,
  );
}

function recommendation(rec: NonNullable<StreamCompareDocument['recommendation']>): HTMLElement {
  return h(
    'div',
    { class: `card recommendation strategy-${rec.strategy}`, 'data-strategy': rec.strategy },
    h('div', { class: 'eyebrow' }, 'Recommendation (from the streamed figures)'),
    h('h2', {}, STRATEGY_TITLES[rec.strategy] ?? rec.strategy, h('span', { class: 'badge' }, rec.strategy)),
    h('ul', { class: 'reasons' }, ...(rec.reasons ?? []).map((t) => h('li', {}, named(t)))),
    rec.cautions?.length ? h('div', { class: 'cautions' }, h('strong', {}, 'Check also: '), h('ul', {}, ...rec.cautions.map((t) => h('li', {}, named(t))))) : null,
  );
}

function domainCard(pair: StreamPairDoc, path: Path): HTMLElement {
  const dc = pair.domainClassifier;
  if (!dc || typeof dc.score !== 'number') return h('div', { class: 'card domain' }, h('h3', {}, 'Domain classifier'), h('p', { class: 'muted' }, 'Not run: too few rows or no shared feature.'));
  const at = (...k: (string | number)[]) => [...path, 'domainClassifier', ...k];
  const score = Math.max(0, Math.min(1, dc.score));
  const used = (dc.topFeatures ?? []).map((t, i) => ({ t, i })).filter(({ t }) => t.importance > 0).slice(0, 5);
  const items: (HTMLElement | string)[] = [];
  used.forEach(({ t, i }, k) => {
    if (k) items.push(', ');
    items.push(named(t.name), ' (', bound(formatPercent(t.importance, 0), at('topFeatures', i, 'importance'), 'percent'), ')');
  });
  return h(
    'div',
    { class: 'card domain', 'data-score': dc.score, 'data-auc': dc.auc ?? '' },
    h('h3', {}, 'Domain classifier ', h('span', { class: 'badge subtle' }, 'on a sample')),
    h('div', { class: 'big-number' }, bound(fmt(dc.score, 3), at('score')), h('span', { class: 'muted' }, ' score (2·AUC−1)')),
    h('div', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': score }, h('div', { class: 'meter-fill', style: `width:${(score * 100).toFixed(1)}%` })),
    h(
      'p',
      { class: 'muted' },
      'AUC ',
      num(dc.auc, at('auc'), (v) => fmt(v, 3)),
      typeof dc.folds === 'number' ? h('span', {}, ' over ', bound(formatCount(dc.folds), at('folds')), ' folds') : null,
      dc.sampledRows ? h('span', {}, ' on a uniform sample of ', num(dc.sampledRows[0], at('sampledRows', 0), formatCount), ' + ', num(dc.sampledRows[1], at('sampledRows', 1), formatCount), ' rows') : null,
      '. 0 = indistinguishable, 1 = perfectly separable.',
    ),
    items.length ? h('p', {}, 'Most separating (share of importance): ', ...items) : null,
  );
}

function labelCard(l: StreamLabelDoc | undefined, at: Path, names: [string, string], width: number): HTMLElement {
  if (!l) return h('div', { class: 'card labels' }, h('h3', {}, 'Labels'), h('p', { class: 'muted' }, 'No label column chosen.'));
  const p = (...k: (string | number)[]) => [...at, ...k];
  const card = h(
    'div',
    { class: 'card labels', 'data-task': l.task, 'data-same-column': String(l.sameColumn), 'data-exact': String(l.exact === true) },
    h('h3', {}, 'Labels: ', named(l.referenceColumn), l.sameColumn ? null : h('span', {}, ' / ', named(l.otherColumn)), h('span', { class: 'badge subtle' }, l.exact ? 'exact' : 'approximate')),
  );
  const chartWidth = Math.min(560, Math.max(280, width / 2 - 60));
  if (!l.sameColumn) card.append(h('p', { class: 'different-labels' }, icon('info'), ` Different label columns: ${names[0]} predicts "${l.referenceColumn}", ${names[1]} predicts "${l.otherColumn}". They are different targets, so nothing compares them.`));
  if (l.task === 'classification') {
    const ref = l.referenceDistribution ?? [];
    const oth = l.otherDistribution ?? [];
    if (l.sameColumn && typeof l.overlap === 'number') card.append(h('div', { class: 'big-number' }, bound(formatPercent(l.overlap, 0), p('overlap'), 'percent'), h('span', { class: 'muted' }, ' label-space overlap')));
    card.append(h('figure', { class: 'chart label-chart', 'data-chart': 'labels' }, labelChart(ref, oth, names, chartWidth, l.sameColumn ? names : [`${names[0]}: ${l.referenceColumn}`, `${names[1]}: ${l.otherColumn}`])));
    // Counts: exact, or lower bounds at most `undercount` below the truth.
    const values = [...new Set([...ref.map((x) => x.value), ...oth.map((x) => x.value)])].slice(0, 30);
    const cell = (list: readonly { value: string; count: number }[], key: 'referenceDistribution' | 'otherDistribution', v: string) => {
      const i = list.findIndex((x) => x.value === v);
      return i >= 0 ? num(list[i].count, p(key, i, 'count'), formatCount) : '0';
    };
    card.append(
      h(
        'table',
        { class: 'data label-counts' },
        h('thead', {}, h('tr', {}, h('th', {}, 'value'), h('th', { class: 'num' }, names[0]), h('th', { class: 'num' }, names[1]))),
        h('tbody', {}, ...values.map((v) => h('tr', {}, h('td', {}, named(v)), h('td', { class: 'num' }, cell(ref, 'referenceDistribution', v)), h('td', { class: 'num' }, cell(oth, 'otherDistribution', v))))),
      ),
    );
    const under = (k: 'referenceUndercount' | 'otherUndercount', name: string) =>
      (l[k] ?? 0) > 0 ? h('p', { class: 'muted' }, `${name}: more distinct values than counted exactly: each count may be up to `, bound(formatCount(l[k] ?? 0), p(k)), ' low') : null;
    card.append(under('referenceUndercount', names[0]) ?? '', under('otherUndercount', names[1]) ?? '');
    if (l.sameColumn) {
      card.append(
        l.exact
          ? h(
              'p',
              { class: 'muted' },
              'imbalance (largest/smallest class): ',
              num(l.referenceImbalance, p('referenceImbalance'), (v) => fmt(v, 3)),
              ' vs ',
              num(l.otherImbalance, p('otherImbalance'), (v) => fmt(v, 3)),
              ' · JS distance ',
              num(l.jensenShannon, p('jensenShannon'), (v) => fmt(v, 3)),
              ' · χ² p ',
              num(l.chi2?.pvalue, p('chi2', 'pvalue'), formatPValue),
            )
          : h('p', { class: 'muted' }, 'Overlap, imbalance, JS distance and χ² need exact counts on both sides: not computed.'),
      );
    }
    return card;
  }
  card.append(
    h('div', { class: 'big-number label-means' }, num(l.referenceMean, p('referenceMean'), wholeDigits), h('span', { class: 'muted' }, ' → '), num(l.otherMean, p('otherMean'), wholeDigits), h('span', { class: 'muted' }, ' mean (exact)')),
    ...(l.distribution?.edges ? [h('figure', { class: 'chart label-chart', 'data-chart': 'labels' }, regressionLabelChart(l.distribution, l.referenceMean ?? undefined, l.otherMean ?? undefined, names, chartWidth, l.referenceColumn))] : []),
  );
  if (l.sameColumn) card.append(h('p', { class: 'muted' }, 'KS ', bounded(l.ks?.statistic, p('ks', 'statistic')), ' (p ', pvalueText(l.ks?.pvalue, l.ks?.pvalueRange, p('ks')), ') · W/σ ', bounded(l.wassersteinNorm, p('wassersteinNorm'))));
  return card;
}

function schemaCard(pair: StreamPairDoc, path: Path, names: [string, string]): HTMLElement {
  const onlyRef = pair.onlyInReference ?? [];
  const onlyOther = pair.onlyInOther ?? [];
  const suggestions = streamSuggestions(pair);
  return h(
    'div',
    { class: 'card wide schema-card' },
    h('h3', {}, 'Schema', h('span', { class: 'muted' }, ' ', bound(formatCount(pair.features.length), [...path, 'features', 'length']), ' columns matched by name')),
    h(
      'p',
      {},
      onlyRef.length ? h('span', {}, `only in ${names[0]}: `, named(onlyRef.join(', ')), '. ') : null,
      onlyOther.length ? h('span', {}, `only in ${names[1]}: `, named(onlyOther.join(', ')), '. ') : null,
      !onlyRef.length && !onlyOther.length ? 'Both files have the same feature columns.' : null,
    ),
    suggestions?.list.length
      ? h('div', { class: 'suggestions' }, h('strong', {}, 'Suggested mappings'), h('ul', {}, ...suggestions.list.map((g) => h('li', { 'data-mapping': 'rename' }, named(`${g.reference} ↔ ${g.other}${g.reason ? ` (${g.reason})` : ''}`)))))
      : null,
  );
}

function driftTable(pair: StreamPairDoc, path: Path, width: number): { el: HTMLElement; rows: number } {
  // Below 1300 px the KS p-value goes under the KS statistic, so the row keeps its means in view.
  const narrow = width < 1300;
  // Largest effect first (W/σ for numbers, JS for categories), identifier-like columns last.
  const effect = (f: StreamFeatureDoc) => (f.identifierLike ? -1 : f.type === 'numeric' && typeof f.wassersteinNorm?.estimate === 'number' ? f.wassersteinNorm.estimate : (f.jensenShannon ?? 0));
  const order = pair.features.map((f, i) => ({ f, i })).sort((a, b) => effect(b.f) - effect(a.f));
  const rows = order.map(({ f, i }) => {
    const at = (...k: (string | number)[]) => [...path, 'features', i, ...k];
    const approx = f.exact === false ? h('span', { class: 'muted', title: 'from a sketched histogram' }, ' ~') : null;
    const isP = f.method === 'ks' || f.method === 'chi2';
    const test = f.method
      ? h('span', {}, `${METHOD[f.method] ?? f.method} `, num(f.verdictValue, at('verdictValue'), isP ? formatPValue : (v) => fmt(v, 3)), ` ${isP ? (f.drift ? '<' : '≥') : f.drift ? '≥' : '<'} `, num(f.threshold, at('threshold'), (v) => fmt(v, 3)))
      : '–';
    const verdict = f.identifierLike
      ? h('span', { class: 'verdict' }, 'n/a (id-like)')
      : h('span', {}, h('span', { class: `verdict ${f.drift ? 'drift' : 'ok'}` }, f.drift ? 'drift' : 'no drift'), f.verdictSure === false ? h('span', { class: 'badge subtle unsure', title: 'the interval of the deciding figure straddles the threshold: the exact data could decide otherwise' }, 'unsure') : null);
    return h(
      'tr',
      { 'data-feature': f.name, class: f.drift ? 'drifted' : '', 'data-compared': String(!f.identifierLike), 'data-exact': String(f.exact !== false) },
      h('td', { class: 'feature-name', title: f.name, 'data-col': 'feature' }, named(f.name), h('div', { class: 'muted small' }, f.type, f.exact === false ? ' · sketched' : ' · exact')),
      h('td', { class: 'verdict-cell', 'data-col': 'verdict' }, verdict),
      h('td', { class: 'num test-cell', 'data-col': 'test', 'data-method': f.method ?? '' }, test),
      h('td', { class: 'num', 'data-col': 'ks' }, f.ks ? bounded(f.ks.statistic, at('ks', 'statistic')) : '–', narrow && f.ks ? h('div', { class: 'muted small' }, 'p ', pvalueText(f.ks.pvalue, f.ks.pvalueRange, at('ks'))) : null),
      narrow ? null : h('td', { class: 'num', 'data-col': 'ksp' }, f.ks ? pvalueText(f.ks.pvalue, f.ks.pvalueRange, at('ks')) : '–'),
      h('td', { class: 'num', 'data-col': 'wnorm' }, f.wassersteinNorm ? bounded(f.wassersteinNorm, at('wassersteinNorm')) : '–'),
      h('td', { class: 'num', 'data-col': 'psi' }, num(f.psi, at('psi'), (v) => fmt(v, 3)), approx),
      // Narrow: the χ² p-value under the JS distance (as KS p under KS), so the means stay in view.
      h('td', { class: 'num', 'data-col': 'js' }, num(f.jensenShannon, at('jensenShannon'), (v) => fmt(v, 3)), approx, narrow && f.chi2 ? h('div', { class: 'muted small' }, 'χ² p ', num(f.chi2.pvalue, at('chi2', 'pvalue'), formatPValue)) : null),
      narrow ? null : h('td', { class: 'num', 'data-col': 'chi2' }, f.chi2 ? num(f.chi2.pvalue, at('chi2', 'pvalue'), formatPValue) : '–'),
      h('td', { class: 'num', 'data-col': 'mean' }, typeof f.referenceMean === 'number' ? h('span', {}, num(f.referenceMean, at('referenceMean'), wholeDigits), h('br', {}), '→ ', num(f.otherMean, at('otherMean'), wholeDigits)) : '–'),
    );
  });
  const compared = pair.features.filter((f) => !f.identifierLike);
  const drifted = compared.filter((f) => f.drift).length;
  const unsure = compared.filter((f) => f.verdictSure === false).length;
  const el = h(
    'div',
    { class: 'card wide drift-card streaming-drift' },
    h(
      'h3',
      {},
      'Feature drift',
      h('span', { class: 'muted' }, ' ', counted(drifted, 'tr.drifted[data-compared="true"]'), ' of ', counted(compared.length, 'tr[data-compared="true"]'), ' compared features drifted', unsure ? h('span', {}, ' · ', counted(unsure, 'tr .unsure'), ' unsure (the interval straddles the threshold)') : null),
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data drift-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'feature'),
            h('th', {}, 'verdict'),
            h('th', { class: 'num', title: 'the verdict\'s test and threshold' }, 'test'),
            h('th', { class: 'num', title: 'Kolmogorov-Smirnov statistic [interval of the exact value]' }, 'KS'),
            narrow ? null : h('th', { class: 'num' }, 'KS p'),
            h('th', { class: 'num', title: 'Wasserstein distance over the reference\'s standard deviation [interval]' }, 'W/σ'),
            h('th', { class: 'num' }, 'PSI'),
            h('th', { class: 'num' }, 'JS'),
            narrow ? null : h('th', { class: 'num' }, 'χ² p'),
            h('th', { class: 'num' }, 'mean (exact)'),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
  return { el, rows: rows.length };
}

function featureCharts(pair: StreamPairDoc, path: Path, names: [string, string], width: number): { el: HTMLElement; count: number } {
  const cols = width > 1100 ? 3 : width > 700 ? 2 : 1;
  const chartWidth = Math.max(240, Math.floor((width - 40) / cols) - 24);
  const grid = h('div', { class: 'chart-grid', style: `grid-template-columns: repeat(${cols}, minmax(0, 1fr))` });
  let count = 0;
  pair.features.forEach((f, i) => {
    if (f.identifierLike || count >= FEATURE_CHART_LIMIT) return;
    const d = f.distribution
      ? { edges: f.distribution.edges, ...(f.distribution.time ? { time: true } : {}), reference: f.distribution.reference, other: f.distribution.other }
      : f.categories
        ? { categories: f.categories.values, reference: f.categories.reference, other: f.categories.other }
        : undefined;
    if (!d) return;
    count++;
    const err = f.distribution?.maxShareError;
    grid.append(
      h(
        'figure',
        { class: 'chart feature-chart', 'data-chart': 'feature', 'data-feature': f.name, 'data-type': f.type, 'data-bins': d.reference.length },
        h(
          'figcaption',
          {},
          h('strong', {}, named(f.name)),
          ' ',
          h('span', { class: `verdict ${f.drift ? 'drift' : 'ok'}` }, f.drift ? 'drift' : 'no drift'),
          typeof err === 'number' && err > 0 ? h('span', { class: 'muted' }, ' · bin shares within ±', bound(formatPercent(err, 2), [...path, 'features', i, 'distribution', 'maxShareError'], 'percent')) : null,
          f.categories && (f.categories.referenceUndercount || f.categories.otherUndercount) ? h('span', { class: 'muted' }, ' · top categories; counts are lower bounds') : null,
        ),
        distributionChart(d, names, chartWidth, f.name),
      ),
    );
  });
  const el = h(
    'div',
    { class: 'card wide' },
    h('h3', {}, 'Distributions', h('span', { class: 'muted' }, ' from the sketches: 30 shared bins for numbers, the most frequent categories')),
    h('div', { class: 'legend' }, h('span', { class: 'swatch ref' }), names[0], h('span', { class: 'swatch other' }), names[1]),
    grid,
  );
  return { el, count };
}
