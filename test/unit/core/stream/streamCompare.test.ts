// Streaming profile and compare (src/core/stream) against scipy 1.10 / numpy on the same files:
// two generated CSVs (60,000 and 50,000 rows, written here and by
// test/reference/stream/make_stream_reference.py with the same seeded generator; the checksum
// proves the bytes agree). Every exact figure must lie inside the bounds the sketches state, and
// every estimate within its stated error of the exact figure.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mulberry32 } from '../../../../src/core/random';
import { QuantileSketch } from '../../../../src/core/stream/quantileSketch';
import { FrequentItems } from '../../../../src/core/stream/frequentItems';
import { compareStreams, type StreamComparison } from '../../../../src/core/stream/streamCompare';
import { streamProfile, type StreamProfile } from '../../../../src/core/stream/streamProfile';
import { repoRoot, tempDir } from '../../helpers';
import { makeCsv, writeCheckedCsv } from './streamFiles';

interface Reference {
  files: Record<'reference' | 'other', { rows: number; bytes: number; checksum: number }>;
  features: Record<'x' | 'y' | 'k', { n: [number, number]; ks: number; wasserstein: number; mean: [number, number]; std: [number, number]; quantiles: Record<string, [number, number]>; histogram: [number[], number[]]; edges: number[] }> & {
    c: { categories: string[]; counts: [number[], number[]]; chi2: number; pvalue: number };
  };
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'reference', 'stream', 'stream_reference.json'), 'utf8')) as Reference;

const tmp = tempDir('dataset-lab-stream-');
after(tmp.cleanup);
let refProfile: StreamProfile;
let otherProfile: StreamProfile;
let comparison: StreamComparison;

before(() => {
  for (const [name, [n, seed, shifted]] of Object.entries({ reference: [60000, 7, false], other: [50000, 11, true] } as const)) {
    writeCheckedCsv(tmp.path, name, makeCsv(n, seed, shifted), reference.files[name as 'reference']);
  }
  // Small chunks: records straddle chunk ends thousands of times.
  refProfile = streamProfile(join(tmp.path, 'reference.csv'), { chunkBytes: 4096 });
  otherProfile = streamProfile(join(tmp.path, 'other.csv'), { chunkBytes: 65536 });
  comparison = compareStreams(refProfile, otherProfile);
});

const within = (exact: number, b: { estimate: number; lower: number; upper: number }, what: string, slack = 1e-9) => {
  assert.ok(b.lower - slack <= exact && exact <= b.upper + slack, `${what}: exact ${exact} outside the stated bounds [${b.lower}, ${b.upper}]`);
  assert.ok(Math.abs(b.estimate - exact) <= b.upper - b.lower + slack, `${what}: estimate ${b.estimate} further than the stated error ${b.upper - b.lower} from ${exact}`);
};

describe('streaming profile', () => {
  test('exact counts, missing values, moments; kinds as the ingest decides', () => {
    assert.equal(refProfile.rows, 60000);
    assert.equal(otherProfile.rows, 50000);
    const x = refProfile.columns[0];
    assert.equal(x.numbers, reference.features.x.n[0]);
    assert.equal(x.missing, 60000 - reference.features.x.n[0]);
    assert.ok(Math.abs(x.mean - reference.features.x.mean[0]) < 1e-9);
    assert.ok(Math.abs(Math.sqrt(x.m2 / x.numbers) - reference.features.x.std[0]) < 1e-9);
    assert.deepEqual(refProfile.columns.map((c) => c.kind), ['numeric', 'numeric', 'numeric', 'categorical']);
    // x has more distinct values than the exact cap (buckets), k fewer (exact).
    assert.equal(refProfile.columns[0].sketch.isExact, false);
    assert.equal(refProfile.columns[2].sketch.isExact, true);
  });

  test('quantiles within their stated bounds of numpy.quantile', () => {
    for (const [j, col] of (['x', 'y', 'k'] as const).entries()) {
      for (const [q, [a, b]] of Object.entries(reference.features[col].quantiles)) {
        within(a, refProfile.columns[j].sketch.quantile(Number(q)), `${col} reference q${q}`, 1e-6);
        within(b, otherProfile.columns[j].sketch.quantile(Number(q)), `${col} other q${q}`, 1e-6);
      }
    }
  });

  test('sketches merge: two halves read apart give the whole file\'s sketch', () => {
    const r = mulberry32(3);
    const whole = new QuantileSketch(0.001, 100);
    const left = new QuantileSketch(0.001, 100);
    const right = new QuantileSketch(0.001, 100);
    for (let i = 0; i < 20000; i++) {
      const v = (r() - 0.3) * 1000;
      whole.add(v);
      (i % 3 === 0 ? left : right).add(v);
    }
    left.merge(right);
    assert.deepEqual(left.segments(), whole.segments());
    const items = new FrequentItems(10);
    for (let i = 0; i < 5000; i++) items.add(`v${Math.floor(r() * r() * 100)}`);
    // Every kept count is a lower bound within `undercount` of the truth.
    assert.ok(items.undercount > 0);
  });
});

