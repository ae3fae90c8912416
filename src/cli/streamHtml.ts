/**
 * `compare --stream --html FILE`: the streaming comparison as one self-contained HTML page (no
 * script, a strict CSP): the note on what is approximate, the drift table with every bound
 * beside its figure, the histograms (with their largest bin-share error) and category counts as
 * inline SVG, the domain classifier. Text from the data (file, column and category names) is
 * escaped.
 */
import { writeFileSync } from 'node:fs';
import type { StreamComparison, StreamFeature } from '../core/stream/streamCompare';
import type { Bounded } from '../core/stream/quantileSketch';
import { formatNumber, formatPercent, formatPValue } from '../protocol/format';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : esc(formatNumber(v, 4)));

function bounded(b: Bounded | undefined): string {
  if (!b || !Number.isFinite(b.estimate)) return '-';
  const err = Math.max(b.upper - b.estimate, b.estimate - b.lower);
  return err > 0 ? `${num(b.estimate)} <span class="err">±${esc(formatNumber(err, 2))}</span>` : `${num(b.estimate)} <span class="exact">exact</span>`;
}

/** Two count series side by side as bars (reference blue, other orange), shares of each side's total. */
function bars(reference: readonly number[], other: readonly number[], labels: readonly string[]): string {
  const ta = reference.reduce((a, b) => a + b, 0) || 1;
  const tb = other.reduce((a, b) => a + b, 0) || 1;
  const max = Math.max(...reference.map((v) => v / ta), ...other.map((v) => v / tb), 1e-12);
  const w = 6;
  const h = 60;
  const parts = reference.map((v, i) => {
    const x = i * (2 * w + 2);
    const ha = (v / ta / max) * h;
    const hb = ((other[i] ?? 0) / tb / max) * h;
    return `<g><title>${esc(labels[i] ?? '')}: ${esc(formatPercent(v / ta, 1))} vs ${esc(formatPercent((other[i] ?? 0) / tb, 1))}</title><rect class="a" x="${x}" y="${h - ha}" width="${w}" height="${ha}"/><rect class="b" x="${x + w}" y="${h - hb}" width="${w}" height="${hb}"/></g>`;
  });
  return `<svg width="${reference.length * (2 * w + 2)}" height="${h}" role="img">${parts.join('')}</svg>`;
}

function featureRow(f: StreamFeature): string {
  const verdict = f.identifierLike ? 'identifier-like (a distinct value per row): no verdict' : `${f.drift ? '<b>drift</b>' : 'no drift'} (${esc(f.method)})${f.verdictSure ? '' : ' <span class="err">unsure: the bound straddles the threshold</span>'}`;
  if (f.type === 'numeric') {
    const d = f.distribution;
    const labels = d ? d.reference.map((_, i) => `${formatNumber(d.edges[i], 4)} to ${formatNumber(d.edges[i + 1], 4)}`) : [];
    const p = f.ks ? (f.ks.pvalueRange[0] === f.ks.pvalueRange[1] ? esc(formatPValue(f.ks.pvalue)) : `${esc(formatPValue(f.ks.pvalueRange[0]))} to ${esc(formatPValue(f.ks.pvalueRange[1]))}`) : '-';
    return `<tr><td>${esc(f.name)}</td><td>numeric</td><td>${bounded(f.ks?.statistic)}<br><small>p ${p}</small></td><td>${bounded(f.wasserstein)}<br><small>normalised ${bounded(f.wassersteinNorm)}</small></td><td>${num(f.psi)}${f.exact ? '' : ' ~'}</td><td>${num(f.jensenShannon)}${f.exact ? '' : ' ~'}</td><td>${d ? bars(d.reference, d.other, labels) : ''}${d && d.maxShareError > 0 ? `<br><small>bin shares within ±${esc(formatPercent(d.maxShareError, 2))}</small>` : ''}</td><td>${verdict}</td></tr>`;
  }
  const c = f.categories;
  return `<tr><td>${esc(f.name)}</td><td>categorical</td><td colspan="2">chi-squared p ${esc(formatPValue(f.chi2?.pvalue ?? NaN))}${f.exact ? ' <span class="exact">exact counts</span>' : ` <span class="err">counts up to ${c?.referenceUndercount} / ${c?.otherUndercount} low; pruned categories pooled</span>`}</td><td>${num(f.psi)}</td><td>${num(f.jensenShannon)}</td><td>${c ? bars(c.reference, c.other, c.values) : ''}</td><td>${verdict}</td></tr>`;
}

export function streamCompareHtml(c: StreamComparison, note: string): string {
  const dc = c.domainClassifier;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Dataset Lab: ${esc(c.reference.file)} vs ${esc(c.other.file)} (streaming)</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.4em .6em;text-align:left;vertical-align:top}
.err{color:#a15c00}.exact{color:#2a7a2a;font-size:.85em}.note{background:#fff7e6;border:1px solid #f0c36d;padding:.6em 1em;max-width:60em}rect.a{fill:#4a7fc1}rect.b{fill:#e08a2e}
</style></head><body>
<h1>${esc(c.reference.file)} (reference, ${esc(String(c.reference.rows))} rows) vs ${esc(c.other.file)} (${esc(String(c.other.rows))} rows)</h1>
<p class="note"><b>Approximate figures.</b> ${esc(note)}</p>
<table><thead><tr><th>feature</th><th>type</th><th>KS</th><th>Wasserstein</th><th>PSI</th><th>JS</th><th>distribution (reference blue, other orange)</th><th>verdict</th></tr></thead>
<tbody>${c.features.map(featureRow).join('\n')}</tbody></table>
${c.onlyInReference.length ? `<p>Only in the reference: ${c.onlyInReference.map(esc).join(', ')}</p>` : ''}${c.onlyInOther.length ? `<p>Only in the other file: ${c.onlyInOther.map(esc).join(', ')}</p>` : ''}
<h2>Domain classifier</h2>
<p>${dc ? `AUC ${num(dc.auc)} (${dc.folds}-fold) on a uniform sample of ${dc.sampledRows[0]} + ${dc.sampledRows[1]} rows; features that separate the files most: ${dc.topFeatures.slice(0, 5).map((t) => esc(t.name)).join(', ')}` : 'not run (too few rows or no shared feature)'}</p>
<p>Label comparison, schema suggestions and the recommendation need the in-memory mode (not computed when streaming).</p>
</body></html>
`;
}

export function writeStreamCompareHtml(c: StreamComparison, note: string, path: string): void {
  writeFileSync(path, streamCompareHtml(c, note));
}
