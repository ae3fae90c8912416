/**
 * Streaming training curves with uPlot (canvas): one small chart per metric, one colour per
 * arm, the EMA-smoothed series solid with the raw series faint behind it, a log-scale toggle and
 * best-epoch markers. Cross-validation curves (points with a fold) are drawn as the mean over
 * the folds that reached each epoch, with a band from the lowest to the highest fold. Memory and DOM stay bounded: each series keeps at most MAX_STORED points
 * (halved when full) and at most MAX_DRAWN are drawn (per-bucket min/max kept, so spikes stay visible).
 */
import uPlot from 'uplot';
import type { CurvePoint } from '../src/protocol/dashboard';
import { formatTick } from '../src/protocol/format';
import { h, themeColor } from './dom';

/** A curve's metric in words: "validation loss · seattle". */
export function metricTitle(metric: string): string {
  const [base, source] = metric.split('/', 2);
  const words: Record<string, string> = { loss: 'training loss', val_loss: 'validation loss', batch_loss: 'training loss per batch', val_accuracy: 'validation accuracy', val_r2: 'validation R²' };
  const title = words[base] ?? base.replace(/^val_/, 'validation ').replace(/_/g, ' ');
  return source ? `${title} · ${source.replace(/^head:/, '')}` : title;
}

/** The y axis title: what is measured, without the dataset. */
function axisTitle(metric: string): string {
  const base = metric.split('/', 1)[0];
  if (base.includes('loss')) return 'loss';
  if (base === 'val_accuracy') return 'accuracy';
  if (base === 'val_r2') return 'R²';
  return base.replace(/^val_/, '');
}

export const MAX_DRAWN = 2000;
const MAX_STORED = 20_000;

class Series {
  xs: number[] = [];
  ys: number[] = [];
  push(x: number, y: number): void {
    const n = this.xs.length;
    // Replayed or re-sent points (same step) replace the previous value.
    if (n && this.xs[n - 1] === x) {
      this.ys[n - 1] = y;
      return;
    }
    this.xs.push(x);
    this.ys.push(y);
    if (this.xs.length > MAX_STORED) {
      this.xs = this.xs.filter((_, i) => i % 2 === 0);
      this.ys = this.ys.filter((_, i) => i % 2 === 0);
    }
  }
}

/** TensorBoard's debiased exponential moving average. */
export function emaSmooth(ys: readonly number[], weight: number): number[] {
  const out = new Array<number>(ys.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * weight + (1 - weight) * y;
    debias = debias * weight + (1 - weight);
    out[i] = weight === 0 ? y : last / debias;
  }
  return out;
}

/**
 * At most `max` x values (sorted) from several sorted series: all of them when few, else per
 * bucket of the x range the positions of each series' minimum and maximum, so spikes survive.
 */
export function selectXs(series: readonly { xs: readonly number[]; ys: readonly number[] }[], max: number): number[] {
  const all = new Set<number>();
  for (const s of series) for (const x of s.xs) all.add(x);
  const union = [...all].sort((a, b) => a - b);
  if (union.length <= max) return union;
  const buckets = Math.max(1, Math.floor(max / (2 * Math.max(1, series.length))));
  const edges: number[] = [];
  for (let b = 1; b < buckets; b++) edges.push(union[Math.floor((b * union.length) / buckets)]);
  const picked = new Set<number>([union[0], union[union.length - 1]]);
  for (const s of series) {
    let b = 0;
    let lo = -1;
    let hi = -1;
    const flush = () => {
      if (lo >= 0) picked.add(s.xs[lo]);
      if (hi >= 0) picked.add(s.xs[hi]);
      lo = hi = -1;
    };
    for (let i = 0; i < s.xs.length; i++) {
      while (b < edges.length && s.xs[i] >= edges[b]) {
        flush();
        b++;
      }
      if (lo < 0 || s.ys[i] < s.ys[lo]) lo = i;
      if (hi < 0 || s.ys[i] > s.ys[hi]) hi = i;
    }
    flush();
  }
  return [...picked].sort((a, b) => a - b).slice(0, max);
}

/**
 * The folds of one arm's curve at each epoch any fold reached: the mean over the folds that
 * reached it (early stopping ends folds at different epochs), and the lowest and highest fold.
 */
export function foldBand(folds: readonly { xs: readonly number[]; ys: readonly number[] }[]): { xs: number[]; mean: number[]; low: number[]; high: number[]; count: number[] } {
  const at = new Map<number, number[]>();
  for (const f of folds) f.xs.forEach((x, i) => (at.get(x) ?? at.set(x, []).get(x)!).push(f.ys[i]));
  const xs = [...at.keys()].sort((a, b) => a - b);
  const mean: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  const count: number[] = [];
  for (const x of xs) {
    const v = at.get(x)!;
    mean.push(v.reduce((a, b) => a + b, 0) / v.length);
    low.push(Math.min(...v));
    high.push(Math.max(...v));
    count.push(v.length);
  }
  return { xs, mean, low, high, count };
}

