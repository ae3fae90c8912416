/**
 * `compare --stream --html FILE`: the streaming comparison as one self-contained HTML page (no
 * script, a strict CSP): the note on what is approximate, the recommendation with its reasons
 * and cautions, then per pair the schema (matches after normalising, suggested mappings), the
 * drift table with every bound beside its figure, the histograms (with their largest bin-share
 * error) and category counts as inline SVG, the label comparison (class counts side by side, or
 * the regression target's histogram), the domain classifier; date columns with their two time
 * ranges, the overlap and each calendar part's counts side by side and its drift test. Text from
 * the data (file, column, category and class names) is escaped.
 */
import { writeFileSync } from 'node:fs';
import type { StreamComparison, StreamFeature } from '../core/stream/streamCompare';
import type { StreamCompareDocument } from '../core/stream/streamRecommend';
import type { Bounded } from '../core/stream/quantileSketch';
import { formatNumber, formatPercent, formatPValue } from '../protocol/format';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : esc(formatNumber(v, 4)));

function bounded(b: Bounded | undefined): string {
  if (!b || !Number.isFinite(b.estimate)) return '-';
  const err = Math.max(b.upper - b.estimate, b.estimate - b.lower);
  return err > 0 ? `${num(b.estimate)} <span class="err">±${esc(formatNumber(err, 2))}</span>` : `${num(b.estimate)} <span class="exact">exact</span>`;
}

/**
 * Two count series side by side as bars (reference blue, other orange), shares of each side's
 * total; `named` writes each pair's label under it (the label charts: class names, bin ranges).
 */
function bars(reference: readonly number[], other: readonly number[], labels: readonly string[], size: { w?: number; h?: number; named?: boolean } = {}): string {
  const ta = reference.reduce((a, b) => a + b, 0) || 1;
  const tb = other.reduce((a, b) => a + b, 0) || 1;
  const max = Math.max(...reference.map((v) => v / ta), ...other.map((v) => v / tb), 1e-12);
  const w = size.w ?? 6;
  const h = size.h ?? 60;
  const below = size.named ? 16 : 0;
  const parts = reference.map((v, i) => {
    const x = i * (2 * w + 2);
    const ha = (v / ta / max) * h;
    const hb = ((other[i] ?? 0) / tb / max) * h;
    const name = size.named ? `<text x="${x + w}" y="${h + 12}" text-anchor="middle" font-size="10">${esc((labels[i] ?? '').slice(0, Math.max(2, Math.floor((2 * w + 2) / 6))))}</text>` : '';
    return `<g><title>${esc(labels[i] ?? '')}: ${esc(formatPercent(v / ta, 1))} vs ${esc(formatPercent((other[i] ?? 0) / tb, 1))}</title><rect class="a" x="${x}" y="${h - ha}" width="${w}" height="${ha}"/><rect class="b" x="${x + w}" y="${h - hb}" width="${w}" height="${hb}"/>${name}</g>`;
  });
  return `<svg width="${reference.length * (2 * w + 2)}" height="${h + below}" role="img">${parts.join('')}</svg>`;
}

