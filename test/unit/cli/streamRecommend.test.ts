// compare --stream through dist/cli.js: the recommendation and the schema alignment come from the
// in-memory rules (recommend.ts, schemaAlign.ts) fed the streamed figures, so on files within the
// exact caps they say what the in-memory compare says; what the rule could not be given in the
// streaming mode is said in its reasons (label overlap past the cap, dates held as categories);
// more than two files are compared pairwise against the reference as in memory; the --html page
// draws the label comparison (class counts, or the regression target's histogram) from the
// numbers of the --json document.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examples, runCli, tempDir } from '../helpers';

const seattle = examples('weather', 'seattle.csv');
const newYork = examples('weather', 'new-york.csv');
const tmp = tempDir('dataset-lab-cli-stream-rec-');
after(tmp.cleanup);

interface Verdict {
  strategy: string;
  reasons: string[];
  cautions: string[];
  pairs: { reference: string; other: string; strategy: string; reasons: string[] }[];
  unavailableInputs?: { reference: string; other: string; input: string; message: string }[];
}
interface Feature {
  name: string;
  otherName?: string;
  type: string;
  ks?: { statistic: number | { estimate: number } };
  wasserstein?: number | { estimate: number };
  psi: number;
  jensenShannon: number;
  drift: boolean;
}
interface Pair {
  reference: string | { file: string };
  other: string | { file: string };
  referenceName?: string;
  otherName?: string;
  features: Feature[];
  schema: unknown;
}

