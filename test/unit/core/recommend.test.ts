// The recommendation rule (src/core/recommend.ts, docs/compare.md "The recommendation"), branch by
// branch on comparisons built by hand: every verdict, every caution, the thresholds' edges, how the
// pairs of three or more datasets combine, and the weather example's verdict word for word.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { compareDatasets } from '../../../src/core/compare';
import type { DomainClassifierSummary, FeatureComparison, LabelComparison, PairComparison } from '../../../src/core/compare/types';
import { readCsvFile } from '../../../src/core/ingest';
import { recommend, type Strategy } from '../../../src/core/recommend';
import type { MatchedColumn } from '../../../src/core/schemaAlign';
import { examples, seededRandom, tempDir } from '../helpers';

const tmp = tempDir();
after(tmp.cleanup);

const matched = (names: readonly string[]): MatchedColumn[] =>
  names.map((n) => ({ reference: n, other: n, key: n, referenceType: 'numeric', otherType: 'numeric', typeConflict: false, renamed: false }));

const feature = (name: string, drift: boolean, identifierLike = false): FeatureComparison => ({
  name,
  type: 'numeric',
  referenceN: 100,
  otherN: 100,
  referenceMissingShare: 0,
  otherMissingShare: 0,
  psi: 0,
  jensenShannon: 0,
  drift,
  method: 'wasserstein',
  verdictValue: drift ? 0.5 : 0.01,
  threshold: 0.1,
  identifierLike,
  distribution: { reference: [], other: [] },
});

/** A classification label over the same column; `ref` and `other` are the label values of each side. */
function label(ref: readonly string[], other: readonly string[], over: Partial<LabelComparison> = {}): LabelComparison {
  const shared = ref.filter((v) => other.includes(v));
  const union = new Set([...ref, ...other]);
  return {
    referenceColumn: 'y',
    otherColumn: 'y',
    task: 'classification',
    sameColumn: true,
    shared,
    onlyReference: ref.filter((v) => !other.includes(v)),
    onlyOther: other.filter((v) => !ref.includes(v)),
    overlap: shared.length / union.size,
    referenceDistribution: [],
    otherDistribution: [],
    referenceImbalance: 1,
    otherImbalance: 1,
    ...over,
  };
}

const dc = (score: number, top: readonly string[] = ['a', 'b', 'c', 'd']): DomainClassifierSummary => ({
  auc: (score + 1) / 2,
  score,
  folds: 5,
  rowsUsed: 200,
  features: ['a', 'b', 'c', 'd'],
  topFeatures: top.map((name, i) => ({ name, importance: 1 - i / 10 })),
});

const FEATURES = ['a', 'b', 'c', 'd'];

/** Two alike datasets A and B unless `over` says otherwise: 4 shared features, none drifted, same labels. */
function pair(over: Partial<PairComparison> = {}): PairComparison {
  const features = over.features ?? FEATURES.map((f) => feature(f, false));
  const compared = features.filter((f) => !f.identifierLike);
  return {
    reference: 'A',
    other: 'B',
    schema: { matched: matched(FEATURES), onlyReference: [], onlyOther: [], typeConflicts: [], suggestions: [] },
    features,
    label: label(['u', 'v'], ['u', 'v']),
    domainClassifier: dc(0.1),
    driftShare: compared.length ? compared.filter((f) => f.drift).length / compared.length : 0,
    sizeRatio: 1,
    sharedFeatureShare: 1,
    ...over,
  };
}

/** A dataset's name, rows and label column (null: none given). */
const info = (name: string, rows = 100, lbl: string | null = 'y') => ({ name, rows, label: lbl ?? undefined });
const AB = [info('A'), info('B')];
const one = (p: PairComparison, datasets = AB, options = {}) => recommend([p], datasets, options);

