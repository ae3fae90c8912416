import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chiSquaredHomogeneity } from '../../../../src/core/stats/chi2';
import { chiSquaredSf, regularizedUpperGamma } from '../../../../src/core/stats/chiSquaredSf';
import { logGamma } from '../../../../src/core/stats/logGamma';
import { closeAbs, closeRel, loadReference, num, type Num } from './referenceData';

interface CatCase { name: string; reference: number[]; other: number[]; chi2: { statistic: Num; pvalue: Num; dof: number } }
interface GammaCase { a: number; x: Num; q: Num; lgamma: Num }
interface SfCase { x: Num; dof: number; sf: Num }
const ref = loadReference<{ categorical: CatCase[]; gamma: GammaCase[]; chi2sf: SfCase[] }>('reference.json');

test('chiSquaredHomogeneity matches scipy.stats.chi2_contingency (Yates at dof 1, zero-total categories dropped)', () => {
  for (const c of ref.categorical) {
    const r = chiSquaredHomogeneity(c.reference, c.other);
    assert.equal(r.dof, c.chi2.dof, c.name);
    assert.ok(closeRel(r.statistic, num(c.chi2.statistic), 1e-9), `${c.name}: statistic ${r.statistic} vs ${c.chi2.statistic}`);
    assert.ok(closeAbs(r.pvalue, num(c.chi2.pvalue), 1e-10), `${c.name}: p ${r.pvalue} vs ${c.chi2.pvalue}`);
  }
});

test('chiSquaredHomogeneity: dof 0 gives statistic 0 and p 1; an empty sample gives NaN, not a number', () => {
  assert.deepEqual(chiSquaredHomogeneity([4, 0], [9, 0]), { statistic: 0, pvalue: 1, dof: 0 });
  const empty = chiSquaredHomogeneity([0, 0], [3, 4]);
  assert.ok(Number.isNaN(empty.statistic) && Number.isNaN(empty.pvalue));
  assert.equal(empty.dof, 1);
  assert.throws(() => chiSquaredHomogeneity([1], [1, 2]), /differ in length/);
});

test('regularizedUpperGamma and logGamma match scipy.special.gammaincc / gammaln (1e-10)', () => {
  const failures: string[] = [];
  for (const c of ref.gamma) {
    const q = regularizedUpperGamma(c.a, num(c.x));
    if (!closeAbs(q, num(c.q), 1e-10) || !closeRel(q, num(c.q), 1e-8)) failures.push(`Q(${c.a}, ${c.x}) = ${q}, scipy ${c.q}`);
    const lg = logGamma(c.a);
    if (!closeAbs(lg, num(c.lgamma), 1e-12 * Math.max(1, Math.abs(num(c.lgamma))))) failures.push(`lgamma(${c.a}) = ${lg}, scipy ${c.lgamma}`);
  }
  assert.deepEqual(failures, []);
});

test('chiSquaredSf matches scipy.stats.chi2.sf (1e-10 abs)', () => {
  for (const c of ref.chi2sf) {
    const got = chiSquaredSf(num(c.x), c.dof);
    assert.ok(closeAbs(got, num(c.sf), 1e-10), `chi2.sf(${c.x}, ${c.dof}) = ${got}, scipy ${c.sf}`);
  }
});
