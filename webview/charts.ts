/**
 * Distribution charts with Observable Plot (SVG, no eval, nothing remote): overlaid normalised
 * histograms for numeric features, grouped bars for categorical ones and for labels, and
 * confusion-matrix heatmaps. Colours come from the VS Code theme.
 */
import * as Plot from '@observablehq/plot';
import type { ComparisonReport } from '../src/protocol/dashboard';
import { formatCount, formatNumber, formatPercent, formatTick } from '../src/protocol/format';

type FeatureComparison = ComparisonReport['comparisons'][number]['features'][number];
type LabelValueCount = NonNullable<ComparisonReport['comparisons'][number]['label']>['referenceDistribution'][number];
type SharedDistribution = FeatureComparison['distribution'];

/** A category or tick label cut to `max` characters (the full text is in the mark's title). */
function short(v: string, max = 14): string {
  return v.length > max ? `${v.slice(0, max - 1)}…` : v;
}

export const REF_COLOR = 'var(--dl-ref)';
export const OTHER_COLOR = 'var(--dl-other)';

const base = {
  style: { background: 'transparent', color: 'var(--vscode-foreground)', fontSize: '11px', overflow: 'visible' },
  marginLeft: 44,
  marginBottom: 34,
} as const;

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/** Both datasets' normalised distributions of one feature on one chart. */
export function featureChart(f: FeatureComparison, names: readonly [string, string], width: number): SVGSVGElement | HTMLElement {
  return distributionChart(f.distribution, names, width, f.name);
}

/** Both datasets' counts over shared bins (overlaid histograms) or categories (grouped bars); the streaming mode's too. */
export function distributionChart(d: SharedDistribution, names: readonly [string, string], width: number, label: string): SVGSVGElement | HTMLElement {
  if (d.edges && d.edges.length === d.reference.length + 1) {
    const rs = shares(d.reference);
    const os = shares(d.other);
    return overlaidHistogram(d, rs, os, names, width, label, d.time === true);
  }
  const cats = d.categories ?? [];
  const rs = shares(d.reference);
  const os = shares(d.other);
  const order = cats.map((c, i) => ({ c, i, w: rs[i] + os[i] })).sort((a, b) => b.w - a.w).slice(0, 16);
  const rows = order.flatMap(({ c, i }) => [
    { category: c, dataset: names[0], share: rs[i] },
    { category: c, dataset: names[1], share: os[i] },
  ]);
  return groupedBars(rows, names, width, label);
}

function groupedBars(rows: { category: string; dataset: string; share: number }[], names: readonly string[], width: number, label: string, legend = false): SVGSVGElement | HTMLElement {
  const categories = [...new Set(rows.map((r) => r.category))];
  // Rotate the category names when they would not fit side by side, and make room below for them.
  const longest = Math.max(1, ...categories.map((c) => short(c).length));
  const rotate = categories.length > 6 || longest * 6.5 > width / Math.max(1, categories.length) - 4;
  return Plot.plot({
    ...base,
    width,
    height: rotate ? 170 + Math.min(90, longest * 5) : 190,
    marginBottom: rotate ? 24 + Math.min(90, longest * 5) : 50,
    fx: { label, domain: categories, tickRotate: rotate ? -35 : 0, tickFormat: (c: string) => short(c), padding: 0.15 },
    x: { axis: null, domain: [...names] },
    y: { label: 'share', grid: true, tickFormat: '%' },
    // A legend when the series are not the datasets' own (two label columns): which colour is which.
    color: { domain: [...names], range: [REF_COLOR, OTHER_COLOR], ...(legend ? { legend: true } : {}) },
    marks: [
      Plot.barY(rows, { fx: 'category', x: 'dataset', y: 'share', fill: 'dataset', title: (r: { dataset: string; share: number; category: string }) => `${r.dataset}: ${r.category} ${formatPercent(r.share, 1)}` }),
      Plot.ruleY([0]),
    ],
  });
}

/**
 * Two datasets' shares over the same bins, overlaid so both stay readable: the reference as
 * filled bars, the other as an outlined step line over a light fill (two colours that do not
 * blend into a third where they overlap).
 */
