/**
 * Profile view: one data file's columns as the language server (an open editor's text, unsaved
 * edits included) or the CLI (the file on disk) profiled them: a summary table (type, missing,
 * distinct, type errors, the column's range or top value) and one card per column with its
 * histogram or top values. Every number is written by the formatting module and bound to its
 * place in the profile (data-json), so a test can read each one back against the JSON.
 */
import * as Plot from '@observablehq/plot';
import type { ColumnProfile, ProfileSnapshot } from '../src/protocol/dashboard';
import { formatCount, formatDate, formatDateTime, formatNumber, formatPercent, formatRelativeTime, formatTick } from '../src/protocol/format';
import { barsAcross, barsUp, type CountBar } from './countBars';
import { bound, h, icon, moment, named } from './dom';

/** Columns drawn as cards before a "Show all" button (the table lists every column). */
const CARD_LIMIT = 48;

const base = {
  style: { background: 'transparent', color: 'var(--vscode-foreground)', fontSize: '11px', overflow: 'visible' },
  marginLeft: 48,
  marginBottom: 36,
} as const;

type Path = (string | number)[];

export class ProfileView {
  readonly root = h('section', { class: 'view profile-view', 'data-view': 'profile' });
  private profile: ProfileSnapshot | undefined;
  private showAll = false;

  set(profile: ProfileSnapshot | undefined): void {
    if (profile?.path !== this.profile?.path) this.showAll = false;
    this.profile = profile;
  }

  get current(): ProfileSnapshot | undefined {
    return this.profile;
  }