const REFIT = ' (refit)';

/** Palette slot of an arm: its place in the run; a refit shares its model's colour. */
function colorSlot(arm: string, armOrder: readonly string[]): number {
  const base = arm.endsWith(REFIT) ? arm.slice(0, -REFIT.length) : arm;
  const i = armOrder.filter((a) => !a.endsWith(REFIT)).indexOf(base);
  return i >= 0 ? i : armOrder.indexOf(arm);
}

const PALETTE = ['--vscode-charts-blue', '--dl-other', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#e0871f', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

export interface CurveSettings {
  smoothing: number;
  log: boolean;
}

class MetricChart {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private plot: uPlot | undefined;
  private arms: string[] = [];
  private best: Record<string, number> = {};
  private lastLog: boolean | undefined;
  private drawnPoints = 0;
  private readonly caption: HTMLElement;

  constructor(
    readonly metric: string,
    private readonly series: Map<string, Series>,
    /** Cross-validation arms: one series per fold, drawn as mean and band. */
    private readonly folds: Map<string, Map<number, Series>> = new Map(),
  ) {
    this.body = h('div', { class: 'curve-body' });
    this.caption = h('span', { class: 'muted curve-arms' });
    this.el = h('figure', { class: 'chart curve-chart', 'data-chart': 'curve', 'data-metric': metric }, h('figcaption', { title: metric }, h('strong', {}, metricTitle(metric)), ' ', this.caption), this.body);
  }

  get points(): number {
    return this.drawnPoints;
  }

  private colorIndex: number[] = [];

  private bandArms = new Set<string>();

  update(armOrder: readonly string[], settings: CurveSettings, width: number, best: Record<string, number>): void {
    const arms = armOrder.filter((a) => this.series.has(a) || this.folds.has(a));
    // A per-dataset chart says which models it holds and which have no per-dataset loss (a merged model's one loss spans every dataset).
    const perDataset = /^(val_)?loss\//.test(this.metric);
    const absent = perDataset ? armOrder.filter((a) => !arms.includes(a) && !a.startsWith('separate/') && !a.startsWith('separate (')) : [];
    // A merged model has one loss over every dataset: it is in the overall chart only.
    const overall = metricTitle(this.metric.split('/', 1)[0]);
    this.caption.textContent = perDataset ? `· ${arms.join(', ')}${absent.length ? ` · ${absent.join(', ')}: in ${overall} only` : ''}` : '';
    // The caption may be cut at the chart's width: all of it on hover.
    this.caption.parentElement?.setAttribute('title', `${metricTitle(this.metric)} ${this.caption.textContent}`.trim());
    this.el.dataset.arms = arms.join(',');
    // Colours follow the arm's position in the whole run, so an arm looks the same on every chart.
    this.colorIndex = arms.map((a) => colorSlot(a, armOrder));
    this.best = best;
    this.bandArms = new Set(arms.filter((a) => this.folds.has(a)));
    // A fold arm is drawn from its per-epoch mean, low and high; a plain arm from its raw and smoothed values.
    const perArm = arms.map((a) => {
      const byFold = this.folds.get(a);
      if (byFold) {
        const b = foldBand([...byFold.values()]);
        return { xs: b.xs, ys: b.mean, band: b };
      }
      const s = this.series.get(a)!;
      return { xs: s.xs, ys: s.ys, band: undefined };
    });
    // uPlot wants one x array for all series: choose at most MAX_DRAWN x values across arms,
    // keeping each arm's min and max per bucket, then read every arm at those x values.
    const xs = selectXs(perArm, MAX_DRAWN);
    const data: (number | null)[][] = [xs];
    for (const s of perArm) {
      const smoothAll = s.band ? s.ys : emaSmooth(s.ys, settings.smoothing);
      const first = new Array<number | null>(xs.length).fill(null);
      const second = new Array<number | null>(xs.length).fill(null);
      const third = new Array<number | null>(xs.length).fill(null);
      // Both x lists are sorted: walk them together.
      let j = 0;
      for (let k = 0; k < xs.length; k++) {
        while (j < s.xs.length && s.xs[j] < xs[k]) j++;
        if (j < s.xs.length && s.xs[j] === xs[k]) {
          const ok = (v: number) => !settings.log || v > 0;
          if (s.band) {
            // low, high, mean
            first[k] = ok(s.band.low[j]) ? s.band.low[j] : null;
            second[k] = ok(s.band.high[j]) ? s.band.high[j] : null;
            third[k] = ok(s.band.mean[j]) ? s.band.mean[j] : null;
          } else if (ok(s.ys[j])) {
            first[k] = s.ys[j];
            second[k] = smoothAll[j];
          }
        }
      }
      data.push(first, second, third);
    }
    this.drawnPoints = xs.length;
    this.el.dataset.drawn = String(xs.length);
    this.el.dataset.bands = String(this.bandArms.size);
    this.el.dataset.foldArms = [...this.bandArms].join(',');
    this.el.dataset.stored = String(arms.reduce((n, a) => n + (this.series.get(a)?.xs.length ?? 0) + [...(this.folds.get(a)?.values() ?? [])].reduce((m, f) => m + f.xs.length, 0), 0));
    const structural = !this.plot || this.lastLog !== settings.log || arms.join('|') !== this.arms.join('|');
    if (structural) {
      this.plot?.destroy();
      this.arms = arms;
      this.lastLog = settings.log;
      this.plot = new uPlot(this.options(arms, settings, width), data as uPlot.AlignedData, this.body);
    } else {
      this.plot!.setData(data as uPlot.AlignedData);
      if (Math.abs(this.plot!.width - width) > 2) this.plot!.setSize({ width, height: 160 });
    }
  }

  private options(arms: readonly string[], settings: CurveSettings, width: number): uPlot.Options {
    const fg = themeColor('--vscode-foreground', '#888');
    const grid = themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
    const series: uPlot.Series[] = [{ label: 'epoch' }];
    const bands: uPlot.Band[] = [];
    arms.forEach((a, k) => {
      const i = this.colorIndex[k] ?? k;
      const color = themeColor(PALETTE[i % PALETTE.length], FALLBACK[i % FALLBACK.length]);
      if (this.bandArms.has(a)) {
        // Series 1 + 3k: lowest fold, 2 + 3k: highest fold, 3 + 3k: mean; the band fills between.
        series.push({ label: `${a} (lowest fold)`, stroke: withAlpha(color, 0.35), width: 1, spanGaps: true, points: { show: false } });
        series.push({ label: `${a} (highest fold)`, stroke: withAlpha(color, 0.35), width: 1, spanGaps: true, points: { show: false } });
        series.push({ label: `${a} (mean of folds)`, stroke: color, width: 2, spanGaps: true, points: { show: false } });
        bands.push({ series: [2 + 3 * k, 1 + 3 * k], fill: withAlpha(color, 0.18) });
      } else {
        // A cross-validation run's refit: its model's colour, dashed.
        const dash = a.endsWith(REFIT) ? [6, 4] : undefined;
        series.push({ label: `${a} (raw)`, stroke: withAlpha(color, 0.25), width: 1, spanGaps: true, points: { show: false }, ...(dash ? { dash } : {}) });
        series.push({ label: a, stroke: color, width: 2, spanGaps: true, points: { show: false }, ...(dash ? { dash } : {}) });
        series.push({ label: `${a} (unused)`, show: false });
      }
    });
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '11px sans-serif', labelFont: '11px sans-serif', labelSize: 16 };
    return {
      width,
      height: 160,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { distr: settings.log ? 3 : 1 } },
      axes: [
        { ...axis, label: 'epoch', size: 30, labelSize: 14, labelGap: 0 },
        { ...axis, size: 52, label: axisTitle(this.metric), values: (_u: uPlot, ticks: number[]) => ticks.map((t) => formatTick(t)) },
      ],
      series,
      bands,
      hooks: {
        draw: [
          (u: uPlot) => {
            // Best-epoch markers: a dashed vertical line per arm.
            const ctx = u.ctx;
            this.arms.forEach((a, k) => {
              const i = this.colorIndex[k] ?? k;
              const epoch = this.best[a];
              if (epoch === undefined) return;
              const x = u.valToPos(epoch, 'x', true);
              if (!Number.isFinite(x)) return;
              ctx.save();
              ctx.strokeStyle = themeColor(PALETTE[i % PALETTE.length], FALLBACK[i % FALLBACK.length]);
              ctx.setLineDash([4, 4]);
              ctx.lineWidth = 1;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.restore();
            });
          },
        ],
      },
    };
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (m) {
    const n = parseInt(m[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const r = /^rgba?\(([^)]+)\)$/.exec(color);
  if (r) {
    const [a, b, c] = r[1].split(',').map((s) => s.trim());
    return `rgba(${a}, ${b}, ${c}, ${alpha})`;
  }
  return color;
}

/** All curves of one run: metric -> arm -> series. */
export class CurveBoard {
  readonly el = h('div', { class: 'curve-grid' });
  private readonly data = new Map<string, Map<string, Series>>();
  /** metric -> arm -> fold -> series, for cross-validation points. */
  private readonly foldData = new Map<string, Map<string, Map<number, Series>>>();
  private readonly charts = new Map<string, MetricChart>();
  private readonly armOrder: string[] = [];

  clear(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    this.data.clear();
    this.foldData.clear();
    this.armOrder.length = 0;
    this.el.replaceChildren();
  }

  add(points: readonly CurvePoint[]): void {
    for (const p of points) {
      if (!Number.isFinite(p.value)) continue;
      if (p.fold !== undefined) {
        let byArm = this.foldData.get(p.metric);
        if (!byArm) {
          byArm = new Map();
          this.foldData.set(p.metric, byArm);
          if (!this.data.has(p.metric)) this.data.set(p.metric, new Map());
        }
        let byFold = byArm.get(p.arm);
        if (!byFold) {
          byFold = new Map();
          byArm.set(p.arm, byFold);
          if (!this.armOrder.includes(p.arm)) this.armOrder.push(p.arm);
        }
        let f = byFold.get(p.fold);
        if (!f) {
          f = new Series();
          byFold.set(p.fold, f);
        }
        f.push(p.step, p.value);
        continue;
      }
      let byArm = this.data.get(p.metric);
      if (!byArm) {
        byArm = new Map();
        this.data.set(p.metric, byArm);
      }
      let s = byArm.get(p.arm);
      if (!s) {
        s = new Series();
        byArm.set(p.arm, s);
        if (!this.armOrder.includes(p.arm)) this.armOrder.push(p.arm);
      }
      s.push(p.step, p.value);
    }
  }

  /** Canvas colours are resolved once per chart: rebuild the charts on a theme switch. */
  themeChanged(): void {
    for (const c of this.charts.values()) c.destroy();
  }

  /** Best epoch per arm: the lowest validation loss seen. */
  bestEpochs(): Record<string, number> {
    const out: Record<string, number> = {};
    const val = this.data.get('val_loss');
    if (!val) return out;
    for (const [arm, s] of val) {
      let best = -1;
      for (let i = 0; i < s.ys.length; i++) if (best < 0 || s.ys[i] < s.ys[best]) best = i;
      if (best >= 0) out[arm] = s.xs[best];
    }
    return out;
  }

  get arms(): readonly string[] {
    return this.armOrder;
  }

  /** Total points stored (bounded) and drawn (bounded), for tests and diagnostics. */
  stats(): { stored: number; drawn: number; charts: number } {
    let stored = 0;
    for (const m of this.data.values()) for (const s of m.values()) stored += s.xs.length;
    for (const m of this.foldData.values()) for (const f of m.values()) for (const s of f.values()) stored += s.xs.length;
    let drawn = 0;
    for (const c of this.charts.values()) drawn += c.points;
    return { stored, drawn, charts: this.charts.size };
  }

  render(settings: CurveSettings, width: number, best: Record<string, number>): number {
    const metrics = [...this.data.keys()].sort(metricOrder);
    const cols = width > 1100 ? 3 : width > 700 ? 2 : 1;
    const chartWidth = Math.max(260, Math.floor((width - 40) / cols) - 24);
    this.el.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
    for (const metric of metrics) {
      let chart = this.charts.get(metric);
      if (!chart) {
        if (!this.foldData.has(metric)) this.foldData.set(metric, new Map());
        chart = new MetricChart(metric, this.data.get(metric)!, this.foldData.get(metric)!);
        this.charts.set(metric, chart);
      }
      chart.update(this.armOrder, settings, chartWidth, metric.includes('loss') ? best : {});
    }
    // Keep DOM order equal to metric order without re-creating charts.
    const wanted = metrics.map((m) => this.charts.get(m)!.el);
    if (wanted.some((el, i) => this.el.children[i] !== el)) this.el.replaceChildren(...wanted);
    return this.charts.size;
  }

  legend(): HTMLElement {
    return h(
      'div',
      { class: 'legend' },
      ...this.armOrder.map((a) => {
        const i = colorSlot(a, this.armOrder);
        const color = themeColor(PALETTE[i % PALETTE.length], FALLBACK[i % FALLBACK.length]);
        // A refit's swatch is dashed like its curve.
        const style = a.endsWith(REFIT) ? `background:repeating-linear-gradient(90deg, ${color} 0 4px, transparent 4px 7px)` : `background:${color}`;
        return h('span', { class: 'legend-item', 'data-arm': a }, h('span', { class: 'swatch', style }), a);
      }),
    );
  }
}

/** loss first, then val_loss, per-head losses, then per-source metrics, batch loss last. */
function metricOrder(a: string, b: string): number {
  const rank = (m: string) => (m === 'loss' ? 0 : m === 'val_loss' ? 1 : m.startsWith('loss/') ? 2 : m.startsWith('val_loss/') ? 3 : m === 'batch_loss' ? 5 : 4);
  return rank(a) - rank(b) || a.localeCompare(b);
}