function featureRow(f: StreamFeature): string {
  const verdict = f.identifierLike ? 'identifier-like (a distinct value per row): no verdict' : `${f.drift ? '<b>drift</b>' : 'no drift'} (${esc(f.method)})${f.verdictSure ? '' : ' <span class="err">unsure: the bound straddles the threshold</span>'}`;
  if (f.type === 'numeric') {
    const d = f.distribution;
    const labels = d ? d.reference.map((_, i) => `${formatNumber(d.edges[i], 4)} to ${formatNumber(d.edges[i + 1], 4)}`) : [];
    const p = f.ks ? (f.ks.pvalueRange[0] === f.ks.pvalueRange[1] ? esc(formatPValue(f.ks.pvalue)) : `${esc(formatPValue(f.ks.pvalueRange[0]))} to ${esc(formatPValue(f.ks.pvalueRange[1]))}`) : '-';
    return `<tr><td>${esc(f.name)}</td><td>numeric</td><td>${bounded(f.ks?.statistic)}<br><small>p ${p}</small></td><td>${bounded(f.wasserstein)}<br><small>normalised ${bounded(f.wassersteinNorm)}</small></td><td>${num(f.psi)}${f.exact ? '' : ' ~'}</td><td>${num(f.jensenShannon)}${f.exact ? '' : ' ~'}</td><td>${d ? bars(d.reference, d.other, labels) : ''}${d && d.maxShareError > 0 ? `<br><small>bin shares within ±${esc(formatPercent(d.maxShareError, 2))}</small>` : ''}</td><td>${verdict}</td></tr>`;
  }
  if (f.type === 'datetime' && f.time) {
    const t = f.time;
    const decided = t.parts.find((p) => p.part === t.decidedBy);
    const test = decided ? (decided.method === 'chi2' ? `${esc(PART_NAMES[decided.part])}: chi-squared p ${esc(formatPValue(decided.chi2.pvalue))}` : `${esc(PART_NAMES[decided.part])}: JS ${num(decided.jensenShannon)}`) : '-';
    return `<tr><td><a href="#dates-${esc(f.name)}">${esc(f.name)}</a></td><td>dates</td><td colspan="2">${esc(t.referenceRange.join(' to '))} vs ${esc(t.otherRange.join(' to '))}<br><small>overlap ${esc(formatPercent(t.overlap, 0))}; decided by ${test} <span class="exact">exact counts</span></small></td><td>${num(f.psi)}${f.exact ? '' : ' ~'}</td><td>${num(f.jensenShannon)}${f.exact ? '' : ' ~'}</td><td>${f.distribution ? bars(f.distribution.reference, f.distribution.other, f.distribution.reference.map((_, i) => `${isoDay(f.distribution?.edges[i])} to ${isoDay(f.distribution?.edges[i + 1])}`)) : ''}</td><td>${verdict}</td></tr>`;
  }
  const c = f.categories;
  return `<tr><td>${esc(f.name)}</td><td>categorical${f.sampledKind ? ` (${f.sampledKind === 'datetime' ? 'dates' : 'text'} by the sampled rows)` : ''}</td><td colspan="2">chi-squared p ${esc(formatPValue(f.chi2?.pvalue ?? NaN))}${f.exact ? ' <span class="exact">exact counts</span>' : ` <span class="err">counts up to ${c?.referenceUndercount} / ${c?.otherUndercount} low; pruned categories pooled</span>`}</td><td>${num(f.psi)}</td><td>${num(f.jensenShannon)}</td><td>${c ? bars(c.reference, c.other, c.values) : ''}</td><td>${verdict}</td></tr>`;
}

const PART_NAMES: Record<string, string> = { year: 'year', month: 'month', dayOfWeek: 'day of week', hour: 'hour' };

const isoDay = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '' : new Date(ms).toISOString().slice(0, 10));

/**
 * Date columns: both time ranges and their overlap, the share of the other file inside the
 * reference's range, and per calendar part both files' counts side by side with its test.
 */
function datesSection(c: StreamComparison): string {
  const dates = c.features.filter((f) => f.type === 'datetime' && f.time);
  if (!dates.length) return '';
  const ref = esc(c.reference.file);
  const other = esc(c.other.file);
  const blocks = dates.map((f) => {
    const t = f.time as NonNullable<StreamFeature['time']>;
    const [lo, hi] = t.otherInReferenceRangeBounds;
    const inside = `${esc(formatPercent(t.otherInReferenceRange, 1))}${lo === hi ? '' : ` <span class="err">(${esc(formatPercent(lo, 1))} to ${esc(formatPercent(hi, 1))})</span>`}`;
    const parts = t.parts
      .map((p) => {
        const counts = t.counts.find((x) => x.part === p.part);
        const chart = counts ? bars(counts.reference, counts.other, counts.categories, { w: p.part === 'year' && counts.categories.length > 12 ? 6 : 12, h: 60, named: counts.categories.length <= 24 }) : '';
        const test = p.method === 'chi2' ? `chi-squared p ${esc(formatPValue(p.chi2.pvalue))} (threshold ${num(p.threshold)})` : `JS ${num(p.jensenShannon)} (threshold ${num(p.threshold)})`;
        return `<figure class="date-part" data-part="${esc(p.part)}">${chart}<figcaption>${esc(PART_NAMES[p.part])}: ${test}; ${p.drift ? '<b>drift</b>' : 'no drift'}</figcaption></figure>`;
      })
      .join('');
    return `<div class="dates" id="dates-${esc(f.name)}"><h4>${esc(f.name)} <span class="exact">exact</span></h4>
<table class="date-ranges"><thead><tr><th></th><th>from</th><th>to</th><th>dates</th><th>format</th></tr></thead><tbody><tr><td>${ref}</td><td>${esc(t.referenceRange[0])}</td><td>${esc(t.referenceRange[1])}</td><td>${esc(String(t.dates[0]))}</td><td><code>${esc(t.formats[0])}</code></td></tr><tr><td>${other}</td><td>${esc(t.otherRange[0])}</td><td>${esc(t.otherRange[1])}</td><td>${esc(String(t.dates[1]))}</td><td><code>${esc(t.formats[1])}</code></td></tr></tbody></table>
<p>Time ranges overlap ${esc(formatPercent(t.overlap, 1))}; ${inside} of ${other}'s dates lie inside ${ref}'s range.</p>
<div class="date-parts">${parts}</div></div>`;
  });
  return `<h3>Dates</h3><p>Time ranges and calendar parts (in each cell's wall time) from exact counts, as the in-memory comparison computes them (reference blue, other orange).</p>${blocks.join('\n')}`;
}

