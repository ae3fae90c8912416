/**
 * Bars of counts with each count written at its bar (top tokens, years, months, weekdays, hours
 * of a profile): every count label goes through the formatting module and names its place in
 * the JSON (data-json, as dom.ts bound()), so the numbers test reads the chart back too.
 */
import * as Plot from '@observablehq/plot';
import { formatCount } from '../src/protocol/format';
import type { JsonPath } from './dom';

export interface CountBar {
  /** The bar's name on its axis (a token, "Jan", "2014"). */
  readonly label: string;
  readonly count: number;
  /** Where the count is in the JSON the view was drawn from. */
  readonly path: JsonPath;
  /** The hover text (the label in full, the count, what it counts). */
  readonly title: string;
}

const style = { background: 'transparent', color: 'var(--vscode-foreground)', fontSize: '11px', overflow: 'visible' } as const;
/** Rough width of one digit or letter at the charts' 10-11 px font. */
const CHAR = 6.5;

/**
 * Horizontal bars (one row per label, counts at the bars' ends): for named things and short
 * calendars. Labels longer than 18 characters are cut, in full in the hover.
 */
export function barsAcross(bars: readonly CountBar[], width: number, xLabel = 'rows'): SVGSVGElement | HTMLElement {
  const short = (v: string) => (v.length > 18 ? `${v.slice(0, 17)}…` : v);
  const rows = bars.map((b) => ({ ...b, short: short(b.label), text: formatCount(b.count) }));
  const longest = Math.max(1, ...rows.map((r) => r.short.length));
  const widest = Math.max(1, ...rows.map((r) => r.text.length));
  const svg = Plot.plot({
    style,
    width,
    height: Math.max(90, 18 * rows.length + 40),
    marginLeft: Math.min(130, 12 + CHAR * longest),
    marginRight: 10 + CHAR * widest,
    marginBottom: 36,
    x: { label: xLabel, grid: true, tickFormat: (v: number) => formatCount(v), ticks: Math.max(2, Math.floor(width / 110)) },
    y: { label: null, domain: rows.map((r) => r.short) },
    marks: [
      Plot.barX(rows, { y: 'short', x: 'count', fill: 'var(--dl-ref)', title: 'title' }),
      Plot.text(rows, { y: 'short', x: 'count', text: 'text', dx: 4, textAnchor: 'start', fill: 'currentColor', fontSize: 10, className: 'bar-count' }),
      Plot.ruleX([0]),
    ],
  });
  return bindCounts(svg, rows);
}

/**
 * Vertical bars in the labels' order (hours of a day, many years): counts above the bars when
 * they fit the bar's width, else only in the hover.
 */
export function barsUp(bars: readonly CountBar[], width: number, xLabel: string): SVGSVGElement | HTMLElement {
  const rows = bars.map((b) => ({ ...b, text: formatCount(b.count) }));
  const marginLeft = 48;
  const marginRight = 12;
  const band = (width - marginLeft - marginRight) / Math.max(1, rows.length);
  const fits = rows.every((r) => r.text.length * CHAR * 0.85 <= band);
  const every = Math.max(1, Math.ceil((rows.length * 4 * CHAR) / (width - marginLeft - marginRight)));
  const svg = Plot.plot({
    style,
    width,
    height: 170,
    marginLeft,
    marginRight,
    marginTop: fits ? 18 : 10,
    marginBottom: 36,
    x: { label: xLabel, domain: rows.map((r) => r.label), tickFormat: (v: string, k: number) => (k % every === 0 ? v : '') },
    y: { label: 'rows', grid: true, tickFormat: (v: number) => formatCount(v), ticks: 4 },
    marks: [
      Plot.barY(rows, { x: 'label', y: 'count', fill: 'var(--dl-ref)', inset: 0.5, title: 'title' }),
      ...(fits ? [Plot.text(rows, { x: 'label', y: 'count', text: 'text', dy: -6, fill: 'currentColor', fontSize: 10, className: 'bar-count' })] : []),
      Plot.ruleY([0]),
    ],
  });
  return fits ? bindCounts(svg, rows) : svg;
}

/** Each count label (the text mark, drawn in the bars' order) names its place in the JSON. */
function bindCounts(svg: SVGSVGElement | HTMLElement, rows: readonly { path: JsonPath }[]): SVGSVGElement | HTMLElement {
  const texts = svg.querySelectorAll('g.bar-count text');
  if (texts.length !== rows.length) return svg; // not drawn one per bar: leave them unbound rather than misbound
  texts.forEach((t, k) => {
    t.setAttribute('class', 'n');
    t.setAttribute('data-json', JSON.stringify(rows[k].path));
  });
  return svg;
}