describe('streaming compare against scipy', () => {
  test('KS and Wasserstein: the exact values lie inside the stated bounds; the error stated is small', () => {
    for (const col of ['x', 'y', 'k'] as const) {
      const f = comparison.features.find((x) => x.name === col);
      assert.ok(f?.ks && f.wasserstein, col);
      within(reference.features[col].ks, f.ks.statistic, `${col} KS`);
      within(reference.features[col].wasserstein, f.wasserstein, `${col} Wasserstein`, 1e-6);
      assert.ok(f.ks.statistic.upper - f.ks.statistic.lower < 0.01, `${col}: KS error ${f.ks.statistic.upper - f.ks.statistic.lower}`);
      // Within a bucket F is unknown, so the bound's width is about 2 alpha (E|A| + E|B|) <= 2 alpha (|means| + stds).
      const r = reference.features[col];
      const scale = 2 * comparison.approximation.alpha * (Math.abs(r.mean[0]) + Math.abs(r.mean[1]) + r.std[0] + r.std[1]);
      assert.ok(f.wasserstein.upper - f.wasserstein.lower <= scale, `${col}: Wasserstein error ${f.wasserstein.upper - f.wasserstein.lower} above ${scale}`);
      assert.ok(Math.abs(f.wasserstein.estimate - r.wasserstein) / r.wasserstein < 0.01, `${col}: Wasserstein estimate ${f.wasserstein.estimate} vs ${r.wasserstein}`);
    }
    // k is exact (20 distinct values): no error at all.
    const k = comparison.features.find((x) => x.name === 'k');
    assert.equal(k?.exact, true);
    assert.equal(k?.ks?.statistic.upper, k?.ks?.statistic.lower);
  });

  test('histograms: numpy\'s edges, counts within the stated share', () => {
    for (const col of ['x', 'y', 'k'] as const) {
      const f = comparison.features.find((x) => x.name === col);
      const d = f?.distribution;
      assert.ok(d, col);
      d.edges.forEach((e, i) => assert.ok(Math.abs(e - reference.features[col].edges[i]) <= 1e-9 * Math.max(1, Math.abs(e)), `${col} edge ${i}`));
      const [ra, rb] = reference.features[col].histogram;
      const na = ra.reduce((a, b) => a + b, 0);
      const nb = rb.reduce((a, b) => a + b, 0);
      d.reference.forEach((c, i) => assert.ok(Math.abs(c - ra[i]) / na <= d.maxShareError + 1e-9, `${col} reference bin ${i}: ${c} vs ${ra[i]} (stated ${d.maxShareError})`));
      d.other.forEach((c, i) => assert.ok(Math.abs(c - rb[i]) / nb <= d.maxShareError + 1e-9, `${col} other bin ${i}: ${c} vs ${rb[i]}`));
    }
  });

  test('categories exact below the cap: chi-squared equals scipy\'s chi2_contingency', () => {
    const c = comparison.features.find((x) => x.name === 'c');
    assert.equal(c?.type, 'categorical');
    assert.equal(c?.exact, true);
    assert.ok(Math.abs((c?.chi2?.statistic ?? NaN) - reference.features.c.chi2) < 1e-6 * reference.features.c.chi2);
  });

  test('the domain classifier runs on the reservoir samples and sees the shift', () => {
    assert.ok(comparison.domainClassifier, 'a domain classifier');
    assert.deepEqual(comparison.domainClassifier.sampledRows, [10000, 10000]);
    assert.ok(comparison.domainClassifier.auc > 0.6, `auc ${comparison.domainClassifier.auc}`);
  });

  test('chunk ends anywhere: a BOM, CRLF, quoted cells with line breaks, commas and doubled quotes give the same accumulators for 7-byte and 4 KiB chunks', () => {
    const lines = ['\ufeffid,"na me",v,t'];
    for (let i = 0; i < 500; i++) lines.push(`${i},"line ${i}\nsecond, with comma",${i % 7 === 0 ? 'NA' : i * 1.5},"say ""hi"" ${i % 13}"`);
    const path = join(tmp.path, 'tricky.csv');
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    const summary = (p: StreamProfile) => p.columns.map((c) => [c.name, c.kind, c.numbers, c.odd, c.missing, c.mean, c.categories.size, c.categories.get('say "hi" 3')]);
    const small = streamProfile(path, { chunkBytes: 7 });
    const large = streamProfile(path, { chunkBytes: 4096 });
    assert.equal(small.rows, 500);
    assert.equal(small.problemCount, 0);
    assert.deepEqual(summary(small), summary(large));
    assert.deepEqual(summary(small)[2].slice(0, 5), ['v', 'numeric', 428, 0, 72]);
    assert.equal(summary(small)[1][0], 'na me');
    assert.equal(summary(small)[3][7], Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 13 === 3).length);
  });

  test('a file cut off mid-record: the short last row and an unclosed quote are problems with their lines', () => {
    const path = join(tmp.path, 'cut.csv');
    writeFileSync(path, 'a,b,c\n1,2,x\n3,4,y\n5,"unfinished');
    const p = streamProfile(path);
    assert.equal(p.problemCount, 1);
    assert.match(p.problems[0].message, /a quote is never closed/);
    assert.equal(p.problems[0].line, 4);
    writeFileSync(path, 'a,b,c\n1,2,x\n3,4,y\n5,6');
    const short = streamProfile(path);
    assert.equal(short.rows, 3);
    assert.match(short.problems[0].message, /^2 fields where the header has 3 .*truncated/);
  });
});
