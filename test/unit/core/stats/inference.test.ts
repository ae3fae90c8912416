import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapDistributions, bootstrapInterval, bootstrapPValue } from '../../../../src/core/stats/bootstrap';
import { binomialPmf, normalQuantile, normalSf, studentTQuantile, studentTSf } from '../../../../src/core/stats/distributions';
import { correctedResampledT, holmAdjust, mcnemar } from '../../../../src/core/stats/pairedTests';
import { weightedAccuracy, weightedMacroF1, weightedR2 } from '../../../../src/core/stats/weightedMetrics';
import { closeAbs, closeRel, loadReference } from './referenceData';

interface BootCase {
  name: string;
  metric: 'accuracy' | 'macroF1' | 'r2' | 'accuracyDifference';
  method: 'percentile' | 'BCa';
  classes?: string[];
  yTrue: number[];
  yPred: number[];
  yPred2?: number[];
  /** macroF1 of one dataset under the merged arm: its own classes (indices into `classes`). */
  own?: number[];
  /** With `own`: scikit-learn's default macro-F1 over every class present, for contrast. */
  allPresent?: number;
  estimate: number;
  interval: [number, number];
}
interface Reference {
  resamples: number;
  normal: { p: number; quantile: number }[];
  normalSf: { z: number; sf: number }[];
  t: { t: number; df: number; sf: number }[];
  tQuantile: { p: number; df: number; quantile: number }[];
  binomtest: { k: number; n: number; pvalue: number; pmf: number }[];
  mcnemar: { b: number; c: number; exact: number; midP: number }[];
  holm: { p: number[]; adjusted: number[] }[];
  correctedT: { values: number[]; ratio: number; mean: number; variance: number; t: number; pValue: number; low: number; high: number }[];
  bootstrap: BootCase[];
}
const ref = loadReference<Reference>('inference.json');

test('normal and Student t distributions match scipy.stats (norm.ppf/sf, t.sf/ppf)', () => {
  for (const c of ref.normal) assert.ok(closeRel(normalQuantile(c.p), c.quantile, 1e-12) || closeAbs(normalQuantile(c.p), c.quantile, 1e-14), `ppf(${c.p}) = ${normalQuantile(c.p)} vs ${c.quantile}`);
  for (const c of ref.normalSf) assert.ok(closeRel(normalSf(c.z), c.sf, 1e-9), `sf(${c.z}) = ${normalSf(c.z)} vs ${c.sf}`);
  for (const c of ref.t) assert.ok(closeRel(studentTSf(c.t, c.df), c.sf, 1e-9), `t.sf(${c.t}, ${c.df}) = ${studentTSf(c.t, c.df)} vs ${c.sf}`);
  for (const c of ref.tQuantile) assert.ok(closeRel(studentTQuantile(c.p, c.df), c.quantile, 1e-11), `t.ppf(${c.p}, ${c.df}) = ${studentTQuantile(c.p, c.df)} vs ${c.quantile}`);
});

test('McNemar exact and mid-p match statsmodels mcnemar(exact=True) and scipy binomtest', () => {
  for (const c of ref.binomtest) {
    assert.ok(closeRel(binomialPmf(c.k, c.n, 0.5), c.pmf, 1e-11), `pmf ${c.k}/${c.n}`);
    // binomtest's two-sided p at 1/2 is McNemar's exact p with min(b, c) = k.
    const m = mcnemar(c.k, c.n - c.k);
    assert.ok(closeRel(m.exact, c.pvalue, 1e-11), `binomtest(${c.k}, ${c.n}) = ${c.pvalue}, ours ${m.exact}`);
  }
  for (const c of ref.mcnemar) {
    const m = mcnemar(c.b, c.c);
    assert.ok(closeRel(m.exact, c.exact, 1e-11), `mcnemar(${c.b}, ${c.c}) exact ${m.exact} vs ${c.exact}`);
    assert.ok(closeRel(m.midP, c.midP, 1e-11), `mcnemar(${c.b}, ${c.c}) mid-p ${m.midP} vs ${c.midP}`);
    assert.ok(m.midP <= m.exact);
  }
});

test('Holm adjustment matches statsmodels multipletests(method="holm"); NaN stays out of the family', () => {
  for (const c of ref.holm) {
    const adj = holmAdjust(c.p);
    adj.forEach((v, i) => assert.ok(closeAbs(v, c.adjusted[i], 1e-15), `${c.p}: ${adj} vs ${c.adjusted}`));
  }
  const withNaN = holmAdjust([0.01, NaN, 0.04]);
  assert.ok(Number.isNaN(withNaN[1]));
  assert.deepEqual([withNaN[0], withNaN[2]], holmAdjust([0.01, 0.04]));
});

test('corrected resampled t-test: Nadeau-Bengio variance, t, p and interval as written out with scipy.stats.t', () => {
  for (const c of ref.correctedT) {
    const r = correctedResampledT(c.values, c.ratio);
    for (const k of ['mean', 'variance', 't', 'pValue', 'low', 'high'] as const) assert.ok(closeRel(r[k], c[k], 1e-10) || closeAbs(r[k], c[k], 1e-12), `${k}: ${r[k]} vs ${c[k]}`);
  }
  // Folds that do not vary: no test possible (p NaN), a zero-width interval at the common value.
  const flat = correctedResampledT([0.5, 0.5, 0.5], 0.25);
  assert.ok(Number.isNaN(flat.pValue));
  assert.deepEqual([flat.low, flat.high], [0.5, 0.5]);
});

