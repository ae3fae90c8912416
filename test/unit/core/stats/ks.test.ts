import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ksTwoSample, type KsMethod } from '../../../../src/core/stats/ks';
import { kstwoSf } from '../../../../src/core/stats/kstwo';
import { smirnovSf } from '../../../../src/core/stats/smirnov';
import { closeAbs, closeRel, loadReference, num, sample, type Num } from './referenceData';

interface KsCase { a: string; b: string; method: KsMethod; statistic: Num; pvalue: Num }
interface DistCase { n: number; x: Num; sf: Num }
const ref = loadReference<{ ks: KsCase[]; kstwo: DistCase[]; smirnov: DistCase[] }>('reference.json');

test('ksTwoSample matches scipy.stats.ks_2samp on real and synthetic data (statistic 1e-9 rel, p 1e-6 abs)', () => {
  const failures: string[] = [];
  for (const c of ref.ks) {
    const r = ksTwoSample(sample(c.a), sample(c.b), { method: c.method });
    const okS = closeRel(r.statistic, num(c.statistic), 1e-9);
    const okP = closeAbs(r.pvalue, num(c.pvalue), 1e-6);
    if (!okS || !okP) {
      failures.push(`${c.a} vs ${c.b} [${c.method}]: got D=${r.statistic} p=${r.pvalue} (${r.method}), scipy D=${c.statistic} p=${c.pvalue}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(ref.ks.length > 100);
});

test('ksTwoSample picks exact up to 10000 values per side and asymp above, as scipy auto does', () => {
  assert.equal(ksTwoSample(sample('n10000a'), sample('n9999')).method, 'exact');
  assert.equal(ksTwoSample(sample('n10001'), sample('n9999')).method, 'asymp');
  assert.equal(ksTwoSample(sample('n10001'), sample('m3')).method, 'asymp');
  assert.equal(ksTwoSample(sample('tiny.one'), sample('tiny.five')).method, 'exact');
});

test('ksTwoSample on the real weather columns: p-values are tiny for temperatures, the statistic is symmetric', () => {
  const a = sample('seattle.temp_max');
  const b = sample('new-york.temp_max');
  const ab = ksTwoSample(a, b);
  const ba = ksTwoSample(b, a);
  assert.equal(ab.statistic, ba.statistic);
  assert.equal(ab.pvalue, ba.pvalue);
  assert.ok(ab.pvalue < 1e-6);
  const same = ksTwoSample(a, a);
  assert.equal(same.statistic, 0);
  assert.equal(same.pvalue, 1);
});

test('ksTwoSample rejects empty samples and NaN', () => {
  assert.throws(() => ksTwoSample(new Float64Array(0), Float64Array.of(1)), /non-empty/);
  assert.throws(() => ksTwoSample(Float64Array.of(1, Number.NaN), Float64Array.of(1)), /NaN/);
});

test('kstwoSf matches scipy.stats.kstwo.sf over every algorithm branch (1e-10 abs)', () => {
  const failures: string[] = [];
  for (const c of ref.kstwo) {
    const got = kstwoSf(c.n, num(c.x));
    if (!closeAbs(got, num(c.sf), 1e-10)) failures.push(`n=${c.n} x=${c.x}: got ${got}, scipy ${c.sf}`);
  }
  assert.deepEqual(failures, []);
});

test('smirnovSf matches scipy.special.smirnov (1e-10 abs)', () => {
  const failures: string[] = [];
  for (const c of ref.smirnov) {
    const got = smirnovSf(c.n, num(c.x));
    if (!closeAbs(got, num(c.sf), 1e-10)) failures.push(`n=${c.n} x=${c.x}: got ${got}, scipy ${c.sf}`);
  }
  assert.deepEqual(failures, []);
});

test('ksTwoSample: sorted input (used as is) and unsorted input give identical results; input is not modified', () => {
  const a = sample('penguins.mass.Adelie');
  const b = sample('penguins.mass.Gentoo');
  const before = Array.from(a);
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  assert.deepEqual(ksTwoSample(sa, sb), ksTwoSample(a, b));
  assert.deepEqual(Array.from(a), before);
  assert.throws(() => ksTwoSample(Float64Array.of(Number.NaN), sb), /NaN/);
});

test("method 'exact' falls back to 'asymp' when the lattice n1 n2 / gcd would overflow int32 (scipy's rule)", () => {
  // 50000 x 49999: lcm ~ 2.5e9 > 2^31 - 1.
  const a = Float64Array.from({ length: 50000 }, (_, i) => Math.sin(i) * 3);
  const b = Float64Array.from({ length: 49999 }, (_, i) => Math.cos(i * 1.3) * 3 + 0.01);
  const forced = ksTwoSample(a, b, { method: 'exact' });
  assert.equal(forced.method, 'asymp');
  assert.deepEqual(forced, ksTwoSample(a, b, { method: 'asymp' }));
  // 10000 x 10000 stays exact when forced (lcm = 10000).
  assert.equal(ksTwoSample(sample('n10000a'), sample('n10000b'), { method: 'exact' }).method, 'exact');
});
