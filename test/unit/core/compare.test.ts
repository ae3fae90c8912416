import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compareDatasets } from '../../../src/core/compare';
import { readCsvFile } from '../../../src/core/ingest';
import { examples, seededRandom, tempDir } from '../helpers';

const tmp = tempDir();
after(tmp.cleanup);

/** Both cities' rows, shuffled with a seed, split in two halves written as CSV files. */
function shuffledHalves(): [string, string] {
  const [header, ...seattle] = readFileSync(examples('weather', 'seattle.csv'), 'utf8').trimEnd().split('\n');
  const newYork = readFileSync(examples('weather', 'new-york.csv'), 'utf8').trimEnd().split('\n').slice(1);
  const rows = [...seattle, ...newYork];
  const rand = seededRandom(7);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const half = rows.length >> 1;
  const a = join(tmp.path, 'half-a.csv');
  const b = join(tmp.path, 'half-b.csv');
  writeFileSync(a, [header, ...rows.slice(0, half)].join('\n') + '\n');
  writeFileSync(b, [header, ...rows.slice(half)].join('\n') + '\n');
  return [a, b];
}

test('two halves of one random shuffle are recommended to merge', async () => {
  const [a, b] = shuffledHalves();
  const tables = [await readCsvFile(a), await readCsvFile(b)];
  const report = compareDatasets(tables, { labels: ['weather', 'weather'] });
  assert.equal(report.recommendation.strategy, 'merge', report.recommendation.reasons.join('\n'));
  const pair = report.comparisons[0];
  assert.ok(pair.domainClassifier, 'domain classifier ran');
  assert.ok(pair.domainClassifier.score < 0.25, `domain score ${pair.domainClassifier.score}`);
  assert.equal(pair.features.filter((f) => f.drift && !f.identifierLike).length, 0);
  assert.deepEqual(pair.label?.onlyReference, []);
  assert.deepEqual(pair.label?.onlyOther, []);
});

test('Seattle vs New York: temperatures drift, the classifier separates the cities, labels are shared', async () => {
  const tables = [await readCsvFile(examples('weather', 'seattle.csv')), await readCsvFile(examples('weather', 'new-york.csv'))];
  const report = compareDatasets(tables, { labels: ['weather', 'weather'] });
  const pair = report.comparisons[0];
  assert.equal(pair.reference, 'seattle');
  assert.equal(pair.other, 'new-york');
  // The label column is not a feature.
  assert.equal(pair.features.some((f) => f.name === 'weather'), false);
  const tmin = pair.features.find((f) => f.name === 'temp_min');
  assert.ok(tmin && tmin.type === 'numeric');
  assert.ok(tmin.ks && tmin.ks.pvalue < 1e-6);
  assert.equal(tmin.method, 'wasserstein', '1461 reference rows: effect size decides');
  assert.equal(tmin.chi2, undefined, 'categorical fields are omitted for numeric features');
  assert.ok(pair.domainClassifier && pair.domainClassifier.auc > 0.7, `auc ${pair.domainClassifier?.auc}`);
  assert.deepEqual([...(pair.label?.shared ?? [])].sort(), ['drizzle', 'fog', 'rain', 'snow', 'sun']);
  // The date column is a datetime feature: both cities cover 2012-2015 day by day, so the
  // ranges overlap fully and no calendar part drifts.
  const date = pair.features.find((f) => f.name === 'date');
  assert.ok(date && date.type === 'datetime' && date.time, 'date is compared as dates');
  assert.equal(date.identifierLike, false);
  assert.equal(date.time.overlap, 1);
  assert.deepEqual(date.time.referenceRange, ['2012-01-01', '2015-12-31']);
  assert.deepEqual(date.time.parts.map((p) => [p.part, p.drift, p.jensenShannon]), [['year', false, 0], ['month', false, 0], ['dayOfWeek', false, 0]]);
  assert.equal(date.drift, false);
  // Shifted (score 0.74) but not separable: merge, with the baseline beside it (recommend.test.ts has the words).
  assert.equal(report.recommendation.strategy, 'merge', report.recommendation.reasons.join('\n'));
  assert.equal(report.recommendation.cautions.length, 1);
});