describe('one pair: the verdicts in the order the rule checks them', () => {
  test('alike datasets: merge, no cautions, the reasons say why', () => {
    const r = one(pair());
    assert.equal(r.strategy, 'merge');
    assert.equal(r.scaffold, 'merge');
    assert.deepEqual(r.reasons, [
      'A vs B: 4 of 4 feature columns are shared (100%)',
      'A vs B: same label column "y" with 2 shared value(s) (overlap 100%)',
      'A vs B: 0 of 4 compared features drifted; a domain classifier tells the datasets apart with ROC AUC 0.550 (score 2*AUC-1 = 0.100; most telling: a, b, c): the datasets look alike',
    ]);
    assert.deepEqual(r.cautions, []);
    assert.deepEqual(r.pairs, [{ reference: 'A', other: 'B', strategy: 'merge', reasons: r.reasons }]);
  });

  test('fewer than half of the feature columns shared: separate, and nothing else is judged', () => {
    const schema = { matched: matched(['a']), onlyReference: ['b', 'c'], onlyOther: ['d'], typeConflicts: ['a'], suggestions: [] };
    // Different label columns and a severe shift too: the first check decides alone.
    const r = one(pair({ schema, sharedFeatureShare: 0.25, label: label(['u'], ['w'], { sameColumn: false, otherColumn: 'z' }), domainClassifier: dc(0.95), sizeRatio: 10 }));
    assert.equal(r.strategy, 'separate');
    assert.equal(r.scaffold, 'merge', 'separate is scaffolded as a merge experiment with its separate baseline');
    assert.deepEqual(r.reasons, ['A vs B: only 1 of 4 feature columns are shared (25%), below 50%: too little for one model or a shared trunk']);
    assert.deepEqual(r.cautions, []);
  });

  test('exactly half of the feature columns shared is enough', () => {
    const schema = { matched: matched(['a', 'b']), onlyReference: ['c'], onlyOther: ['d'], typeConflicts: [], suggestions: [] };
    const r = one(pair({ schema, sharedFeatureShare: 0.5 }));
    assert.equal(r.strategy, 'merge');
    assert.equal(r.reasons[0], 'A vs B: 2 of 4 feature columns are shared (50%)');
  });

  test('different label columns: multihead, with the domain classifier as a reason when it ran', () => {
    const diff = label(['u', 'v'], ['u', 'v'], { sameColumn: false, otherColumn: 'z' });
    const r = one(pair({ label: diff, domainClassifier: dc(0.3, ['c']) }));
    assert.equal(r.strategy, 'multihead');
    assert.equal(r.scaffold, 'multihead');
    assert.deepEqual(r.reasons, [
      'A vs B: 4 of 4 feature columns are shared (100%)',
      'A vs B: the datasets name different label columns ("y" vs "z"): different targets need one head each',
      'A vs B: a domain classifier tells the datasets apart with ROC AUC 0.650 (score 2*AUC-1 = 0.300; most telling: c)',
    ]);
    const noDc = one(pair({ label: diff, domainClassifier: undefined }));
    assert.equal(noDc.strategy, 'multihead');
    assert.equal(noDc.reasons.length, 2);
    // A severe shift does not turn different targets into separate models.
    assert.equal(one(pair({ label: diff, domainClassifier: dc(0.99) })).strategy, 'multihead');
  });

  test('classification label spaces that overlap less than half: multihead; at half: not', () => {
    // {u} shared of {u, v, w}: 1/3.
    const r = one(pair({ label: label(['u', 'v'], ['u', 'w']), domainClassifier: undefined }));
    assert.equal(r.strategy, 'multihead');
    assert.deepEqual(r.reasons.slice(1), ['A vs B: label spaces differ: 1 shared value(s), 1 only in A, 1 only in B (overlap 33% < 50%)']);
    // {u, v} shared of {u, v, w, x}: exactly 1/2 is not below the threshold.
    const half = one(pair({ label: label(['u', 'v', 'w'], ['u', 'v', 'x']) }));
    assert.equal(half.strategy, 'merge');
    assert.deepEqual(half.cautions, ['A vs B: label values found in one dataset only: w, x']);
    // The same overlap under a stricter option is multihead.
    assert.equal(one(pair({ label: label(['u', 'v', 'w'], ['u', 'v', 'x']) }), AB, { minLabelOverlap: 0.6 }).strategy, 'multihead');
  });

  test('a regression target has no label space: an overlap of 0 does not make it multihead', () => {
    const reg = label([], [], { task: 'regression', overlap: 0 });
    const r = one(pair({ label: reg }));
    assert.equal(r.strategy, 'merge');
    assert.equal(r.reasons[1], 'A vs B: same regression target "y"');
  });

  test('a domain-classifier score from 0.8 up: separate, with the classifier and the drifted features as reasons', () => {
    const features = [feature('id', true, true), ...FEATURES.map((f, i) => feature(f, i < 3))];
    const r = one(pair({ features, driftShare: 0.75, domainClassifier: dc(0.8, ['a', 'b']) }));
    assert.equal(r.strategy, 'separate');
    assert.equal(r.scaffold, 'merge');
    assert.deepEqual(r.reasons.slice(2), [
      'A vs B: a domain classifier tells the datasets apart with ROC AUC 0.900 (score 2*AUC-1 = 0.800; most telling: a, b): the distributions are very different, so one shared model may lose to one model per dataset',
      // The identifier-like column is not counted, drifted or not.
      'A vs B: 3 of 4 compared features drifted (a, b, c)',
    ]);
    assert.deepEqual(r.cautions, []);
    assert.equal(one(pair({ domainClassifier: dc(0.79) })).strategy, 'merge');
    assert.equal(one(pair({ domainClassifier: dc(0.79) }), AB, { severeShiftScore: 0.7 }).strategy, 'separate');
  });

  test('a shifted but overlapping pair (score from 0.25 or half the features drifted): merge with the caution to run the baseline', () => {
    const shifted = one(pair({ domainClassifier: dc(0.25, []) }));
    assert.equal(shifted.strategy, 'merge');
    assert.equal(shifted.reasons[2], 'A vs B: a domain classifier tells the datasets apart with ROC AUC 0.625 (score 2*AUC-1 = 0.250); 0 of 4 compared features drifted: distributions are shifted but overlap');
    assert.deepEqual(shifted.cautions, ["A vs B: run the separate baseline beside the merged model and compare each source's results"]);
    assert.deepEqual(one(pair({ domainClassifier: dc(0.24) })).cautions, []);

    // Drift alone, without a domain classifier: half of the compared features is enough.
    const features = FEATURES.map((f, i) => feature(f, i < 2));
    const drifted = one(pair({ features, driftShare: 0.5, domainClassifier: undefined }));
    assert.equal(drifted.strategy, 'merge');
    assert.equal(drifted.reasons[2], 'A vs B: no domain classifier; 2 of 4 compared features drifted (a, b): distributions are shifted but overlap');
    assert.equal(drifted.cautions.length, 1);
    const fewer = one(pair({ features: FEATURES.map((f, i) => feature(f, i < 1)), driftShare: 0.25, domainClassifier: undefined }));
    assert.deepEqual(fewer.cautions, []);
    assert.equal(fewer.reasons[2], 'A vs B: 1 of 4 compared features drifted (a): the datasets look alike');
  });

  test('more than five drifted features are listed as five and "..."', () => {
    const names = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'];
    const r = one(pair({ features: names.map((n) => feature(n, true)), driftShare: 1, domainClassifier: undefined }));
    assert.match(r.reasons[2], /; 7 of 7 compared features drifted \(f1, f2, f3, f4, f5, \.\.\.\): /);
  });
});

