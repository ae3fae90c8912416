// compare --stream --label through dist/cli.js. Past the exact caps: two generated files (written
// here and by labelReference.py with the same integer arithmetic; pandas/scipy's figures in
// labelReference.json) with over 2,000 distinct classes and over 4,096 distinct regression values:
// every class count the stream states lies within its stated range of the pandas count, a value it
// does not list occurred at most the stated undercount, only certain label-space facts are said,
// and scipy's KS, asymptotic p and W1/std lie within the stated bounds. Within the caps (the
// weather files): the in-memory compare's label figures exactly.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examples, repoRoot, runCli, tempDir } from '../../helpers';

interface Reference {
  rows: [number, number];
  classCounts: [Record<string, number>, Record<string, number>];
  y: { ks: number; ksPvalueAsymp: number; wassersteinNorm: number; means: [number, number] };
}
interface Bounded {
  estimate: number;
  lower: number;
  upper: number;
}
interface Label {
  task: string;
  sameColumn: boolean;
  exact: boolean;
  shared: string[];
  onlyReference: string[];
  onlyOther: string[];
  overlap?: number;
  referenceDistribution: { value: string; count: number; share: number }[];
  otherDistribution: { value: string; count: number; share: number }[];
  referenceUndercount: number;
  otherUndercount: number;
  referenceImbalance?: number;
  otherImbalance?: number;
  jensenShannon?: number;
  chi2?: { statistic: number; pvalue: number; dof: number };
  ks?: { statistic: Bounded; pvalue: number; pvalueRange: [number, number] };
  wassersteinNorm?: Bounded;
  referenceMean?: number;
  otherMean?: number;
}

const ref = JSON.parse(readFileSync(join(repoRoot, 'test', 'unit', 'core', 'stream', 'labelReference.json'), 'utf8')) as Reference;
const tmp = tempDir('dataset-lab-stream-label-');
after(tmp.cleanup);
const fileA = join(tmp.path, 'ref.csv');
const fileB = join(tmp.path, 'other.csv');

/** The rows labelReference.py writes (keep the two in step). */
function rows(n: number, other: boolean): string {
  const out = ['x,cls,y'];
  for (let i = 0; i < n; i++) {
    const y = (i * 7919) % 10007;
    if (!other) out.push(`${i % 97},${i % 3 ? `c${i % 7}` : `r${i % 4001}`},${y}`);
    else out.push(`${i % 89},${i % 4 ? `c${i % 5}` : `s${i % 3001}`},${y + (i % 2 ? 700 : 0)}`);
  }
  return out.join('\n') + '\n';
}

