/**
 * Distribution charts with Observable Plot (SVG, no eval, nothing remote): overlaid normalised
 * histograms for numeric features, grouped bars for categorical ones and for labels, and
 * confusion-matrix heatmaps. Colours come from the VS Code theme.
 */
import * as Plot from '@observablehq/plot';
import type { ComparisonReport } from '../src/protocol/dashboard';

type FeatureComparison = ComparisonReport['comparisons'][number]['features'][number];
type LabelValueCount = NonNullable<ComparisonReport['comparisons'][number]['label']>['referenceDistribution'][number];

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
  const d = f.distribution;
  if (d.edges && d.edges.length === d.reference.length + 1) {
    const rs = shares(d.reference);
    const os = shares(d.other);
    const rows: { x1: number; x2: number; share: number; dataset: string }[] = [];
    for (let i = 0; i < rs.length; i++) {
      rows.push({ x1: d.edges[i], x2: d.edges[i + 1], share: rs[i], dataset: names[0] });
      rows.push({ x1: d.edges[i], x2: d.edges[i + 1], share: os[i], dataset: names[1] });
    }
    return Plot.plot({
      ...base,
      width,
      height: 170,
      x: { label: f.name, nice: false },
      y: { label: 'share', grid: true, tickFormat: '%' },
      color: { domain: [...names], range: [REF_COLOR, OTHER_COLOR] },
      marks: [
        Plot.rectY(rows, { x1: 'x1', x2: 'x2', y1: 0, y2: 'share', fill: 'dataset', fillOpacity: 0.45, mixBlendMode: 'normal', inset: 0.5, title: (r: { dataset: string; share: number; x1: number; x2: number }) => `${r.dataset}: ${(r.share * 100).toFixed(1)}% in [${r.x1.toPrecision(4)}, ${r.x2.toPrecision(4)})` }),
        Plot.ruleY([0]),
      ],
    });
  }
  const cats = d.categories ?? [];
  const rs = shares(d.reference);
  const os = shares(d.other);
  const order = cats.map((c, i) => ({ c, i, w: rs[i] + os[i] })).sort((a, b) => b.w - a.w).slice(0, 16);
  const rows = order.flatMap(({ c, i }) => [
    { category: c, dataset: names[0], share: rs[i] },
    { category: c, dataset: names[1], share: os[i] },
  ]);
  return groupedBars(rows, names, width, f.name);
}

function groupedBars(rows: { category: string; dataset: string; share: number }[], names: readonly string[], width: number, label: string): SVGSVGElement | HTMLElement {
  const categories = [...new Set(rows.map((r) => r.category))];
  return Plot.plot({
    ...base,
    width,
    height: 190,
    marginBottom: 50,
    fx: { label, domain: categories, tickRotate: categories.length > 6 ? -30 : 0, padding: 0.15 },
    x: { axis: null, domain: [...names] },
    y: { label: 'share', grid: true, tickFormat: '%' },
    color: { domain: [...names], range: [REF_COLOR, OTHER_COLOR] },
    marks: [
      Plot.barY(rows, { fx: 'category', x: 'dataset', y: 'share', fill: 'dataset', title: (r: { dataset: string; share: number; category: string }) => `${r.dataset}: ${r.category} ${(r.share * 100).toFixed(1)}%` }),
      Plot.ruleY([0]),
    ],
  });
}

/** Label distributions of both datasets side by side. */
export function labelChart(reference: readonly LabelValueCount[], other: readonly LabelValueCount[], names: readonly [string, string], width: number): SVGSVGElement | HTMLElement {
  const values = [...new Set([...reference.map((r) => r.value), ...other.map((r) => r.value)])];
  const byRef = new Map(reference.map((r) => [r.value, r.share]));
  const byOther = new Map(other.map((r) => [r.value, r.share]));
  const rows = values.slice(0, 24).flatMap((v) => [
    { category: v, dataset: names[0], share: byRef.get(v) ?? 0 },
    { category: v, dataset: names[1], share: byOther.get(v) ?? 0 },
  ]);
  return groupedBars(rows, names, width, 'label');
}

/** A confusion matrix as a heatmap with counts (rows = true, columns = predicted). */
export function confusionChart(matrix: readonly (readonly number[])[], labels: readonly string[], width: number): SVGSVGElement | HTMLElement {
  const cells: { truth: string; predicted: string; count: number; share: number }[] = [];
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => cells.push({ truth: labels[i] ?? String(i), predicted: labels[j] ?? String(j), count, share: total ? count / total : 0 }));
  });
  const size = Math.min(width, 60 + labels.length * 44);
  return Plot.plot({
    ...base,
    width: size,
    height: size,
    marginLeft: 70,
    marginBottom: 50,
    padding: 0.04,
    x: { label: 'predicted', domain: [...labels], tickRotate: labels.length > 4 ? -30 : 0 },
    y: { label: 'true', domain: [...labels] },
    color: { scheme: 'blues', domain: [0, 1] },
    marks: [
      Plot.cell(cells, { x: 'predicted', y: 'truth', fill: 'share', title: (c: { count: number; share: number }) => `${c.count} (${(c.share * 100).toFixed(1)}% of the true class)` }),
      Plot.text(cells, { x: 'predicted', y: 'truth', text: 'count', fill: (c: { share: number }) => (c.share > 0.55 ? 'white' : 'black') }),
    ],
  });
}
