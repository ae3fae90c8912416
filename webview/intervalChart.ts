/**
 * Interval bars: one row per arm, a point at its score and a bar over its confidence interval,
 * all rows on one shared axis so overlapping bars read as "not told apart". Plain SVG, so each
 * row carries its numbers as data attributes (the e2e test compares them with results.json).
 */
const SVG = 'http://www.w3.org/2000/svg';

export interface IntervalRow {
  readonly label: string;
  /** null: no score (a diverged arm). */
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly emphasis: 'best' | 'tied' | 'none';
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Round tick values (1, 2, 2.5 or 5 times a power of ten apart) from `lo` to `hi`, at least two. */
export function niceTicks(lo: number, hi: number, about = 4): number[] {
  const raw = (hi - lo) / about;
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step whose tick count is nearest `about`.
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).reduce((best, s) => (Math.abs((hi - lo) / s - about) < Math.abs((hi - lo) / best - about) ? s : best));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k <= Math.floor(hi / step + 1e-9); k++) out.push(Number((k * step).toPrecision(12)) || 0);
  return out.length >= 2 ? out : [lo, hi];
}

/**
 * `bounds`: the values the score can take (accuracy 0 to 1, R² at most 1): the axis's padding
 * never runs past them, so no tick reads an impossible score such as 104%.
 */
export function intervalChart(rows: readonly IntervalRow[], width: number, format: (v: number) => string, bounds: { readonly min?: number; readonly max?: number } = {}): SVGSVGElement {
  const rowH = 26;
  const left = 86;
  const right = 16;
  const top = 8;
  const axisH = 22;
  const height = top + rows.length * rowH + axisH;
  const values = rows.flatMap((r) => [r.value, r.low, r.high]).filter((v): v is number => v !== null && Number.isFinite(v));
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (hi - lo < 1e-9) {
    lo -= 0.05;
    hi += 0.05;
  }
  const pad = (hi - lo) * 0.06;
  lo = bounds.min !== undefined ? Math.max(bounds.min, lo - pad) : lo - pad;
  hi = bounds.max !== undefined ? Math.min(bounds.max, hi + pad) : hi + pad;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (width - left - right);
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'interval-chart' });
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const g = el('g', { class: `interval-row ${r.emphasis}`, 'data-arm': r.label, 'data-value': r.value ?? '', 'data-low': r.low ?? '', 'data-high': r.high ?? '' });
    g.append(el('text', { x: left - 8, y: y + 4, 'text-anchor': 'end', class: 'interval-label' }, r.label));
    if (r.value === null || !Number.isFinite(r.value)) {
      g.append(el('text', { x: left, y: y + 4, class: 'interval-missing' }, 'diverged: no score'));
    } else {
      if (r.low !== null && r.high !== null) {
        g.append(el('line', { x1: x(r.low), x2: x(r.high), y1: y, y2: y, class: 'interval-bar' }));
        for (const end of [r.low, r.high]) g.append(el('line', { x1: x(end), x2: x(end), y1: y - 5, y2: y + 5, class: 'interval-bar' }));
      }
      g.append(el('circle', { cx: x(r.value), cy: y, r: 4, class: 'interval-point' }));
      const title = el('title', {}, `${r.label}: ${format(r.value)}${r.low !== null && r.high !== null ? ` [${format(r.low)}, ${format(r.high)}]` : ''}`);
      g.append(title);
    }
    svg.append(g);
  });
  const axisY = top + rows.length * rowH + 4;
  svg.append(el('line', { x1: left, x2: width - right, y1: axisY, y2: axisY, class: 'interval-axis' }));
  let ticks = niceTicks(lo, hi);
  // Ticks closer than the format shows (86.25% and 86.3% both "86.3%"): fewer of them.
  if (new Set(ticks.map(format)).size < ticks.length) ticks = niceTicks(lo, hi, 2);
  for (const v of ticks) {
    svg.append(el('line', { x1: x(v), x2: x(v), y1: axisY, y2: axisY + 3, class: 'interval-axis' }));
    svg.append(el('text', { x: x(v), y: axisY + 14, 'text-anchor': 'middle', class: 'interval-tick', 'data-tick': v }, format(v)));
  }
  return svg;
}
