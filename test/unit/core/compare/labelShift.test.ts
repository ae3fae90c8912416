// Label comparison on real tables: penguins with a different label per island (Species, Sex)
// are different targets, never compared value by value; cars' mpg by origin gets both
// distributions over shared bins and each side's mean.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareDatasets } from '../../../../src/core/compare';
import { readCsvFile } from '../../../../src/core/ingest';
import { examples } from '../../helpers';

test('different label columns (species vs sex): each side described, no overlap, JS or chi-squared between them', async () => {
  const tables = [await readCsvFile(examples('penguins', 'biscoe.csv')), await readCsvFile(examples('penguins', 'dream.csv'))];
  const l = compareDatasets(tables, { labels: ['species', 'sex'], skipDomainClassifier: true }).comparisons[0].label;
  assert.ok(l);
  assert.equal(l.sameColumn, false);
  assert.deepEqual([l.shared, l.onlyReference, l.onlyOther], [[], [], []]);
  assert.equal(l.jensenShannon, undefined);
  assert.equal(l.chi2, undefined);
  assert.deepEqual(l.referenceDistribution.map((d) => [d.value, d.count]), [['Gentoo', 124], ['Adelie', 44]]);
  assert.deepEqual(l.otherDistribution.map((d) => d.value).sort(), ['FEMALE', 'MALE']);
});

test('the same label up to case and punctuation is one column', async () => {
  const tables = [await readCsvFile(examples('penguins', 'biscoe.csv')), await readCsvFile(examples('penguins', 'dream.csv'))];
  const renamed = { ...tables[1], columns: tables[1].columns.map((c) => (c.name === 'species' ? { ...c, name: 'Species' } : c)) };
  const l = compareDatasets([tables[0], renamed], { labels: ['species', 'Species'], skipDomainClassifier: true }).comparisons[0].label;
  assert.equal(l?.sameColumn, true);
  assert.deepEqual(l?.shared, ['Adelie']);
  assert.equal(typeof l?.jensenShannon, 'number');
});

test('a regression label: shared-bin histograms of both sides and their means (cars: usa vs japan mpg)', async () => {
  const usa = await readCsvFile(examples('cars', 'usa.csv'));
  const japan = await readCsvFile(examples('cars', 'japan.csv'));
  const l = compareDatasets([usa, japan], { labels: ['mpg', 'mpg'], skipDomainClassifier: true }).comparisons[0].label;
  assert.equal(l?.task, 'regression');
  const mpg = (t: typeof usa) => {
    const c = t.columns.find((x) => x.name === 'mpg');
    assert.ok(c && c.type === 'numeric');
    return [...c.values].filter((v) => !Number.isNaN(v));
  };
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  assert.ok(Math.abs((l?.referenceMean as number) - mean(mpg(usa))) < 1e-9);
  assert.ok(Math.abs((l?.otherMean as number) - mean(mpg(japan))) < 1e-9);
  const d = l?.distribution;
  assert.ok(d?.edges && d.edges.length === d.reference.length + 1);
  assert.equal(d.reference.reduce((a, b) => a + b, 0), mpg(usa).length, 'every usa value in a bin');
  assert.equal(d.other.reduce((a, b) => a + b, 0), mpg(japan).length, 'every japan value in a bin');
  assert.equal(d.edges[0], Math.min(...mpg(usa), ...mpg(japan)));
  assert.equal(d.edges[d.edges.length - 1], Math.max(...mpg(usa), ...mpg(japan)));
});