function overlaidHistogram(d: SharedDistribution, rs: readonly number[], os: readonly number[], names: readonly [string, string], width: number, label: string, time: boolean, means?: readonly [number | undefined, number | undefined]): SVGSVGElement | HTMLElement {
  const edges = d.edges ?? [];
  const x = (v: number) => (time ? new Date(v) : v);
  const ref = rs.map((share, i) => ({ x1: x(edges[i]), x2: x(edges[i + 1]), share, dataset: names[0] }));
  const oth = os.map((share, i) => ({ x1: x(edges[i]), x2: x(edges[i + 1]), share, dataset: names[1] }));
  // The other dataset's outline: a step line along the tops of its bins.
  const step = oth.flatMap((r) => [
    { x: r.x1, y: r.share },
    { x: r.x2, y: r.share },
  ]);
  const title = (r: { dataset: string; share: number; x1: number | Date; x2: number | Date }) =>
    `${r.dataset}: ${formatPercent(r.share, 1)} in [${time ? (r.x1 as Date).toISOString().slice(0, 10) : formatNumber(r.x1 as number)}, ${time ? (r.x2 as Date).toISOString().slice(0, 10) : formatNumber(r.x2 as number)})`;
  const marks: Plot.Markish[] = [
    Plot.rectY(ref, { x1: 'x1', x2: 'x2', y1: 0, y2: 'share', fill: REF_COLOR, fillOpacity: 0.55, inset: 0.5, title }),
    Plot.rectY(oth, { x1: 'x1', x2: 'x2', y1: 0, y2: 'share', fill: OTHER_COLOR, fillOpacity: 0.18, inset: 0.5, title }),
    Plot.line(step, { x: 'x', y: 'y', stroke: OTHER_COLOR, strokeWidth: 2 }),
    Plot.ruleY([0]),
  ];
  if (means) {
    means.forEach((m, k) => {
      if (m === undefined || !Number.isFinite(m)) return;
      const color = k === 0 ? REF_COLOR : OTHER_COLOR;
      marks.push(Plot.ruleX([m], { stroke: color, strokeWidth: 2, strokeDasharray: k === 0 ? '6,3' : '2,2' }));
      marks.push(Plot.text([m], { x: (v: number) => v, frameAnchor: 'top', dy: k === 0 ? 2 : 14, text: () => `${names[k]} mean ${formatNumber(m)}`, fill: color, textAnchor: k === 0 ? 'end' : 'start', dx: k === 0 ? -4 : 4, fontWeight: 600 }));
    });
  }
  return Plot.plot({
    ...base,
    width,
    height: means ? 200 : 170,
    marginTop: means ? 30 : 20,
    x: { label, nice: false, ...(time ? { type: 'utc' as const } : { tickFormat: (v: number) => formatTick(v) }), ticks: Math.max(3, Math.floor(width / 90)) },
    y: { label: 'share of rows', grid: true, tickFormat: '%' },
    marks,
  });
}

/** A regression label's distributions on shared bins, overlaid, with each dataset's mean marked. */
export function regressionLabelChart(d: SharedDistribution, referenceMean: number | undefined, otherMean: number | undefined, names: readonly [string, string], width: number, label: string): SVGSVGElement | HTMLElement {
  return overlaidHistogram(d, shares(d.reference), shares(d.other), names, width, label, false, [referenceMean, otherMean]);
}

/** Label distributions of both datasets side by side; `legend` names the series when the label columns differ. */
export function labelChart(reference: readonly LabelValueCount[], other: readonly LabelValueCount[], names: readonly [string, string], width: number, legend: readonly [string, string] = names): SVGSVGElement | HTMLElement {
  const values = [...new Set([...reference.map((r) => r.value), ...other.map((r) => r.value)])];
  const byRef = new Map(reference.map((r) => [r.value, r.share]));
  const byOther = new Map(other.map((r) => [r.value, r.share]));
  const rows = values.slice(0, 24).flatMap((v) => [
    { category: v, dataset: legend[0], share: byRef.get(v) ?? 0 },
    { category: v, dataset: legend[1], share: byOther.get(v) ?? 0 },
  ]);
  return groupedBars(rows, legend, width, 'label value', legend !== names);
}

/** A confusion matrix as a heatmap with counts (rows = true, columns = predicted). */
export function confusionChart(matrix: readonly (readonly number[])[], labels: readonly string[], width: number): SVGSVGElement | HTMLElement {
  const cells: { truth: string; predicted: string; count: number; share: number }[] = [];
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => cells.push({ truth: labels[i] ?? String(i), predicted: labels[j] ?? String(j), count, share: total ? count / total : 0 }));
  });
  // Room for the tick labels: the longest (cut to 12 characters) sets the left and bottom margins;
  // the x labels turn when they would not fit under their cells.
  const longest = Math.max(1, ...labels.map((l) => short(l, 12).length));
  const textWidth = longest * 6.5;
  const marginLeft = Math.max(50, Math.min(110, textWidth + 26));
  const cellSize = 44;
  const rotate = textWidth > cellSize - 6;
  const marginBottom = rotate ? Math.min(100, textWidth * 0.75 + 30) : 40;
  const size = Math.min(width, marginLeft + 20 + labels.length * cellSize);
  return Plot.plot({
    ...base,
    width: size,
    height: size - marginLeft + marginBottom + 20,
    marginLeft,
    marginBottom,
    padding: 0.04,
    x: { label: 'predicted →', domain: [...labels], tickRotate: rotate ? -40 : 0, tickFormat: (l: string) => short(l, 12) },
    y: { label: '↑ true', domain: [...labels], tickFormat: (l: string) => short(l, 12) },
    color: { scheme: 'blues', domain: [0, 1] },
    marks: [
      Plot.cell(cells, { x: 'predicted', y: 'truth', fill: 'share', title: (c: { truth: string; predicted: string; count: number; share: number }) => `true ${c.truth}, predicted ${c.predicted}: ${formatCount(c.count)} (${formatPercent(c.share, 1)} of the true class)` }),
      Plot.text(cells, { x: 'predicted', y: 'truth', text: (c: { count: number }) => formatCount(c.count), fill: (c: { share: number }) => (c.share > 0.55 ? 'white' : 'black') }),
    ],
  });
}
