// Profiles of date and text columns against pandas / numpy / Python's re on the same files
// (test/reference/kinds/kinds.json, made by make_kinds_reference.py): the ingest must find the
// date format pandas was given, and every statistic must agree.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareFeature } from '../../../src/core/compare/featureDrift';
import { readCsvFile } from '../../../src/core/ingest';
import { DEFAULT_DRIFT_THRESHOLDS } from '../../../src/core/stats/driftRule';
import { profileTable, type DatetimeColumnProfile, type Distribution, type TextColumnProfile } from '../../../src/core/profile';
import { repoRoot } from '../helpers';

type RefDatetime = Omit<DatetimeColumnProfile, 'name' | 'type' | 'typeErrors' | 'granularity'> & { file: string; column: string; granularity: { unit: string; step: number | null } };
type RefText = Omit<TextColumnProfile, 'name' | 'type' | 'typeErrors'> & { file: string; column: string };
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'reference', 'kinds', 'kinds.json'), 'utf8')) as {
  pandas: string;
  bins: number;
  quantiles: number[];
  datetimes: RefDatetime[];
  texts: RefText[];
};

function close(actual: number | null, expected: number | null, what: string, rel = 1e-12): void {
  if (actual === null || expected === null) {
    assert.equal(actual, expected, what);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

async function profileOf(file: string, column: string) {
  const table = await readCsvFile(join(repoRoot, file));
  const p = profileTable(table, { bins: reference.bins, quantiles: reference.quantiles }).columns.find((c) => c.name === column);
  assert.ok(p, `${file}: column ${column}`);
  return p;
}

for (const ref of reference.datetimes) {
  test(`datetime profile of ${ref.file} "${ref.column}" agrees with pandas ${reference.pandas}`, async () => {
    const p = await profileOf(ref.file, ref.column);
    assert.equal(p.type, 'datetime', `${ref.column} is a date column`);
    if (p.type !== 'datetime') return;
    assert.equal(p.format, ref.format, 'the format pandas was given');
    assert.deepEqual([p.count, p.missing, p.distinct, p.typeErrors], [ref.count, ref.missing, ref.distinct, 0]);
    assert.equal(p.dateOnly, ref.dateOnly);
    assert.deepEqual([p.min, p.max], [ref.min, ref.max]);
    close(p.spanDays, ref.spanDays, 'span');
    assert.deepEqual({ unit: p.granularity?.unit, step: p.granularity?.step }, ref.granularity);
    assert.deepEqual(p.gaps, ref.gaps);
    assert.deepEqual(p.zones, ref.zones);
    assert.deepEqual(p.parts, ref.parts);
    assert.deepEqual(p.histogram.counts, ref.histogram.counts);
    p.histogram.edges.forEach((e, i) => close(e, ref.histogram.edges[i], `edge ${i}`));
  });
}

function sameDistribution(actual: Distribution, expected: Distribution, what: string): void {
  close(actual.mean, expected.mean, `${what} mean`);
  close(actual.std, expected.std, `${what} std`, 1e-9);
  assert.deepEqual([actual.min, actual.max], [expected.min, expected.max], what);
  actual.quantiles.forEach((q, i) => close(q.value, expected.quantiles[i].value, `${what} q${q.q}`));
  assert.deepEqual(actual.histogram.counts, expected.histogram.counts, `${what} histogram`);
  actual.histogram.edges.forEach((e, i) => close(e, expected.histogram.edges[i], `${what} edge ${i}`));
}

for (const ref of reference.texts) {
  test(`text profile of ${ref.file} "${ref.column}" agrees with Python's len and re`, async () => {
    const p = await profileOf(ref.file, ref.column);
    assert.equal(p.type, 'text');
    if (p.type !== 'text') return;
    assert.deepEqual([p.count, p.missing, p.distinct], [ref.count, ref.missing, ref.distinct]);
    sameDistribution(p.length, ref.length, 'length');
    close(p.tokensPerCell.mean, ref.tokensPerCell.mean, 'tokens per cell');
    assert.equal(p.tokensPerCell.max, ref.tokensPerCell.max);
    assert.deepEqual([p.tokens, p.vocabulary], [ref.tokens, ref.vocabulary]);
    assert.deepEqual(
      p.topTokens.map((t) => [t.token, t.count]),
      ref.topTokens.map((t) => [t.token, t.count]),
    );
    p.topTokens.forEach((t, i) => close(t.share, ref.topTokens[i].share, `share of ${t.token}`));
    close(p.nonAsciiShare, ref.nonAsciiShare, 'non-ASCII share');
  });
}

test('a date column with one unreadable cell: the cell is a located problem; mixed formats: one problem on the header', async () => {
  const { parseCsvText } = await import('../../../src/core/ingest');
  const rows = ['id,when'];
  for (let i = 1; i <= 20; i++) rows.push(`${i},2012-01-${String(i).padStart(2, '0')}`);
  rows[8] = '8,soon';
  const t = parseCsvText(rows.join('\n'), 'soon.csv');
  const when = t.columns[1];
  assert.ok(when.type === 'datetime');
  assert.equal(when.typeErrors, 1);
  assert.ok(Number.isNaN(when.values[7]));
  assert.deepEqual(
    t.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`),
    ['soon.csv:9:3: expected a date like "2012-01-01" (format %Y-%m-%d) in column "when", found "soon"'],
  );
  const mixed = parseCsvText('id,when\n1,2012-01-31\n2,01/31/2012\n3,2012-02-01\n4,02/13/2012\n', 'mixed.csv');
  assert.equal(mixed.columns[1].type, 'categorical');
  assert.deepEqual(
    mixed.problems.map((p) => [p.line, p.column, p.code]),
    [[1, 4, 'mixed-date-formats']],
  );
  assert.match(mixed.problems[0].message, /column "when" mixes date formats: 2 like "2012-01-31" \(%Y-%m-%d\), 2 like "01\/31\/2012" \(%m\/%d\/%Y\)/);
});

interface RefTextPair {
  reference: string;
  other: string;
  column: string;
  lengthKs: { statistic: number; pvalue: number };
  lengthWassersteinNorm: number;
  lengthJensenShannon: number;
  lengthHistogram: { edges: number[]; reference: number[]; other: number[] };
  vocabularyJaccard: number;
  otherOovRate: number;
  referenceOovRate: number;
  tokenJensenShannon: number;
}
interface RefDatePair {
  reference: string;
  other: string;
  column: [string, string];
  overlap: number;
  otherInReferenceRange: number;
  parts: { part: string; chi2: { statistic: number; pvalue: number; dof: number }; jensenShannon: number }[];
}
const pairs = (reference as unknown as { compare: { texts: RefTextPair[]; dates: RefDatePair[] } }).compare;

async function columnOf(file: string, column: string) {
  const table = await readCsvFile(join(repoRoot, file));
  const c = table.columns.find((x) => x.name === column);
  assert.ok(c, `${file}: ${column}`);
  return { table, c };
}

for (const ref of pairs.texts) {
  test(`text comparison ${ref.reference} vs ${ref.other}: lengths, vocabularies and out-of-vocabulary rates agree with scipy`, async () => {
    const a = await columnOf(ref.reference, ref.column);
    const b = await columnOf(ref.other, ref.column);
    const f = compareFeature(a.c, b.c, a.table.rows, b.table.rows, DEFAULT_DRIFT_THRESHOLDS, 30);
    assert.ok(f.text, 'compared as text');
    const x = f.text;
    close(x.lengthKs?.statistic ?? NaN, ref.lengthKs.statistic, 'length KS');
    close(x.lengthKs?.pvalue ?? NaN, ref.lengthKs.pvalue, 'length KS p', 1e-9);
    close(x.lengthWassersteinNorm, ref.lengthWassersteinNorm, 'W1/std', 1e-9);
    close(x.lengthJensenShannon, ref.lengthJensenShannon, 'length JS', 1e-9);
    // The chart's histogram is numpy's: same edges, same counts on each side.
    const d = x.lengthDistribution;
    assert.ok(d?.edges, 'length histogram');
    assert.equal(d.edges.length, ref.lengthHistogram.edges.length, 'length bin edges');
    d.edges.forEach((e, i) => close(e, ref.lengthHistogram.edges[i], `length edge ${i}`, 1e-9));
    assert.deepEqual([...d.reference], ref.lengthHistogram.reference, 'reference length counts');
    assert.deepEqual([...d.other], ref.lengthHistogram.other, 'other length counts');
    close(x.vocabularyJaccard, ref.vocabularyJaccard, 'Jaccard');
    close(x.otherOovRate, ref.otherOovRate, 'OOV other');
    close(x.referenceOovRate, ref.referenceOovRate, 'OOV reference');
    close(x.tokenJensenShannon, ref.tokenJensenShannon, 'token JS', 1e-9);
    // Ten reviews against twelve: the length KS p-value decides, and it does not drift.
    assert.deepEqual([f.method, f.drift], ['ks', false]);
  });
}

for (const ref of pairs.dates) {
  test(`date comparison ${ref.reference} vs ${ref.other}: range overlap and calendar parts agree with pandas / scipy`, async () => {
    const a = await columnOf(ref.reference, ref.column[0]);
    const b = await columnOf(ref.other, ref.column[1]);
    const f = compareFeature(a.c, b.c, a.table.rows, b.table.rows, DEFAULT_DRIFT_THRESHOLDS, 30);
    assert.ok(f.time, 'compared as dates');
    close(f.time.overlap, ref.overlap, 'overlap');
    close(f.time.otherInReferenceRange, ref.otherInReferenceRange, 'inside');
    assert.deepEqual(f.time.parts.map((p) => p.part), ref.parts.map((p) => p.part));
    f.time.parts.forEach((p, i) => {
      const r = ref.parts[i];
      close(p.chi2.statistic, r.chi2.statistic, `${p.part} chi2`, 1e-9);
      close(p.chi2.pvalue, r.chi2.pvalue, `${p.part} chi2 p`, 1e-9);
      assert.equal(p.chi2.dof, r.chi2.dof, `${p.part} dof`);
      close(p.jensenShannon, r.jensenShannon, `${p.part} JS`, 1e-9);
    });
    assert.equal(f.drift, f.time.parts.some((p) => p.drift));
  });
}
