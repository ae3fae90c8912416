import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pooledHistogram } from '../../../../src/core/stats/binning';
import { jensenShannonDistance, psi } from '../../../../src/core/stats/divergence';
import { wasserstein1 } from '../../../../src/core/stats/wasserstein';
import { closeAbs, closeRel, loadReference, num, sample, type Num } from './referenceData';

interface WCase { a: string; b: string; value: Num }
interface HCase { a: string; b: string; bins: number; edges: Num[]; reference: number[]; other: number[]; psi: number; jensenShannon: Num }
interface CatCase { name: string; reference: number[]; other: number[]; psi: number; jensenShannon: Num }
const ref = loadReference<{ wasserstein: WCase[]; histogram: HCase[]; categorical: CatCase[] }>('reference.json');

test('wasserstein1 matches scipy.stats.wasserstein_distance (1e-9 relative)', () => {
  const failures: string[] = [];
  for (const c of ref.wasserstein) {
    const got = wasserstein1(sample(c.a), sample(c.b));
    if (!closeRel(got, num(c.value), 1e-9)) failures.push(`${c.a} vs ${c.b}: got ${got}, scipy ${c.value}`);
  }
  assert.deepEqual(failures, []);
  assert.equal(wasserstein1(sample('same.A'), sample('same.A')), 0);
  assert.throws(() => wasserstein1(new Float64Array(0), Float64Array.of(1)), /non-empty/);
});

test('pooledHistogram gives numpy.histogram_bin_edges / numpy.histogram exactly (30 bins)', () => {
  for (const c of ref.histogram) {
    const h = pooledHistogram(sample(c.a), sample(c.b), c.bins);
    assert.equal(h.edges.length, c.edges.length, `${c.a} vs ${c.b}`);
    h.edges.forEach((e, i) => assert.ok(closeRel(e, num(c.edges[i]), 1e-15), `${c.a} edge ${i}: ${e} vs ${c.edges[i]}`));
    assert.deepEqual(h.reference, c.reference, `${c.a} vs ${c.b} reference counts`);
    assert.deepEqual(h.other, c.other, `${c.a} vs ${c.b} other counts`);
  }
});

test('pooledHistogram puts constant data in a single bin', () => {
  const h = pooledHistogram(sample('const.five'), sample('const.five2'));
  assert.deepEqual(h, { edges: [4.5, 5.5], reference: [7], other: [4] });
  assert.equal(psi(h.reference, h.other), 0);
  assert.equal(jensenShannonDistance(h.reference, h.other), 0);
});

test('psi (Evidently: zero shares become 1e-4) and Jensen-Shannon (scipy jensenshannon) on numeric bins', () => {
  for (const c of ref.histogram) {
    assert.ok(closeRel(psi(c.reference, c.other), c.psi, 1e-12), `${c.a} vs ${c.b} psi ${psi(c.reference, c.other)} vs ${c.psi}`);
    const js = jensenShannonDistance(c.reference, c.other);
    assert.ok(closeAbs(js, num(c.jensenShannon), 1e-12), `${c.a} vs ${c.b} js ${js} vs ${c.jensenShannon}`);
  }
});

test('psi and Jensen-Shannon on categorical counts aligned over the union of categories', () => {
  for (const c of ref.categorical) {
    assert.ok(closeRel(psi(c.reference, c.other), c.psi, 1e-12), `${c.name} psi`);
    assert.ok(closeAbs(jensenShannonDistance(c.reference, c.other), num(c.jensenShannon), 1e-12), `${c.name} js`);
  }
  // Disjoint supports reach the maximum sqrt(ln 2).
  assert.ok(closeRel(jensenShannonDistance([5, 0], [0, 3]), Math.sqrt(Math.LN2), 1e-15));
  assert.throws(() => psi([1, 2], [1]), /differ in length/);
});

test('pooledHistogram with presorted samples gives the same numpy counts', () => {
  for (const c of ref.histogram) {
    const a = Float64Array.from(sample(c.a)).sort();
    const b = Float64Array.from(sample(c.b)).sort();
    const h = pooledHistogram(a, b, c.bins, { presorted: true });
    assert.deepEqual(h.reference, c.reference, `${c.a} vs ${c.b} reference counts (presorted)`);
    assert.deepEqual(h.other, c.other, `${c.a} vs ${c.b} other counts (presorted)`);
  }
});

test('wasserstein1 gives the same value for sorted and unsorted input, and rejects NaN either way', () => {
  const a = sample('cars.mpg.USA');
  const b = sample('cars.mpg.Japan');
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  assert.equal(wasserstein1(sa, sb), wasserstein1(a, b));
  assert.throws(() => wasserstein1(Float64Array.of(1, 2, Number.NaN), sb), /NaN/);
  assert.throws(() => wasserstein1(Float64Array.of(Number.NaN), sb), /NaN/);
});