function statisticOf(c: BootCase): (w: Float64Array) => number {
  switch (c.metric) {
    case 'accuracy': {
      const correct = Uint8Array.from(c.yTrue, (y, i) => (y === c.yPred[i] ? 1 : 0));
      return (w) => weightedAccuracy(correct, w);
    }
    case 'accuracyDifference': {
      const a = Uint8Array.from(c.yTrue, (y, i) => (y === c.yPred[i] ? 1 : 0));
      const b = Uint8Array.from(c.yTrue, (y, i) => (y === (c.yPred2 as number[])[i] ? 1 : 0));
      return (w) => weightedAccuracy(a, w) - weightedAccuracy(b, w);
    }
    case 'macroF1': {
      const t = Int32Array.from(c.yTrue);
      const p = Int32Array.from(c.yPred);
      const k = (c.classes as string[]).length;
      const own = c.own ? Uint8Array.from({ length: k }, (_, i) => ((c.own as number[]).includes(i) ? 1 : 0)) : undefined;
      return (w) => weightedMacroF1(t, p, k, w, undefined, own);
    }
    case 'r2': {
      const t = Float64Array.from(c.yTrue);
      const p = Float64Array.from(c.yPred);
      return (w) => weightedR2(t, p, w);
    }
  }
}

test('bootstrap intervals agree with scipy.stats.bootstrap on real predictions (endpoints within 5% of the interval width)', () => {
  const report: string[] = [];
  for (const c of ref.bootstrap) {
    const stat = statisticOf(c);
    const n = c.yTrue.length;
    const r = bootstrapInterval(n, stat, { resamples: ref.resamples, method: c.method === 'BCa' ? 'bca' : 'percentile', seed: 11 });
    assert.ok(closeRel(r.estimate, c.estimate, 1e-12), `${c.name}: estimate ${r.estimate} vs sklearn ${c.estimate}`);
    if (c.own) {
      // The case tells the two definitions apart: over every class present, the era the rule answers scores 0.
      const every = statisticOf({ ...c, own: undefined })(new Float64Array(n).fill(1));
      assert.ok(closeRel(every, c.allPresent as number, 1e-12) && c.estimate - every > 0.1, `${c.name}: ${every} vs sklearn ${c.allPresent}`);
    }
    const width = c.interval[1] - c.interval[0];
    // Accuracy takes values k / n only: two Monte Carlo runs of 9,999 resamples can put a
    // quantile one step of 1/n apart (1/292 is 5.3% of a 0.065-wide interval), so one step is allowed.
    const lattice = c.metric === 'accuracy' || c.metric === 'accuracyDifference' ? 1 / n / width : 0;
    const off = Math.max(Math.abs(r.low - c.interval[0]), Math.abs(r.high - c.interval[1])) / width;
    const widthDiff = Math.abs(r.high - r.low - width) / width;
    report.push(`${c.name}: [${r.low.toFixed(4)}, ${r.high.toFixed(4)}] vs scipy [${c.interval[0].toFixed(4)}, ${c.interval[1].toFixed(4)}], endpoints off ${(100 * off).toFixed(1)}%, width ${(100 * widthDiff).toFixed(1)}%`);
    assert.ok(off <= Math.max(0.05, lattice + 1e-9) && widthDiff <= Math.max(0.05, lattice + 1e-9), report[report.length - 1]);
    assert.equal(r.method, c.method === 'BCa' ? 'bca' : 'percentile');
  }
  if (process.env.DATASET_LAB_VERBOSE) console.log(report.join('\n'));
});

test('bootstrap: the same seed gives the same interval, strata keep their sizes, p-value inverts the percentile interval', () => {
  const correct = Uint8Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 0 : 1));
  const stat = (w: Float64Array) => weightedAccuracy(correct, w);
  assert.deepEqual(bootstrapInterval(200, stat, { seed: 3 }), bootstrapInterval(200, stat, { seed: 3 }));
  assert.notDeepEqual(bootstrapInterval(200, stat, { seed: 3 }).low, bootstrapInterval(200, stat, { seed: 4, resamples: 500 }).low);
  const strata = Int32Array.from({ length: 200 }, (_, i) => (i < 50 ? 0 : 1));
  const sizes = bootstrapDistributions(200, [(w) => w.subarray(0, 50).reduce((a, b) => a + b, 0)], { strata, resamples: 50 })[0];
  assert.ok(sizes.every((v) => v === 50), 'stratum 0 keeps 50 rows in every resample');
  // A difference that is clearly positive: p small, interval above 0; a zero difference: p 1.
  const diff = bootstrapDistributions(200, [(w) => weightedAccuracy(correct, w) - 0.5], { seed: 1 })[0];
  assert.ok(bootstrapPValue(diff) < 0.01);
  assert.equal(bootstrapPValue(new Float64Array(100)), 1);
});