/** The label comparison: class counts side by side (ranges past the exact cap), or the regression target's shared histogram. */
function labelSection(c: StreamComparison): string {
  const l = c.label;
  if (!l) return '';
  const ref = esc(c.reference.file);
  const other = esc(c.other.file);
  let out = `<h3>Label "${esc(l.referenceColumn)}"${l.sameColumn ? '' : ` vs "${esc(l.otherColumn)}"`} (${esc(l.task)}${l.exact ? ', <span class="exact">exact</span>' : ''})</h3>`;
  if (!l.sameColumn) out += `<p>Different label columns: ${ref} predicts "${esc(l.referenceColumn)}", ${other} predicts "${esc(l.otherColumn)}"; their values are not compared.</p>`;
  if (l.task === 'regression') {
    const d = l.distribution;
    const labels = d ? d.reference.map((_, i) => `${formatNumber(d.edges[i], 4)} to ${formatNumber(d.edges[i + 1], 4)}`) : [];
    out += `<p>Means ${num(l.referenceMean)} vs ${num(l.otherMean)} <span class="exact">exact</span>${l.ks ? `; KS ${bounded(l.ks.statistic)}` : ''}${l.wassersteinNorm ? `; W1/std ${bounded(l.wassersteinNorm)}` : ''}</p>`;
    if (d && d.reference.length) out += `<figure class="label-histogram">${bars(d.reference, d.other, labels, { w: 8, h: 120 })}<figcaption>target histogram, 30 shared bins from ${num(d.edges[0])} to ${num(d.edges[d.edges.length - 1])} (reference blue, other orange)${d.maxShareError > 0 ? `; bin shares within <span class="err">±${esc(formatPercent(d.maxShareError, 2))}</span>` : ''}</figcaption></figure>`;
    return out;
  }
  // Classes: both sides' counts over the union of listed values, most frequent first (at most 30 drawn).
  const values = [...new Set([...l.referenceDistribution.map((x) => x.value), ...l.otherDistribution.map((x) => x.value)])];
  const count = (ds: typeof l.referenceDistribution, v: string) => ds.find((x) => x.value === v)?.count ?? 0;
  values.sort((a, b) => count(l.referenceDistribution, b) + count(l.otherDistribution, b) - count(l.referenceDistribution, a) - count(l.otherDistribution, a));
  const shown = values.slice(0, 30);
  const ra = shown.map((v) => count(l.referenceDistribution, v));
  const rb = shown.map((v) => count(l.otherDistribution, v));
  const cell = (n: number, under: number) => (under ? `${n}..${n + under}` : String(n));
  out += `<figure class="label-classes">${bars(ra, rb, shown, { w: 20, h: 120, named: true })}<figcaption>class counts as shares of each file's rows (reference blue, other orange)${l.exact ? '' : '; <span class="err">counts past the exact cap are lower bounds, drawn at their lower end</span>'}</figcaption></figure>`;
  out += `<table class="label-counts"><thead><tr><th>class</th><th>${ref}</th><th>${other}</th></tr></thead><tbody>${shown
    .map((v, i) => `<tr><td>${esc(v)}</td><td>${cell(ra[i], l.referenceUndercount)}</td><td>${cell(rb[i], l.otherUndercount)}</td></tr>`)
    .join('')}</tbody></table>`;
  if (values.length > shown.length) out += `<p>${values.length - shown.length} more classes (--json lists them all).</p>`;
  if (l.exact) out += `<p>Overlap ${esc(formatPercent(l.overlap ?? 0, 0))}; imbalance ${num(l.referenceImbalance)} vs ${num(l.otherImbalance)}; JS distance ${num(l.jensenShannon)}; chi-squared p ${esc(formatPValue(l.chi2?.pvalue ?? NaN))}</p>`;
  else out += '<p>Overlap, imbalance, JS distance and chi-squared need exact counts on both sides: not computed.</p>';
  return out;
}