describe('one pair: the cautions', () => {
  test('type conflicts: fix before training', () => {
    const schema = { matched: matched(FEATURES), onlyReference: [], onlyOther: [], typeConflicts: ['b', 'c'], suggestions: [] };
    assert.deepEqual(one(pair({ schema })).cautions, ['A vs B: type conflicts in b, c: fix before training']);
  });

  test('no label column given: names the dataset without one, and the label space is not judged', () => {
    // Label spaces that would be multihead are not looked at without both label columns.
    const far = label(['u'], ['w']);
    const noOther = one(pair({ label: far }), [info('A'), info('B', 100, null)]);
    assert.equal(noOther.strategy, 'merge');
    assert.deepEqual(noOther.cautions, ['A vs B: no label column given for B; the label space could not be checked (use --label or --labels)']);
    const noRef = one(pair({ label: undefined }), [info('A', 100, null), info('B')]);
    assert.deepEqual(noRef.cautions, ['A vs B: no label column given for A; the label space could not be checked (use --label or --labels)']);
  });

  test('label values found in one dataset only: at most eight are listed', () => {
    const ref = ['s', 'r1', 'r2', 'r3', 'r4', 'r5'];
    const other = ['s', 'o1', 'o2', 'o3', 'o4', 'o5'];
    // 1 shared of 11: this pair is multihead, and multihead pairs carry no such caution.
    assert.deepEqual(one(pair({ label: label(ref, other) })).cautions, []);
    const r = one(pair({ label: label(ref, other) }), AB, { minLabelOverlap: 0 });
    assert.equal(r.strategy, 'merge');
    assert.deepEqual(r.cautions, ['A vs B: label values found in one dataset only: r1, r2, r3, r4, r5, o1, o2, o3']);
  });

  test('sizes above 3:1 warn that a merged model can follow the larger dataset; 3:1 does not', () => {
    const r = one(pair({ sizeRatio: 4 }), [info('A', 400), info('B', 100)]);
    assert.equal(r.strategy, 'merge');
    assert.deepEqual(r.cautions, [
      "A vs B: sizes differ 4.00:1 (400 vs 100 rows); a merged model can drift toward the larger dataset: balance sources and check each source's results",
    ]);
    assert.match(one(pair({ sizeRatio: 250 }), [info('A', 250), info('B', 62500)]).cautions[0], /sizes differ 250:1 \(250 vs 62500 rows\)/);
    assert.deepEqual(one(pair({ sizeRatio: 3 }), [info('A', 300), info('B', 100)]).cautions, []);
    // Also beside a severe shift, whose verdict is separate.
    const severe = one(pair({ sizeRatio: 4, domainClassifier: dc(0.9) }), [info('A', 400), info('B', 100)]);
    assert.equal(severe.strategy, 'separate');
    assert.equal(severe.cautions.length, 1);
  });

  test('every caution of a pair together, in the order the rule finds them', () => {
    const schema = { matched: matched(FEATURES), onlyReference: [], onlyOther: [], typeConflicts: ['d'], suggestions: [] };
    const r = one(pair({ schema, label: label(['u', 'v', 'w'], ['u', 'v', 'x']), sizeRatio: 5, domainClassifier: dc(0.5) }), [info('A', 500), info('B', 100)]);
    assert.equal(r.strategy, 'merge');
    assert.deepEqual(
      r.cautions.map((c) => c.replace(/^A vs B: (\S+ \S+).*/, '$1')),
      ['type conflicts', 'label values', 'sizes differ', 'run the'],
    );
  });
});