const json = (args: string[]) => {
  const r = runCli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

/** The drift figures of streamed features (exact sketches) equal the in-memory ones, feature by feature. */
function sameFigures(stream: Feature[], memory: Feature[], what: string): void {
  const numeric = stream.filter((f) => f.type === 'numeric');
  assert.ok(numeric.length > 0, `${what}: numeric features`);
  for (const f of numeric) {
    const m = memory.find((x) => x.name === f.name);
    assert.ok(m, `${what} ${f.name} in memory`);
    const ks = (f.ks?.statistic as { estimate: number }).estimate;
    assert.ok(Math.abs(ks - (m.ks?.statistic as number)) < 1e-12, `${what} ${f.name} KS ${ks} vs ${m.ks?.statistic}`);
    assert.ok(Math.abs((f.wasserstein as { estimate: number }).estimate - (m.wasserstein as number)) < 1e-9, `${what} ${f.name} W`);
    assert.ok(Math.abs(f.psi - m.psi) < 1e-9, `${what} ${f.name} PSI`);
    assert.equal(f.drift, m.drift, `${what} ${f.name} verdict`);
  }
}

/** Seattle with temperatures 4 degrees warmer and every other row: a third dataset for N-file runs. */
function warmer(): string {
  const lines = readFileSync(seattle, 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const ti = head.indexOf('temp_max');
  const out = [lines[0]];
  lines.slice(1).forEach((l, i) => {
    if (i % 2) return;
    const cells = l.split(',');
    cells[ti] = String(Number(cells[ti]) + 4);
    out.push(cells.join(','));
  });
  return out.join('\n') + '\n';
}

/** A label with over 2,000 distinct classes (past the streaming category summary's exact range) on each side. */
function manyClasses(n: number, shift: number): string {
  const out = ['x,cls'];
  for (let i = 0; i < n; i++) out.push(`${(i * 37 + shift) % 101},${i % 2 ? `r${(i + shift) % 5000}` : `c${i % 5}`}`);
  return out.join('\n') + '\n';
}

describe('compare --stream: recommendation and schema', () => {
  const warm = join(tmp.path, 'warm.csv');
  before(() => writeFileSync(warm, warmer()));

  test('the weather files: the in-memory rule\'s verdict and its reasons, the periods of the date column among them', () => {
    const memory = json(['compare', seattle, newYork, '--label', 'weather']).recommendation as Verdict;
    const doc = json(['compare', seattle, newYork, '--label', 'weather', '--stream']);
    const stream = doc.recommendation as Verdict;
    assert.equal(stream.strategy, memory.strategy);
    assert.deepEqual(stream.pairs.map((p) => [p.reference, p.other, p.strategy]), memory.pairs.map((p) => [p.reference, p.other, p.strategy]));
    // Reasons from inputs both modes have, word for word: shared columns, the label space.
    for (const r of memory.reasons.filter((x) => /feature columns are shared|same label column/.test(x))) assert.ok(stream.reasons.includes(r), `missing reason: ${r}`);
    assert.deepEqual(stream.cautions, memory.cautions);
    // The date column is followed as dates in one pass: nothing is missing, and the rule reads its periods word for word as in memory.
    assert.deepEqual(stream.unavailableInputs ?? [], []);
    const period = memory.reasons.find((x) => /dates in "date" run/.test(x));
    assert.ok(period, 'the in-memory reason on the periods');
    assert.ok(stream.reasons.includes(period), `missing reason: ${period}`);
    assert.ok(!stream.reasons.some((r) => /compared here as categories/.test(r)));
    const text = runCli(['compare', seattle, newYork, '--label', 'weather', '--stream']);
    assert.match(text.stdout, /\nRecommendation: MERGE \(streaming\)\n=+\n- seattle vs new-york: 5 of 5 feature columns are shared \(100%\)\n/);
    assert.doesNotMatch(text.stdout, /need the in-memory mode/);
    // Without the domain classifier: the in-memory verdict without it, and the missing input said.
    const noDc = json(['compare', seattle, newYork, '--label', 'weather', '--stream', '--no-domain-classifier']).recommendation as Verdict;
    assert.equal(noDc.strategy, (json(['compare', seattle, newYork, '--label', 'weather', '--no-domain-classifier']).recommendation as Verdict).strategy);
    const dc = (noDc.unavailableInputs ?? []).find((g) => g.input === 'domain-classifier');
    assert.match(dc?.message ?? '', /the domain classifier did not run \(--no-domain-classifier\), so the verdict rests on drift and labels alone/);
  });

  test('dates compared as dates, free text named by the row sample, as the in-memory kind rule types the whole column; text said in the reasons', () => {
    const sotu = examples('text', 'sotu.csv');
    const spam = examples('text', 'spam.csv');
    for (const [a, b] of [[seattle, newYork], [sotu, spam]]) {
      const memory = json(['compare', a, b]).comparisons[0].features as { name: string; type: string }[];
      const stream = json(['compare', a, b, '--stream']);
      const features = stream.features as { name: string; type: string; sampledKind?: string }[];
      // Dates are compared as dates (type datetime), text named by the row sample; each as the in-memory types say.
      const kinds = features.filter((f) => f.type !== 'numeric').map((f) => [f.name, f.type === 'categorical' ? (f.sampledKind ?? 'categorical') : f.type]);
      assert.ok(kinds.length > 0);
      assert.deepEqual(kinds, kinds.map(([n]) => [n, memory.find((m) => m.name === n)?.type]), 'the in-memory column types');
      const inputs = (stream.recommendation.unavailableInputs as { input: string }[]).map((u) => u.input);
      if (a === seattle) {
        assert.ok(!inputs.includes('dates'), inputs.join());
        assert.ok(kinds.some(([n, k]) => n === 'date' && k === 'datetime'));
      } else assert.ok(inputs.includes('text'), inputs.join());
    }
    const profile = runCli(['profile', sotu, '--stream', '--json']);
    assert.equal(JSON.parse(profile.stdout).columns.find((c: { name: string }) => c.name === 'text').sampledKind, 'text');
  });

  test('a label past the exact category cap: the overlap is unknown, the verdict does not use it and says so', () => {
    const a = join(tmp.path, 'many-a.csv');
    const b = join(tmp.path, 'many-b.csv');
    writeFileSync(a, manyClasses(8000, 0));
    writeFileSync(b, manyClasses(8000, 2500));
    const stream = json(['compare', a, b, '--label', 'cls', '--stream']).recommendation as Verdict;
    const gap = (stream.unavailableInputs ?? []).find((g) => g.input === 'label-overlap');
    assert.ok(gap, JSON.stringify(stream.unavailableInputs));
    assert.match(gap.message, /^many-a vs many-b: streaming mode: the label "cls" has more distinct values than the summaries count exactly, so the overlap of the label spaces is unknown and the verdict does not use it \(5 value\(s\) certainly shared\)$/);
    assert.ok(stream.reasons.includes(gap.message));
    assert.ok(!stream.reasons.some((r) => /label spaces differ|overlap 0%/.test(r)), 'no overlap figure made up');
  });

  test('a verdict the bound cannot decide: the drifted share given as a range, named in the reasons', () => {
    const a = join(tmp.path, 'u-a.csv');
    const b = join(tmp.path, 'u-b.csv');
    const lines = (scale: number, shift: number) => ['v,w', ...Array.from({ length: 6000 }, (_, i) => `${((i * 0.37) % 1000) * scale + shift},${i % 7}`)].join('\n') + '\n';
    writeFileSync(a, lines(1, 0));
    writeFileSync(b, lines(1.01, 3));
    const first = json(['compare', a, b, '--stream']);
    const v = first.features.find((f: Feature) => f.name === 'v');
    assert.ok(v.wassersteinNorm.lower < v.wassersteinNorm.upper, 'v is past the exact cap: a bounded W1/std');
    // The threshold inside v's bound: the exact data could fall on either side.
    const doc = json(['compare', a, b, '--stream', '--wasserstein-threshold', String(v.wassersteinNorm.estimate)]);
    const fv = doc.features.find((f: Feature) => f.name === 'v');
    assert.equal(fv.verdictSure, false);
    const gap = (doc.recommendation.unavailableInputs as { input: string; message: string }[]).find((g) => g.input === 'drift-share');
    assert.ok(gap, JSON.stringify(doc.recommendation.unavailableInputs));
    const w = doc.features.find((f: Feature) => f.name === 'w');
    const sure = w.drift ? 1 : 0;
    assert.match(gap.message, new RegExp(`1 of 2 drift verdicts are unsure \\(the sketch bound of the deciding figure straddles its threshold: v\\), so the drifted share lies between ${sure * 50}% and ${sure * 50 + 50}%`));
    assert.ok(doc.recommendation.reasons.includes(gap.message));
  });

  test('renamed columns: the in-memory schema alignment (matches after normalising, suggested mappings) and the matched features\' figures', () => {
    const a = join(tmp.path, 'sa.csv');
    const b = join(tmp.path, 'sb.csv');
    const rows = (head: string, shift: number) => [head, ...Array.from({ length: 500 }, (_, i) => `${(i * 13 + shift) % 97},${i % 7},${(i % 11) + shift},g${i % 3}`)].join('\n') + '\n';
    writeFileSync(a, rows('Temp Max,wind,precip_mm,city', 0));
    writeFileSync(b, rows('temp_max,wind speed,precipitation mm,City', 3));
    const memory = json(['compare', a, b]);
    const doc = json(['compare', a, b, '--stream']);
    assert.deepEqual(doc.schema, memory.comparisons[0].schema);
    assert.ok(doc.schema.suggestions.length >= 1, 'a suggested mapping');
    const f = (doc.features as Feature[]).find((x) => x.name === 'Temp Max');
    assert.equal(f?.otherName, 'temp_max');
    sameFigures(doc.features, memory.comparisons[0].features, 'renamed');
    assert.deepEqual(doc.onlyInReference, memory.comparisons[0].schema.onlyReference);
    const text = runCli(['compare', a, b, '--stream']).stdout;
    assert.match(text, /matched "Temp Max" with "temp_max" after normalising names/);
    assert.match(text, /suggested mapping: "[^"]+" -> "[^"]+" \(names are \d+% alike\)/);
  });

  test('three files: pairwise against the reference as in memory, the first pair\'s fields kept at the top', () => {
    const memory = json(['compare', seattle, newYork, warm, '--label', 'weather']);
    const doc = json(['compare', seattle, newYork, warm, '--label', 'weather', '--stream']);
    assert.equal(doc.comparisons.length, 2);
    assert.deepEqual(doc.datasets.map((d: { name: string; rows: number }) => [d.name, d.rows]), memory.datasets.map((d: { name: string; rows: number }) => [d.name, d.rows]));
    doc.comparisons.forEach((c: Pair, k: number) => {
      const m = memory.comparisons[k] as Pair;
      assert.deepEqual([c.referenceName, c.otherName], [m.reference, m.other]);
      sameFigures(c.features, m.features, `${m.reference} vs ${m.other}`);
    });
    for (const k of ['features', 'reference', 'other', 'schema', 'label', 'domainClassifier']) assert.deepEqual(doc[k], doc.comparisons[0][k], `top-level ${k} is the first pair's`);
    assert.equal(doc.recommendation.strategy, memory.recommendation.strategy);
    assert.deepEqual(
      doc.recommendation.pairs.map((p: Verdict['pairs'][number]) => [p.reference, p.other, p.strategy]),
      memory.recommendation.pairs.map((p: Verdict['pairs'][number]) => [p.reference, p.other, p.strategy]),
    );
    // --reference picks another file, as in memory.
    const byRef = json(['compare', seattle, newYork, warm, '--stream', '--reference', '2']);
    assert.deepEqual(byRef.comparisons.map((c: Pair) => [c.referenceName, c.otherName]), [['new-york', 'seattle'], ['new-york', 'warm']]);
    const text = runCli(['compare', seattle, newYork, warm, '--stream']).stdout;
    assert.equal(text.match(/\(reference, \d+ rows\) vs /g)?.length, 2);
    const bad = runCli(['compare', seattle, newYork, warm, '--stream', '--labels', 'weather,weather']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--labels names 2 column\(s\) for 3 file\(s\)/);
  });
});

describe('compare --stream --html: label figures and the recommendation', () => {
  test('classes: the counts side by side as in the JSON, drawn as bars; the recommendation with its reasons', () => {
    const out = join(tmp.path, 'label.html');
    const doc = json(['compare', seattle, newYork, '--label', 'weather', '--stream', '--html', out]);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<h2 id="recommendation">Recommendation: MERGE<\/h2>/);
    for (const r of doc.recommendation.reasons as string[]) assert.ok(html.includes(r.replace(/"/g, '&#34;')), `reason on the page: ${r}`);
    const table = /<table class="label-counts">.*?<\/table>/s.exec(html)?.[0] ?? '';
    const cells = [...table.matchAll(/<tr><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3]]);
    const l = doc.label;
    const count = (ds: { value: string; count: number }[], v: string) => String(ds.find((x) => x.value === v)?.count ?? 0);
    // Most frequent over both files first: sun (640 + 826), rain (641 + 446), fog (101 + 38), snow (26 + 93), drizzle (53 + 58).
    assert.deepEqual(cells.map((c) => c[0]), ['sun', 'rain', 'fog', 'snow', 'drizzle']);
    assert.deepEqual(cells, cells.map((c) => [c[0], count(l.referenceDistribution, c[0]), count(l.otherDistribution, c[0])]));
    const figure = /<figure class="label-classes">.*?<\/figure>/s.exec(html)?.[0] ?? '';
    assert.equal(figure.match(/<rect class="a"/g)?.length, 5, 'one pair of bars per class');
    assert.match(figure, /<title>sun: 43\.8% vs 56\.5%<\/title>/, 'shares of each file as the JSON\'s: 640/1461 and 826/1461');
    assert.match(html, /Overlap 100%/);
  });

  test('a regression label: the target\'s 30-bin histogram with the JSON\'s bins; past the cap, class counts as ranges', () => {
    const out = join(tmp.path, 'reg.html');
    const doc = json(['compare', seattle, newYork, '--label', 'temp_max', '--stream', '--html', out]);
    assert.equal(doc.label.task, 'regression');
    const html = readFileSync(out, 'utf8');
    const figure = /<figure class="label-histogram">.*?<\/figure>/s.exec(html)?.[0] ?? '';
    const titles = [...figure.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    assert.equal(titles.length, 30);
    const d = doc.label.distribution;
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    titles.forEach((t, i) => assert.ok(t.endsWith(`: ${pct(d.reference[i] / total(d.reference))} vs ${pct(d.other[i] / total(d.other))}`), `bin ${i}: ${t}`));
    const a = join(tmp.path, 'many-a.csv');
    const b = join(tmp.path, 'many-b.csv');
    writeFileSync(a, manyClasses(8000, 0));
    writeFileSync(b, manyClasses(8000, 2500));
    const out2 = join(tmp.path, 'many.html');
    const many = json(['compare', a, b, '--label', 'cls', '--stream', '--html', out2]);
    const page = readFileSync(out2, 'utf8');
    const c0 = many.label.referenceDistribution.find((x: { value: string }) => x.value === 'c0');
    assert.ok(page.includes(`<tr><td>c0</td><td>${c0.count}..${c0.count + many.label.referenceUndercount}</td>`), 'a count past the cap as its range');
    assert.match(page, /counts past the exact cap are lower bounds/);
    assert.match(page, /streaming mode: the label &#34;cls&#34; has more distinct values than the summaries count exactly/);
  });
});