function schemaSection(c: StreamComparison): string {
  const s = c.schema;
  const items = [
    ...s.matched.filter((m) => m.renamed).map((m) => `matched "${esc(m.reference)}" with "${esc(m.other)}" after normalising names`),
    ...s.typeConflicts.map((t) => `type conflict: ${esc(t)} (compared as categories)`),
    ...s.suggestions.map((g) => `suggested mapping: "${esc(g.reference)}" &rarr; "${esc(g.other)}" (${esc(g.reason)})`),
  ];
  return `<p>Columns: ${s.matched.length} matched${c.onlyInReference.length ? `; only in the reference: ${c.onlyInReference.map(esc).join(', ')}` : ''}${c.onlyInOther.length ? `; only in the other file: ${c.onlyInOther.map(esc).join(', ')}` : ''}</p>${items.length ? `<ul class="schema">${items.map((x) => `<li>${x}</li>`).join('')}</ul>` : ''}`;
}

function pairSection(c: StreamComparison): string {
  const dc = c.domainClassifier;
  return `<h2>${esc(c.reference.file)} (reference, ${esc(String(c.reference.rows))} rows) vs ${esc(c.other.file)} (${esc(String(c.other.rows))} rows)</h2>
${schemaSection(c)}
<table><thead><tr><th>feature</th><th>type</th><th>KS</th><th>Wasserstein</th><th>PSI</th><th>JS</th><th>distribution (reference blue, other orange)</th><th>verdict</th></tr></thead>
<tbody>${c.features.map(featureRow).join('\n')}</tbody></table>
${datesSection(c)}
${labelSection(c)}
<h3>Domain classifier</h3>
<p>${dc ? `AUC ${num(dc.auc)} (${dc.folds}-fold) on a uniform sample of ${dc.sampledRows[0]} + ${dc.sampledRows[1]} rows; features that separate the files most: ${dc.topFeatures.slice(0, 5).map((t) => esc(t.name)).join(', ')}` : 'not run (too few rows or no shared feature)'}</p>`;
}

export function streamCompareHtml(doc: StreamCompareDocument): string {
  const r = doc.recommendation;
  const title = doc.datasets.map((x) => x.path).join(' vs ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Dataset Lab: ${esc(title)} (streaming)</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.4em .6em;text-align:left;vertical-align:top}
.date-parts{display:flex;flex-wrap:wrap;gap:1em}.date-part{margin:0}.err{color:#a15c00}.exact{color:#2a7a2a;font-size:.85em}.note{background:#fff7e6;border:1px solid #f0c36d;padding:.6em 1em;max-width:60em}rect.a{fill:#4a7fc1}rect.b{fill:#e08a2e}
</style></head><body>
<h1>${esc(title)} (streaming)</h1>
<p class="note"><b>Approximate figures.</b> ${esc(doc.approximate)}</p>
<h2 id="recommendation">Recommendation: ${esc(r.strategy.toUpperCase())}</h2>
<ul class="reasons">${r.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
${r.cautions.length ? `<p>Cautions:</p><ul class="cautions">${r.cautions.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
${doc.comparisons.map(pairSection).join('\n')}
</body></html>
`;
}

export function writeStreamCompareHtml(doc: StreamCompareDocument, path: string): void {
  writeFileSync(path, streamCompareHtml(doc));
}
