import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ksTwoSample } from '../../../../src/core/stats/ks';
import { std } from '../../../../src/core/stats/descriptive';
import { driftVerdict, treatAsCategorical, wassersteinNorm } from '../../../../src/core/stats/driftRule';
import { wasserstein1 } from '../../../../src/core/stats/wasserstein';
import { sample } from './referenceData';

test('small reference (<= 1000 rows): p-value tests at 0.05', () => {
  const at = (p: number) => driftVerdict({ kind: 'numeric', referenceRows: 1000, ksPvalue: p, wassersteinNorm: 99 });
  assert.deepEqual(at(0.049), { drift: true, method: 'ks', value: 0.049, threshold: 0.05 });
  assert.equal(at(0.05).drift, false);
  const cat = driftVerdict({ kind: 'categorical', referenceRows: 10, chi2Pvalue: 0.2, jensenShannon: 0.9 });
  assert.deepEqual(cat, { drift: false, method: 'chi2', value: 0.2, threshold: 0.05 });
});

test('large reference (> 1000 rows): effect sizes at 0.1, thresholds are options', () => {
  const num = (w: number) => driftVerdict({ kind: 'numeric', referenceRows: 1001, ksPvalue: 1e-30, wassersteinNorm: w });
  assert.deepEqual(num(0.1), { drift: true, method: 'wasserstein', value: 0.1, threshold: 0.1 });
  assert.equal(num(0.099).drift, false);
  const js = driftVerdict({ kind: 'categorical', referenceRows: 5000, chi2Pvalue: 1e-9, jensenShannon: 0.05 });
  assert.deepEqual(js, { drift: false, method: 'jensenshannon', value: 0.05, threshold: 0.1 });
  const custom = driftVerdict({ kind: 'categorical', referenceRows: 5000, chi2Pvalue: 1, jensenShannon: 0.05 }, { jensenShannon: 0.04 });
  assert.equal(custom.drift, true);
  const bigSmall = driftVerdict({ kind: 'numeric', referenceRows: 5000, ksPvalue: 0.01, wassersteinNorm: 0 }, { smallSampleRows: 10000 });
  assert.deepEqual(bigSmall.method, 'ks');
  assert.equal(driftVerdict({ kind: 'numeric', referenceRows: 5000, ksPvalue: 1, wassersteinNorm: Number.NaN }).drift, false);
});

test('wassersteinNorm divides by max(std_ref, 0.001); <= 5 distinct numeric values count as categorical', () => {
  assert.equal(wassersteinNorm(0.5, 2), 0.25);
  assert.equal(wassersteinNorm(0.5, 0), 500);
  assert.equal(wassersteinNorm(0.5, Number.NaN), 500);
  assert.equal(treatAsCategorical(5), true);
  assert.equal(treatAsCategorical(6), false);
  assert.equal(treatAsCategorical(6, { categoricalMaxUnique: 10 }), true);
});

test('the rule on real data: Seattle vs New York temperatures drift, two halves of one city do not', () => {
  const sea = sample('seattle.temp_max');
  const nyc = sample('new-york.temp_max');
  const w = wassersteinNorm(wasserstein1(sea, nyc), std(sea));
  assert.equal(driftVerdict({ kind: 'numeric', referenceRows: sea.length, ksPvalue: ksTwoSample(sea, nyc).pvalue, wassersteinNorm: w }).drift, true);
  // Alternate days of the same city: same climate.
  const even = sea.filter((_, i) => i % 2 === 0);
  const odd = sea.filter((_, i) => i % 2 === 1);
  const ks = ksTwoSample(even, odd);
  const wn = wassersteinNorm(wasserstein1(even, odd), std(even));
  assert.equal(driftVerdict({ kind: 'numeric', referenceRows: even.length, ksPvalue: ks.pvalue, wassersteinNorm: wn }).drift, false);
});