test('datasets naming different label columns get multihead', async () => {
  const src = readFileSync(examples('weather', 'new-york.csv'), 'utf8');
  const renamed = join(tmp.path, 'ny-conditions.csv');
  // The New York file predicts a different target: whether it rained, as its own column.
  const lines = src.trimEnd().split('\n');
  const out = [lines[0].replace('weather', 'conditions') + ',wet'];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    out.push(`${line},${Number(cells[1]) > 0 ? 'yes' : 'no'}`);
  }
  writeFileSync(renamed, out.join('\n') + '\n');
  const tables = [await readCsvFile(examples('weather', 'seattle.csv')), await readCsvFile(renamed)];
  const report = compareDatasets(tables, { labels: ['weather', 'wet'] });
  assert.equal(report.recommendation.strategy, 'multihead', report.recommendation.reasons.join('\n'));
  assert.equal(report.recommendation.scaffold, 'multihead');
  assert.ok(report.recommendation.reasons.some((r) => r.includes('different label columns')));
});

test('few shared features: separate', async () => {
  const a = join(tmp.path, 'few-a.csv');
  const b = join(tmp.path, 'few-b.csv');
  const rand = seededRandom(3);
  const rowsA = ['x,p,q,r,y', ...Array.from({ length: 200 }, () => `${rand()},${rand()},${rand()},${rand()},${rand() > 0.5 ? 'u' : 'v'}`)];
  const rowsB = ['x,s,t,w,y', ...Array.from({ length: 200 }, () => `${rand()},${rand()},${rand()},${rand()},${rand() > 0.5 ? 'u' : 'v'}`)];
  writeFileSync(a, rowsA.join('\n'));
  writeFileSync(b, rowsB.join('\n'));
  const report = compareDatasets([await readCsvFile(a), await readCsvFile(b)], { labels: ['y', 'y'] });
  assert.equal(report.recommendation.strategy, 'separate');
  assert.deepEqual(report.comparisons[0].schema.onlyReference, ['p', 'q', 'r']);
});

test('a missing label column is a clear error naming file and column', async () => {
  const t = await readCsvFile(examples('weather', 'seattle.csv'));
  const u = await readCsvFile(examples('weather', 'new-york.csv'));
  assert.throws(() => compareDatasets([t, u], { labels: ['weather', 'nope'] }), /new-york\.csv: label column "nope" not found/);
});

test('sorted fast paths give the same histogram, KS and Wasserstein as the general ones', async () => {
  const { pooledHistogram } = await import('../../../src/core/stats/binning');
  const { ksTwoSample } = await import('../../../src/core/stats/ks');
  const { wasserstein1 } = await import('../../../src/core/stats/wasserstein');
  const { sortedFinite } = await import('../../../src/core/sortNumbers');
  const s = await readCsvFile(examples('weather', 'seattle.csv'));
  const n = await readCsvFile(examples('weather', 'new-york.csv'));
  for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
    const a = s.columns.find((c) => c.name === name);
    const b = n.columns.find((c) => c.name === name);
    assert.ok(a?.type === 'numeric' && b?.type === 'numeric');
    const sa = sortedFinite(a.values);
    const sb = sortedFinite(b.values);
    // Edges that land exactly on data values are the case the binary search must get right.
    assert.deepEqual(pooledHistogram(sa, sb, 30, { presorted: true }), pooledHistogram(a.values, b.values, 30));
    assert.deepEqual(pooledHistogram(sa, sb, 7, { presorted: true }), pooledHistogram(a.values, b.values, 7));
    assert.deepEqual(ksTwoSample(sa, sb, { presorted: true }), ksTwoSample(a.values, b.values));
    assert.equal(wasserstein1(sa, sb, { presorted: true }), wasserstein1(a.values, b.values));
  }
});

test('a numeric column with few distinct values (pooled over both files) is judged as categorical', async () => {
  const a = join(tmp.path, 'codes-a.csv');
  const b = join(tmp.path, 'codes-b.csv');
  const rand = seededRandom(11);
  // "level" has values 1..3 in A and 1..4 in B: 4 pooled values <= 5, so chi-squared decides.
  writeFileSync(a, ['level,x', ...Array.from({ length: 300 }, () => `${1 + Math.floor(rand() * 3)},${rand()}`)].join('\n'));
  writeFileSync(b, ['level,x', ...Array.from({ length: 300 }, () => `${1 + Math.floor(rand() * 4)},${rand()}`)].join('\n'));
  const report = compareDatasets([await readCsvFile(a), await readCsvFile(b)], { skipDomainClassifier: true });
  const level = report.comparisons[0].features.find((f) => f.name === 'level');
  assert.equal(level?.type, 'numeric');
  assert.equal(level?.method, 'chi2');
  assert.equal(level?.drift, true, 'a new value 4 in a quarter of B is drift');
  const x = report.comparisons[0].features.find((f) => f.name === 'x');
  assert.equal(x?.method, 'ks');
  assert.equal(x?.drift, false);
});