describe('three or more datasets: the most cautious pair decides', () => {
  const ABC = [info('A'), info('B'), info('C')];
  const ac = (over: Partial<PairComparison>) => pair({ other: 'C', ...over });
  const severe = { domainClassifier: dc(0.9) };
  const differentLabels = { label: label(['u'], ['w']) };
  const tooLittle = {
    schema: { matched: matched(['a']), onlyReference: ['b', 'c', 'd'], onlyOther: [], typeConflicts: [], suggestions: [] },
    sharedFeatureShare: 0.25,
  };
  const verdicts = (r: ReturnType<typeof recommend>) => r.pairs.map((p) => `${p.reference}-${p.other}:${p.strategy}`);

  const cases: [string, Partial<PairComparison>, Partial<PairComparison>, Strategy][] = [
    ['merge + merge', {}, {}, 'merge'],
    ['merge + multihead', {}, differentLabels, 'multihead'],
    ['merge + separate (shift)', {}, severe, 'separate'],
    ['merge + separate (too little shared)', {}, tooLittle, 'separate'],
    // Heads keep different targets apart while the trunk still shares features: a shifted pair
    // does not overrule a multihead one ...
    ['multihead + separate (shift)', differentLabels, severe, 'multihead'],
    ['separate (shift) + multihead', severe, differentLabels, 'multihead'],
    // ... but a pair with too little in common for a shared trunk does.
    ['multihead + separate (too little shared)', differentLabels, tooLittle, 'separate'],
  ];
  for (const [name, b, c, expected] of cases) {
    test(`${name}: ${expected}`, () => {
      const r = recommend([pair(b), ac(c)], ABC);
      assert.equal(r.strategy, expected);
      assert.equal(r.scaffold, expected === 'multihead' ? 'multihead' : 'merge');
      assert.equal(r.pairs.length, 2);
      // Every pair's reasons appear, in pair order.
      assert.deepEqual(r.reasons, [...r.pairs[0].reasons, ...r.pairs[1].reasons]);
      assert.ok(r.pairs[0].reasons.every((x) => x.startsWith('A vs B: ')));
      assert.ok(r.pairs[1].reasons.every((x) => x.startsWith('A vs C: ')));
    });
  }

  test('four datasets: each pair is judged on its own and every caution is kept with its pair', () => {
    const r = recommend(
      [pair({ sizeRatio: 5 }), ac(differentLabels), pair({ other: 'D', domainClassifier: dc(0.4) })],
      [info('A', 500), info('B', 100), info('C', 500), info('D', 500)],
    );
    assert.deepEqual(verdicts(r), ['A-B:merge', 'A-C:multihead', 'A-D:merge']);
    assert.equal(r.strategy, 'multihead');
    assert.deepEqual(r.cautions.map((c) => c.slice(0, 16)), ['A vs B: sizes di', 'A vs D: run the ']);
  });

  test('three tables through compareDatasets: a dataset with other label values makes the experiment multihead', async () => {
    const rand = seededRandom(5);
    const write = (name: string, labels: readonly string[]) => {
      const rows = Array.from({ length: 300 }, () => `${rand().toFixed(4)},${(rand() * 10).toFixed(3)},${labels[Math.floor(rand() * labels.length)]}`);
      const file = join(tmp.path, `${name}.csv`);
      writeFileSync(file, ['x,z,y', ...rows].join('\n') + '\n');
      return readCsvFile(file);
    };
    const tables = [await write('first', ['u', 'v']), await write('second', ['u', 'v']), await write('third', ['p', 'q'])];
    const report = compareDatasets(tables, { labels: ['y', 'y', 'y'] });
    const r = report.recommendation;
    assert.deepEqual(verdicts(r), ['first-second:merge', 'first-third:multihead']);
    assert.equal(r.strategy, 'multihead', r.reasons.join('\n'));
    assert.equal(r.scaffold, 'multihead');
    assert.ok(r.reasons.includes('first vs third: label spaces differ: 0 shared value(s), 2 only in first, 2 only in third (overlap 0% < 50%)'), r.reasons.join('\n'));
  });
});

