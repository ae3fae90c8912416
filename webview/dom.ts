/** A tiny element builder: h('div', { class: 'x' }, child...). Text children are escaped by the DOM. */
import { formatCount, formatFixed, formatNumber, formatPercent, formatPValue, signed as signedText } from '../src/protocol/format';

export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined | ((e: Event) => void)> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Where a shown value sits in the dashboard's snapshot: keys and indices from the root. */
export type JsonPath = readonly (string | number)[];

/**
 * How a number is shown for the numbers test (test/e2e/numbers.mjs): `percent` and `points`
 * show a share times 100; `plain` the value itself.
 */
export type NumberUnit = 'plain' | 'percent' | 'points';

/**
 * A number from the data, written by the formatting module: `data-json` says where in the
 * snapshot it comes from and `data-unit` how it is scaled, so a test can read every number on
 * screen back and check it against the JSON it was drawn from.
 */
export function bound(text: string, path: JsonPath, unit: NumberUnit = 'plain'): HTMLElement {
  return h('span', { class: 'n', 'data-json': JSON.stringify(path), ...(unit !== 'plain' ? { 'data-unit': unit } : {}) }, text);
}

/**
 * A count computed from what the view shows (drifted rows of a table): `data-count-of` is the
 * selector, within the view, of the elements counted, so a test can count them again.
 */
export function counted(n: number, selector: string, text: string = formatCount(n)): HTMLElement {
  return h('span', { class: 'n', 'data-count-of': selector, 'data-count': n }, text);
}

/** Text taken from the data as it is (a name, a reason written by the engine): digits in it are not numbers to check. */
export function named(text: string): HTMLElement {
  return h('span', { 'data-text': '' }, text);
}

/** A moment shown relative to now ("5 minutes ago"), with the exact time on hover. */
export function moment(iso: string | undefined, text: string): HTMLElement {
  return h('time', { 'data-time': iso ?? '', ...(iso ? { datetime: iso, title: iso } : {}) }, text);
}

export function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** A CSS custom property of the current theme, resolved (canvas charts need real colours). */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** The formatting module's rules under the names the views used (src/protocol/format.ts). */
export function fmt(x: number | null | undefined, digits = 4): string {
  return formatNumber(x, digits);
}
export function pct(x: number | null | undefined, digits = 1): string {
  return formatPercent(x, digits);
}
export function pvalue(p: number | null | undefined): string {
  return formatPValue(p);
}
export function signed(x: number | null | undefined, digits = 3): string {
  return signedText(formatFixed(x, digits), x);
}