  render(width: number): { charts: number; rows: number } {
    this.root.replaceChildren();
    const p = this.profile;
    if (!p) {
      this.root.append(h('div', { class: 'empty' }, icon('graph'), h('p', {}, 'No profile yet. Run "Dataset Lab: Profile Dataset" on a data file (or its CodeLens) to see its columns here.')));
      return { charts: 0, rows: 0 };
    }
    this.root.append(
      h(
        'header',
        { class: 'view-source', 'data-source-of': 'profile' },
        icon('file'),
        ' ',
        h('strong', {}, named(p.path)),
        h(
          'span',
          { class: 'muted' },
          ' · ',
          bound(formatCount(p.rows), ['rows']),
          ' rows · ',
          bound(formatCount(p.columns.length), ['columns', 'length']),
          ' columns · ',
          p.source === 'language server' ? `the editor's text${p.version !== undefined ? ` (version ${p.version})` : ''}, unsaved edits included` : 'the file on disk',
          ' · profiled ',
          moment(p.at, formatRelativeTime(p.at)),
          p.problemCount ? h('span', {}, ' · ', bound(formatCount(p.problemCount), ['problemCount']), ' input problem(s), in the Problems panel') : null,
        ),
      ),
    );
    const rows = p.columns.map((c, i) => summaryRow(c, i, p.rows));
    this.root.append(
      h(
        'div',
        { class: 'card wide' },
        h('h3', {}, 'Columns'),
        h(
          'table',
          { class: 'data profile-table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'column'), h('th', {}, 'type'), h('th', { class: 'num' }, 'missing'), h('th', { class: 'num' }, 'distinct'), h('th', { class: 'num' }, 'type errors'), h('th', {}, 'summary'))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
    const cols = width > 1100 ? 3 : width > 700 ? 2 : 1;
    const chartWidth = Math.max(240, Math.floor((width - 40) / cols) - 40);
    const shown = this.showAll ? p.columns : p.columns.slice(0, CARD_LIMIT);
    const grid = h('div', { class: 'chart-grid', style: `grid-template-columns: repeat(${cols}, minmax(0, 1fr))` });
    let charts = 0;
    shown.forEach((c, i) => {
      const card = columnCard(c, i, chartWidth, width - 80);
      if (card.querySelector('svg')) charts++;
      grid.append(card);
    });
    const cardsEl = h('div', { class: 'card wide' }, h('h3', {}, 'Distributions'), grid);
    if (shown.length < p.columns.length) {
      cardsEl.append(
        h(
          'button',
          {
            class: 'secondary',
            onclick: () => {
              this.showAll = true;
              this.render(width);
            },
          },
          `Show all ${formatCount(p.columns.length)} columns`,
        ),
      );
    }
    this.root.append(cardsEl);
    return { charts, rows: rows.length };
  }
}

function missingCell(c: ColumnProfile, i: number, rows: number): HTMLElement {
  const share = rows ? c.missing / rows : 0;
  return h(
    'td',
    { class: `num ${share >= 0.2 ? 'warn' : ''}`, 'data-value': c.missing },
    bound(formatCount(c.missing), ['columns', i, 'missing']),
    c.missing ? h('span', { class: 'muted' }, ` (${formatPercent(share, 1)})`) : null,
  );
}

function summaryRow(c: ColumnProfile, i: number, rows: number): HTMLElement {
  return h(
    'tr',
    { 'data-column': c.name, 'data-type': c.type },
    h('td', {}, h('a', { href: `#profile-${cssId(c.name)}` }, named(c.name))),
    h('td', {}, typeText(c)),
    missingCell(c, i, rows),
    h('td', { class: 'num' }, bound(formatCount(c.distinct), ['columns', i, 'distinct'])),
    h('td', { class: `num ${c.typeErrors ? 'warn' : ''}` }, bound(formatCount(c.typeErrors), ['columns', i, 'typeErrors'])),
    h('td', { class: 'summary' }, ...summary(c, i)),
  );
}

function typeText(c: ColumnProfile): string {
  if (c.type === 'datetime') return c.dateOnly ? 'date' : 'date-time';
  return c.type;
}

function summary(c: ColumnProfile, i: number): (HTMLElement | string)[] {
  const at = (...k: (string | number)[]): Path => ['columns', i, ...k];
  switch (c.type) {
    case 'numeric': {
      if (!c.count) return ['no values'];
      const median = c.quantiles.findIndex((q) => q.q === 0.5);
      return [
        'mean ',
        bound(formatNumber(c.mean), at('mean')),
        ' · ',
        ...(median >= 0 ? ['median ', bound(formatNumber(c.quantiles[median].value), at('quantiles', median, 'value')), ' · '] : []),
        'range ',
        bound(formatNumber(c.min), at('min')),
        ' to ',
        bound(formatNumber(c.max), at('max')),
      ];
    }
    case 'categorical': {
      const top = c.top[0];
      if (!top) return ['no values'];
      return ['most frequent ', named(`"${top.value}"`), ' (', bound(formatPercent(top.share, 1), at('top', 0, 'share'), 'percent'), ')'];
    }
    case 'text':
      if (!c.count) return ['no values'];
      return [
        'mean length ',
        bound(formatNumber(c.length.mean, 3), at('length', 'mean')),
        ' characters · vocabulary ',
        bound(formatCount(c.vocabulary), at('vocabulary')),
        ' · non-ASCII ',
        bound(formatPercent(c.nonAsciiShare, 1), at('nonAsciiShare'), 'percent'),
      ];
    case 'datetime':
      if (!c.min || !c.max) return ['no values'];
      return [
        named(c.dateOnly ? `${formatDate(c.min)} to ${formatDate(c.max)}` : `${formatDateTime(c.min)} to ${formatDateTime(c.max)}`),
        ...(c.granularity ? [' · ', ...every(c, i)] : []),
        c.gaps.count ? h('span', {}, ' · ', bound(formatCount(c.gaps.count), at('gaps', 'count')), ' gap(s)') : '',
      ];
  }
}

/** "every day", "every 3 months": the date column's granularity, its step bound to the JSON. */
function every(c: ColumnProfile & { type: 'datetime' }, i: number): (HTMLElement | string)[] {
  const g = c.granularity;
  if (!g) return [];
  if (g.step === null) return [`to the ${g.unit}`];
  if (g.step === 1) return [`every ${g.unit}`];
  return ['every ', bound(formatCount(g.step), ['columns', i, 'granularity', 'step']), ` ${g.unit}s`];
}

function columnCard(c: ColumnProfile, i: number, width: number, wideWidth: number): HTMLElement {
  const wide = (c.type === 'text' || c.type === 'datetime') && c.count > 0;
  const fig = h(
    'figure',
    { class: `chart profile-chart${wide ? ' profile-wide' : ''}`, id: `profile-${cssId(c.name)}`, 'data-chart': 'profile', 'data-column': c.name, 'data-type': c.type },
    h('figcaption', {}, h('strong', {}, named(c.name)), h('span', { class: 'muted' }, ` ${typeText(c)} · `, bound(formatCount(c.count), ['columns', i, 'count']), ' values')),
  );
  if (wide && c.type === 'text') {
    fig.append(partGrid(textParts(c, i), wideWidth, 2), h('p', { class: 'profile-facts muted' }, ...textFacts(c, i)));
    return fig;
  }
  if (wide && c.type === 'datetime') {
    fig.append(partGrid(dateParts(c, i), wideWidth, 4), h('p', { class: 'profile-facts muted' }, ...dateFacts(c, i)));
    return fig;
  }
  const chart = columnChart(c, i, width);
  fig.append(chart ?? h('p', { class: 'muted' }, 'nothing to chart'));
  if (c.type === 'numeric' && c.count) fig.append(h('p', { class: 'profile-facts muted' }, ...numericFacts(c, i)));
  return fig;
}

/** The spread under a numeric histogram: the standard deviation and every quantile the profile has. */
function numericFacts(c: ColumnProfile & { type: 'numeric' }, i: number): (HTMLElement | string)[] {
  const out: (HTMLElement | string)[] = [];
  if (c.std !== null) out.push('std ', bound(formatNumber(c.std), ['columns', i, 'std']));
  c.quantiles.forEach((q, k) => {
    if (out.length) out.push(' · ');
    out.push(h('span', { class: 'quantile' }, bound(formatPercent(q.q, 0), ['columns', i, 'quantiles', k, 'q'], 'percent'), ' ', bound(formatNumber(q.value), ['columns', i, 'quantiles', k, 'value'])));
  });
  return out;
}

interface Part {
  readonly key: string;
  readonly title: string;
  readonly draw: (width: number) => SVGSVGElement | HTMLElement;
  /** Drawn across the whole row (24 hours need the width for their counts). */
  readonly full?: boolean;
}

/** A wide card's charts side by side: up to `most` a row, as many as the width allows (about 300 px each); a `full` part takes a row. */
function partGrid(parts: readonly Part[], width: number, most: number): HTMLElement {
  const gap = 16;
  const n = Math.max(1, Math.min(most, parts.length, Math.floor((width + gap) / (300 + gap))));
  const partWidth = Math.max(220, Math.floor((width - gap * (n - 1)) / n));
  return h(
    'div',
    { class: 'profile-parts', style: `grid-template-columns: repeat(${n}, minmax(0, 1fr))` },
    ...parts.map((p) =>
      h('div', { class: 'profile-part', 'data-part': p.key, style: p.full ? 'grid-column: 1 / -1' : undefined }, h('div', { class: 'part-title muted' }, p.title), p.draw(p.full ? width : partWidth)),
    ),
  );
}

function textParts(c: ColumnProfile & { type: 'text' }, i: number): Part[] {
  const parts: Part[] = [{ key: 'length', title: 'length per value', draw: (w) => histogram(c.length.histogram.edges, c.length.histogram.counts, w, 'length (characters)', false) }];
  const top = c.topTokens.slice(0, 12);
  if (top.length) {
    const bars: CountBar[] = top.map((t, k) => ({
      label: t.token,
      count: t.count,
      path: ['columns', i, 'topTokens', k, 'count'],
      title: `${t.token}: ${formatCount(t.count)} times (${formatPercent(t.share, 2)} of all tokens)`,
    }));
    parts.push({ key: 'tokens', title: 'most frequent tokens', draw: (w) => barsAcross(bars, w, 'occurrences') });
  }
  return parts;
}

function textFacts(c: ColumnProfile & { type: 'text' }, i: number): (HTMLElement | string)[] {
  const at = (...k: (string | number)[]): Path => ['columns', i, ...k];
  return [
    bound(formatCount(c.tokens), at('tokens')),
    ' tokens (',
    bound(formatNumber(c.tokensPerCell.mean, 3), at('tokensPerCell', 'mean')),
    ' per value, at most ',
    bound(formatCount(c.tokensPerCell.max), at('tokensPerCell', 'max')),
    ') · vocabulary ',
    bound(formatCount(c.vocabulary), at('vocabulary')),
    ' distinct tokens · ',
    bound(formatPercent(c.nonAsciiShare, 1), at('nonAsciiShare'), 'percent'),
    ' of values hold a non-ASCII character',
  ];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function dateParts(c: ColumnProfile & { type: 'datetime' }, i: number): Part[] {
  const at = (...k: (string | number)[]): Path => ['columns', i, 'parts', ...k];
  const parts: Part[] = [{ key: 'histogram', title: 'over time', draw: (w) => histogram(c.histogram.edges, c.histogram.counts, w, 'date', true) }];
  const years: CountBar[] = c.parts.year.map((y, k) => ({ label: String(y.year), count: y.count, path: at('year', k, 'count'), title: `${y.year}: ${formatCount(y.count)} rows` }));
  if (years.length) parts.push({ key: 'year', title: 'per year', draw: (w) => (years.length <= 16 ? barsAcross(years, w) : barsUp(years, w, 'year')) });
  const months: CountBar[] = c.parts.month.map((n, k) => ({ label: MONTHS[k], count: n, path: at('month', k), title: `${MONTHS[k]}: ${formatCount(n)} rows` }));
  parts.push({ key: 'month', title: 'per month', draw: (w) => barsAcross(months, w) });
  const days: CountBar[] = c.parts.dayOfWeek.map((n, k) => ({ label: WEEKDAYS[k], count: n, path: at('dayOfWeek', k), title: `${WEEKDAYS[k]}: ${formatCount(n)} rows` }));
  parts.push({ key: 'weekday', title: 'per day of the week', draw: (w) => barsAcross(days, w) });
  const hours = c.parts.hour;
  if (!c.dateOnly && hours?.length) {
    const bars: CountBar[] = hours.map((n, k) => ({ label: String(k), count: n, path: at('hour', k), title: `${k}:00-${k}:59: ${formatCount(n)} rows` }));
    parts.push({ key: 'hour', title: 'per hour of the day', draw: (w) => barsUp(bars, w, 'hour'), full: true });
  }
  return parts;
}

function dateFacts(c: ColumnProfile & { type: 'datetime' }, i: number): (HTMLElement | string)[] {
  const at = (...k: (string | number)[]): Path => ['columns', i, ...k];
  const day = (iso: string) => (c.dateOnly ? formatDate(iso) : formatDateTime(iso));
  const out: (HTMLElement | string)[] = [];
  if (c.granularity) out.push('values ', ...every(c, i), ' · ');
  if (!c.gaps.count) {
    out.push(c.granularity?.step ? 'no gaps' : 'gaps not judged (fewer than two distinct values)');
    return out;
  }
  out.push(
    bound(formatCount(c.gaps.count), at('gaps', 'count')),
    ' gap(s), ',
    bound(formatCount(c.gaps.missingSteps), at('gaps', 'missingSteps')),
    ' missing step(s) in all',
  );
  const largest = c.gaps.largest.slice(0, 3);
  if (largest.length) {
    out.push(' · largest: ');
    largest.forEach((g, k) => {
      if (k) out.push('; ');
      out.push(named(`${day(g.after)} to ${day(g.before)}`), ' (', bound(formatCount(g.missingSteps), at('gaps', 'largest', k, 'missingSteps')), ' missing)');
    });
  }
  return out;
}

/** A histogram (numeric, datetime, text lengths) or the top values (categorical, text tokens). */
function columnChart(c: ColumnProfile, i: number, width: number): SVGSVGElement | HTMLElement | null {
  switch (c.type) {
    case 'numeric':
      return c.count ? histogram(c.histogram.edges, c.histogram.counts, width, c.name, false) : null;
    case 'datetime':
      return c.count ? histogram(c.histogram.edges, c.histogram.counts, width, c.name, true) : null;
    case 'text':
      return c.length.histogram.counts.length ? histogram(c.length.histogram.edges, c.length.histogram.counts, width, 'length (characters)', false) : null;
    case 'categorical':
      return c.top.length
        ? barsAcross(
            c.top.slice(0, 12).map((t, k) => ({ label: t.value, count: t.count, path: ['columns', i, 'top', k, 'count'], title: `${t.value}: ${formatCount(t.count)} rows (${formatPercent(t.share, 1)})` })),
            width,
          )
        : null;
  }
}

function histogram(edges: readonly number[], counts: readonly number[], width: number, label: string, time: boolean): SVGSVGElement | HTMLElement {
  const rows = counts.map((count, k) => ({ x1: time ? new Date(edges[k]) : edges[k], x2: time ? new Date(edges[k + 1]) : edges[k + 1], count }));
  return Plot.plot({
    ...base,
    width,
    height: 160,
    x: { label, nice: false, ...(time ? { type: 'utc' as const } : { tickFormat: (v: number) => formatTick(v) }), ticks: Math.max(3, Math.floor(width / 90)) },
    y: { label: 'rows', grid: true, tickFormat: (v: number) => formatCount(v) },
    marks: [
      Plot.rectY(rows, {
        x1: 'x1',
        x2: 'x2',
        y: 'count',
        fill: 'var(--dl-ref)',
        inset: 0.5,
        title: (r: { x1: number | Date; x2: number | Date; count: number }) =>
          `${formatCount(r.count)} rows in [${time ? formatDateTime(r.x1 as Date) : formatNumber(r.x1 as number)}, ${time ? formatDateTime(r.x2 as Date) : formatNumber(r.x2 as number)})`,
      }),
      Plot.ruleY([0]),
    ],
  });
}

function cssId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}