test("a dataset's name cannot change the verdict", () => {
  // The datasets are named after their files; a name that reads like a reason is still a name.
  const names = [info('too little'), info('B'), info('C')];
  const severe = pair({ reference: 'too little', domainClassifier: dc(0.9) });
  const multihead = pair({ reference: 'too little', other: 'C', label: label(['u'], ['w']) });
  assert.equal(recommend([severe, multihead], names).strategy, 'multihead');
});

test("the weather example's verdict, word for word: merge, with the caution to run the separate baseline", async () => {
  const tables = [await readCsvFile(examples('weather', 'seattle.csv')), await readCsvFile(examples('weather', 'new-york.csv'))];
  const r = compareDatasets(tables, { labels: ['weather', 'weather'] }).recommendation;
  const reasons = [
    'seattle vs new-york: 5 of 5 feature columns are shared (100%)',
    // The date column is a datetime feature (issue 14): its range and calendar parts are compared.
    'seattle vs new-york: dates in "date" run 2012-01-01 to 2015-12-31 in seattle and 2012-01-01 to 2015-12-31 in new-york (time ranges overlap 100%); year, month and day of week do not drift',
    'seattle vs new-york: same label column "weather" with 5 shared value(s) (overlap 100%)',
    'seattle vs new-york: a domain classifier tells the datasets apart with ROC AUC 0.869 (score 2*AUC-1 = 0.738; most telling: wind, temp_min, precipitation); 4 of 5 compared features drifted (precipitation, temp_max, temp_min, wind): distributions are shifted but overlap',
  ];
  assert.deepEqual(r, {
    strategy: 'merge',
    reasons,
    cautions: ["seattle vs new-york: run the separate baseline beside the merged model and compare each source's results"],
    pairs: [{ reference: 'seattle', other: 'new-york', strategy: 'merge', reasons }],
    scaffold: 'merge',
  });
});