const streamed = (args: string[]) => {
  const r = runCli(['compare', ...args, '--stream', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { features: { name: string }[]; onlyInReference: string[]; label?: Label };
};

describe('compare --stream --label', () => {
  before(() => {
    writeFileSync(fileA, rows(ref.rows[0], false));
    writeFileSync(fileB, rows(ref.rows[1], true));
  });

  test('classes past the exact cap: each count within its stated range of pandas, unlisted values at most the undercount, only certain overlap', () => {
    const doc = streamed([fileA, fileB, '--label', 'cls']);
    const l = doc.label as Label;
    assert.ok(l, 'a label comparison');
    assert.equal(l.task, 'classification');
    assert.equal(l.exact, false);
    assert.deepEqual(doc.features.map((f) => f.name).sort(), ['x', 'y'], 'the label is not a feature');
    const sides = [
      { dist: l.referenceDistribution, under: l.referenceUndercount, truth: ref.classCounts[0], rows: ref.rows[0] },
      { dist: l.otherDistribution, under: l.otherUndercount, truth: ref.classCounts[1], rows: ref.rows[1] },
    ];
    for (const [k, s] of sides.entries()) {
      assert.ok(s.under > 0, `side ${k}: past the cap, counts may be low`);
      const listed = new Map(s.dist.map((x) => [x.value, x.count]));
      for (const [value, count] of Object.entries(s.truth)) {
        const low = listed.get(value);
        if (low === undefined) assert.ok(count <= s.under, `side ${k} ${value}: unlisted but ${count} > undercount ${s.under}`);
        else assert.ok(low <= count && count <= low + s.under, `side ${k} ${value}: pandas ${count} outside ${low}..${low + s.under}`);
      }
      for (const x of s.dist) assert.ok(x.value in s.truth, `side ${k}: listed ${x.value} never occurs`);
      for (const x of s.dist) assert.ok(Math.abs(x.share - x.count / s.rows) < 1e-12);
    }
    // The heavy classes are certainly shared; nothing is claimed to be only on one side (neither side is exact).
    const truthShared = Object.keys(ref.classCounts[0]).filter((v) => v in ref.classCounts[1]);
    assert.deepEqual(truthShared.sort(), ['c0', 'c1', 'c2', 'c3', 'c4']);
    assert.deepEqual(l.shared, truthShared);
    assert.deepEqual(l.onlyReference, []);
    assert.deepEqual(l.onlyOther, []);
    for (const k of ['overlap', 'jensenShannon', 'chi2', 'referenceImbalance', 'otherImbalance'] as const) assert.equal(l[k], undefined, `${k} needs exact counts`);
    const text = runCli(['compare', fileA, fileB, '--stream', '--label', 'cls']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Label "cls" \(classification\)\n/);
    assert.match(text.stdout, /\n  c0 +\d+\.\.\d+ \(\d+\.\d%\+\) +\d+\.\.\d+ /);
    assert.match(text.stdout, /more distinct values than counted exactly: counts are at most \d+ low/);
    assert.match(text.stdout, /\n  only in [^\n]*ref\.csv: \(none certain\)\n/);
    assert.match(text.stdout, /overlap, imbalance, JS distance and chi2 need exact counts on both sides: not computed/);
  });

  test('a regression label past the sketch\'s exact cap: scipy\'s KS, asymptotic p and W1/std within the stated bounds; exact means', () => {
    const l = streamed([fileA, fileB, '--label', 'y']).label as Label;
    assert.equal(l.task, 'regression');
    assert.equal(l.exact, false);
    const ks = l.ks as NonNullable<Label['ks']>;
    const w = l.wassersteinNorm as Bounded;
    assert.ok(ks.statistic.lower <= ref.y.ks && ref.y.ks <= ks.statistic.upper, `KS ${ref.y.ks} outside ${ks.statistic.lower}..${ks.statistic.upper}`);
    assert.ok(ks.statistic.upper - ks.statistic.lower > 0, 'an approximate KS states its bound');
    assert.ok(ks.pvalueRange[0] <= ref.y.ksPvalueAsymp * (1 + 1e-9) && ref.y.ksPvalueAsymp <= ks.pvalueRange[1] * (1 + 1e-9), `p ${ref.y.ksPvalueAsymp} outside ${ks.pvalueRange}`);
    assert.ok(w.lower <= ref.y.wassersteinNorm && ref.y.wassersteinNorm <= w.upper, `W1/std ${ref.y.wassersteinNorm} outside ${w.lower}..${w.upper}`);
    assert.ok(Math.abs((l.referenceMean as number) - ref.y.means[0]) < 1e-9 * ref.y.means[0]);
    assert.ok(Math.abs((l.otherMean as number) - ref.y.means[1]) < 1e-9 * ref.y.means[1]);
    const text = runCli(['compare', fileA, fileB, '--stream', '--label', 'y']);
    assert.match(text.stdout, /Label "y" \(regression\)\n  means 5,003 vs 5,354 \(exact\); KS 0\.03\d* ±[\d.e-]+ \(p [^)]+\.\.[^)]+\), W1\/std 0\.12\d* ±/);
  });

  test('within the caps (weather): the in-memory label comparison\'s figures; different label columns are not compared', () => {
    const seattle = examples('weather', 'seattle.csv');
    const newYork = examples('weather', 'new-york.csv');
    const memory = (label: string) => {
      const r = runCli(['compare', seattle, newYork, '--label', label, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).comparisons[0] as { label: Label & { ks: { statistic: number; pvalue: number }; wassersteinNorm: number }; features: { name: string }[] };
    };
    const m = memory('weather');
    const doc = streamed([seattle, newYork, '--label', 'weather']);
    const s = doc.label as Label;
    assert.equal(s.exact, true);
    assert.deepEqual(doc.features.map((f) => f.name).sort(), m.features.map((f) => f.name).sort());
    for (const k of ['task', 'sameColumn', 'shared', 'onlyReference', 'onlyOther', 'overlap', 'referenceDistribution', 'otherDistribution', 'referenceImbalance', 'otherImbalance'] as const) assert.deepEqual(s[k], m.label[k], k);
    assert.ok(Math.abs((s.jensenShannon as number) - (m.label.jensenShannon as number)) < 1e-12);
    assert.equal(s.chi2?.dof, m.label.chi2?.dof);
    assert.ok(Math.abs((s.chi2?.statistic as number) - (m.label.chi2?.statistic as number)) < 1e-9);
    const mr = memory('temp_max').label;
    const sr = streamed([seattle, newYork, '--label', 'temp_max']).label as Label;
    assert.equal(sr.task, 'regression');
    assert.equal(sr.exact, true);
    assert.equal(sr.ks?.statistic.lower, sr.ks?.statistic.upper);
    assert.ok(Math.abs((sr.ks?.statistic.estimate as number) - mr.ks.statistic) < 1e-12);
    assert.ok(Math.abs((sr.wassersteinNorm?.estimate as number) - mr.wassersteinNorm) < 1e-9);
    assert.ok(Math.abs((sr.referenceMean as number) - (mr.referenceMean as number)) < 1e-9);
    const diff = streamed([seattle, newYork, '--labels', 'weather,wind']).label as Label;
    assert.equal(diff.sameColumn, false);
    assert.deepEqual([diff.shared, diff.onlyReference, diff.onlyOther], [[], [], []]);
    assert.equal(diff.jensenShannon, undefined);
    assert.equal(diff.chi2, undefined);
    const missing = runCli(['compare', seattle, newYork, '--stream', '--label', 'nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /seattle\.csv: label column "nope" not found \(columns: date, /);
  });
});
