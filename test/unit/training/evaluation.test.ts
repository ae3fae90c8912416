// Evaluation protocols: holdout intervals and paired tests, the best/tie rule, cross-validation
// folds, and a cross-validation run end to end through the CLI (forks dist/trainer.js: build first).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mcnemar } from '../../../src/core/stats/pairedTests';
import { runCommand } from '../../../src/cli/commands/run';
import { predictCommand } from '../../../src/cli/commands/predict';
import { initCommand } from '../../../src/cli/commands/init';
import { initBackend } from '../../../src/training/backend';
import { compareArms } from '../../../src/training/compareArms';
import { assignFolds, prepareSources } from '../../../src/training/data';
import { runArms } from '../../../src/training/engine';
import { holdoutEvidence } from '../../../src/training/evaluation/holdout';
import { pairKey, type Evidence } from '../../../src/training/evaluation/evidence';
import { resolveExperiment } from '../../../src/training/experiment';
import { unionClasses } from '../../../src/training/modelPlan';
import type { ArmName, ArmResult, FoldsFile, RunResults } from '../../../src/protocol/runFolder/contract';
import { captureIo } from '../helpers';
import { historyPoints } from '../../../src/protocol/dashboard';
import { listRunFolders } from '../../../src/protocol/runFolder/read';
import { blobs, lcg } from './tables';
import type { DataTable } from '../../../src/core/table';
import { clopperPearsonEdge } from '../../../src/training/evaluation/holdout';

const repo = join(__dirname, '..', '..', '..', '..');

/** The table with 15% of its labels flipped: no model can be perfect on it. */
function noisy(t: DataTable, seed: number): DataTable {
  const r = lcg(seed);
  const cols = t.columns.map((c) => {
    if (c.name !== 'y' || c.type !== 'categorical') return c;
    return { ...c, codes: Int32Array.from(c.codes, (k) => (r() < 0.15 ? 1 - k : k)) };
  });
  return { ...t, columns: cols };
}

test('holdout: every metric gets a BCa interval around it, pooled included; arms are compared by McNemar on the same rows', async () => {
  const { tf } = await initBackend();
  const exp = resolveExperiment(
    { version: 1, datasets: [{ name: 'a', path: 'a.csv', label: 'y' }, { name: 'b', path: 'b.csv', label: 'y' }], training: { epochs: 8, batchSize: 32, learningRate: 0.01, seed: 7 }, model: { type: 'mlp', hidden: [8] }, evaluation: { bootstrap: 500 } },
    '/tmp/ws/x.experiment.json',
  );
  const data = prepareSources(exp, [noisy(blobs('a', 300, 1), 3), noisy(blobs('b', 200, 2, 0.5), 4)]);
  const res = await runArms(exp, data, exp.arms, tf);
  const sources = ['a', 'b'];
  const { arms, evidence } = holdoutEvidence(res.arms, res.predictions, sources, unionClasses(data.sources).length, exp.evaluation);
  assert.equal(evidence.info.method, 'holdout');
  for (const arm of arms) {
    for (const s of sources) {
      const m = arm.bySource[s];
      assert.ok(m.task === 'classification' && m.ci);
      const [lo, hi] = m.ci.accuracy as [number, number];
      assert.ok(lo <= m.accuracy && m.accuracy <= hi && hi - lo > 0.02 && hi - lo < 0.3, `${arm.arm}/${s}: ${m.accuracy} in [${lo}, ${hi}]`);
      assert.ok(m.ci.macroF1 !== null);
    }
    const p = arm.pooled;
    assert.ok(p && p.task === 'classification' && p.ci);
    const [lo, hi] = p.ci.accuracy as [number, number];
    assert.ok(lo <= p.accuracy && p.accuracy <= hi);
  }
  // The p-value is McNemar's mid-p on the rows one arm gets right and the other wrong.
  const sep = res.predictions.get('separate')?.a;
  const mer = res.predictions.get('merged')?.a;
  assert.ok(sep && mer);
  let onlySep = 0;
  let onlyMer = 0;
  for (let i = 0; i < sep.yTrue.length; i++) {
    const okS = sep.yPred[i] === sep.yTrue[i];
    const okM = mer.yPred[i] === mer.yTrue[i];
    if (okS && !okM) onlySep++;
    if (okM && !okS) onlyMer++;
  }
  const e = evidence.pairs.a[pairKey('separate', 'merged')];
  assert.equal(e.test, 'mcnemar-midp');
  assert.equal(e.pValue, mcnemar(onlySep, onlyMer).midP);
  assert.ok(Math.abs(e.difference - (onlySep - onlyMer) / sep.yTrue.length) < 1e-12);
  const cmp = compareArms(arms, sources, evidence);
  assert.ok(cmp.deltaMCi?.merged && cmp.deltaMCi.merged[0] <= (cmp.deltaM.merged as number) && (cmp.deltaM.merged as number) <= cmp.deltaMCi.merged[1]);
  for (const s of sources) {
    const c = cmp.bySource[s];
    assert.equal(c.tests?.length, 3, 'every pair of arms tested');
    assert.ok(c.best !== null || (c.tied ?? []).length >= 2);
  }
});

test('a perfect (or null) accuracy gets the exact binomial interval, not the bootstrap\'s zero width', () => {
  const [lo, hi] = clopperPearsonEdge(1, 60, 0.95) as [number, number];
  assert.equal(hi, 1);
  assert.ok(Math.abs(lo - 0.025 ** (1 / 60)) < 1e-15 && lo < 0.95);
  assert.deepEqual(clopperPearsonEdge(0, 60, 0.95), [0, 1 - lo]);
});

/** Arms scoring `scores` on one dataset, with given pairwise p-values. */
function scenario(scores: Partial<Record<ArmName, number | 'diverged'>>, p: Record<string, number>): { arms: ArmResult[]; evidence: Evidence } {
  const arms: ArmResult[] = (Object.entries(scores) as [ArmName, number | 'diverged'][]).map(([arm, v]): ArmResult =>
    v === 'diverged'
      ? { arm, model: 'mlp', bySource: {}, pooled: null, diverged: { model: arm, epoch: 2, kind: 'loss', message: 'x' }, epochs: 2, bestEpoch: 0, seconds: 0 }
      : {
          arm,
          model: 'mlp',
          bySource: { s: { task: 'regression', n: 50, r2: v, mae: 1, rmse: 1, epochs: 1, bestEpoch: 1 } },
          pooled: { task: 'regression', n: 50, r2: v, mae: 1, rmse: 1 },
          epochs: 1,
          bestEpoch: 1,
          seconds: 0,
        },
  );
  const pairs: Evidence['pairs'] = { s: {} };
  for (const [key, pValue] of Object.entries(p)) pairs.s[key] = { difference: 0, ci: [-1, 1], pValue, test: 'paired-bootstrap' };
  return { arms, evidence: { info: { method: 'holdout', folds: 1, repeats: 1, confidence: 0.95, alpha: 0.05, intervals: 'bca-bootstrap', resamples: 100, correction: 'holm', savedModels: 'holdout' }, pairs, deltaM: {}, deltaMCi: {} } };
}

test('best names an arm only when it beats every other significantly (after Holm); otherwise the arms tie', () => {
  const clear = scenario({ separate: 0.5, merged: 0.7, multihead: 0.6 }, { 'separate|merged': 0.001, 'separate|multihead': 0.3, 'merged|multihead': 0.01 });
  let c = compareArms(clear.arms, ['s'], clear.evidence).bySource.s;
  assert.equal(c.best, 'merged');
  assert.deepEqual(c.tied, []);
  assert.equal(c.significant?.merged, true);
  assert.equal(c.significant?.multihead, false);
  // 0.02 alone is significant, but Holm over three tests makes it 0.04 (x2 as the second smallest)... and 0.03 x 1 = 0.03.
  const holm = scenario({ separate: 0.5, merged: 0.7, multihead: 0.6 }, { 'separate|merged': 0.001, 'separate|multihead': 0.3, 'merged|multihead': 0.03 });
  c = compareArms(holm.arms, ['s'], holm.evidence).bySource.s;
  assert.equal(c.tests?.find((t) => t.arms.join() === 'merged,multihead')?.pAdjusted, 0.06);
  assert.equal(c.best, null);
  assert.deepEqual(c.tied, ['merged', 'multihead']);
  // Three arms within noise of each other: a three-way tie, and no gain is significant.
  const noise = scenario({ separate: 0.51, merged: 0.52, multihead: 0.5 }, { 'separate|merged': 0.6, 'separate|multihead': 0.7, 'merged|multihead': 0.4 });
  c = compareArms(noise.arms, ['s'], noise.evidence).bySource.s;
  assert.equal(c.best, null);
  assert.deepEqual(c.tied, ['separate', 'merged', 'multihead']);
  assert.deepEqual(c.significant, { merged: false, multihead: false });
  // A diverged arm has no score, no gain and no part in best (its enormous "score" cannot win).
  const div = scenario({ separate: 0.5, merged: 0.8, multihead: 'diverged' }, { 'separate|merged': 0.001 });
  const whole = compareArms(div.arms, ['s'], div.evidence);
  c = whole.bySource.s;
  assert.equal(c.multihead, null);
  assert.equal(c.gain.multihead, null);
  assert.equal(c.best, 'merged');
  assert.deepEqual(whole.overall, { best: 'merged', bestOrTied: ['merged'] });
  assert.equal(whole.deltaM.multihead, null);
});

test('cross-validation folds: stratified, disjoint, covering every row once per repeat; fresh folds per repeat', () => {
  const y = Float64Array.from({ length: 103 }, (_, i) => (i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2));
  const source = { y, task: 'classification' as const, classes: ['a', 'b', 'c'] };
  const [first, second] = assignFolds(source, 5, 2, 42);
  for (let f = 0; f < 5; f++) {
    for (let c = 0; c < 3; c++) {
      const inClass = y.filter((v) => v === c).length;
      const n = Array.from(first).filter((g, i) => g === f && y[i] === c).length;
      assert.ok(Math.abs(n - inClass / 5) < 1, `fold ${f} class ${c}: ${n} of ${inClass}`);
    }
    const size = Array.from(first).filter((g) => g === f).length;
    assert.ok(size === 20 || size === 21, `fold ${f} has ${size} rows`);
  }
  assert.notDeepEqual(Array.from(first), Array.from(second));
  assert.deepEqual(assignFolds(source, 5, 2, 42), [first, second]);
});

async function cli(cmd: typeof runCommand, argv: string[], cwd: string) {
  const c = captureIo(cwd);
  const code = await cmd.run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

test('a cross-validation run: the same folds for every arm in folds.json, fold-mean scores with corrected-t intervals, curves per fold, and predict on the refit models', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-cv-'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(join(repo, 'test', 'fixtures', 'training', 'two-class-a.csv'), join(dir, 'data', 'a.csv'));
  copyFileSync(join(repo, 'test', 'fixtures', 'training', 'two-class-b.csv'), join(dir, 'data', 'b.csv'));
  writeFileSync(
    join(dir, 'cv.experiment.json'),
    JSON.stringify({ version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'label' }, { name: 'b', path: 'data/b.csv', label: 'label' }], model: { type: 'mlp', hidden: [8] }, training: { epochs: 4 }, evaluation: { method: 'cv', folds: 3 } }),
  );
  const r = await cli(runCommand, ['cv.experiment.json', '--json'], dir);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as RunResults;
  assert.deepEqual(doc.evaluation, { method: 'cv', folds: 3, repeats: 1, confidence: 0.95, alpha: 0.050000000000000044, intervals: 'corrected-t', resamples: null, correction: 'holm', savedModels: 'refit' });
  const runDir = join(dir, '.dataset-lab', 'runs', doc.runId);
  const folds = JSON.parse(readFileSync(join(runDir, 'folds.json'), 'utf8')) as FoldsFile;
  const csvRows = { a: 150, b: 110 };
  for (const [name, rows] of Object.entries(csvRows)) {
    const tested = folds.datasets[name].test.flat().sort((x, y) => x - y);
    assert.deepEqual(tested, Array.from({ length: rows }, (_, i) => i), `${name}: every row tested exactly once`);
    assert.equal(folds.datasets[name].test.length, 3);
    assert.equal(doc.datasets[name].test, rows);
  }
  const split = JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8'));
  assert.deepEqual(split.a.test, [], 'the saved models were refit on every row');
  for (const arm of doc.arms) {
    for (const s of ['a', 'b']) {
      const m = arm.bySource[s];
      assert.ok(m.task === 'classification' && m.ci?.accuracy && m.foldScores?.length === 3);
      const mean = m.foldScores.reduce((x, y) => x + y, 0) / 3;
      assert.ok(Math.abs(m.accuracy - mean) < 1e-12, 'the score is the mean of the folds');
      assert.ok(m.ci.accuracy[0] <= m.accuracy && m.accuracy <= m.ci.accuracy[1]);
    }
    // The same folds for every arm: each arm tested every row once.
    assert.equal(arm.pooled?.n, 260);
  }
  for (const t of doc.comparison.bySource.a.tests ?? []) assert.equal(t.test, 'corrected-t');
  const history = readFileSync(join(runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(history.map((h) => h.fold ?? 0))].sort(), [0, 1, 2, 3], 'epochs of folds 1-3 and of the refit (no fold)');
  // Curves: fold records carry their fold (drawn as mean and band), the refit's are their own "(refit)" curves.
  const points = historyPoints(readFileSync(join(runDir, 'history.jsonl'), 'utf8'));
  assert.deepEqual([...new Set(points.filter((q) => q.arm === 'merged').map((q) => q.fold))].sort(), [1, 2, 3]);
  assert.ok(points.some((q) => q.arm === 'merged (refit)' && q.fold === undefined));
  // The run is listed with the files it trained on and its verdict: what links a comparison of those files to it.
  const [listed] = await listRunFolders(join(dir, '.dataset-lab', 'runs'));
  assert.deepEqual(listed.datasets, [join(dir, 'data', 'a.csv'), join(dir, 'data', 'b.csv')]);
  assert.deepEqual(listed.verdict, { best: doc.comparison.overall?.best ?? null, bestOrTied: doc.comparison.overall?.bestOrTied, method: 'cv' });
  const p = await cli(predictCommand, [runDir, 'data/b.csv', '--arm', 'merged', '-o', 'pred.csv'], dir);
  assert.equal(p.code, 0, p.err);
  assert.equal(readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n').length, 111);
  const text = await cli(runCommand, ['cv.experiment.json'], dir);
  assert.match(text.out, /evaluation: 3-fold cross-validation/);
});

test('the results table prints every headline score with its interval and marks ties; no gain shown as a win unless significant', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-table-'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(join(repo, 'test', 'fixtures', 'training', 'two-class-a.csv'), join(dir, 'data', 'a.csv'));
  copyFileSync(join(repo, 'test', 'fixtures', 'training', 'two-class-b.csv'), join(dir, 'data', 'b.csv'));
  writeFileSync(join(dir, 'h.experiment.json'), JSON.stringify({ version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'label' }, { name: 'b', path: 'data/b.csv', label: 'label' }], model: { type: 'mlp', hidden: [8] }, training: { epochs: 5 } }));
  const r = await cli(runCommand, ['h.experiment.json'], dir);
  assert.equal(r.code, 0, r.err);
  const runId = /Run (\S+)/.exec(r.out)?.[1] as string;
  const doc = JSON.parse(readFileSync(join(dir, '.dataset-lab', 'runs', runId, 'results.json'), 'utf8')) as RunResults;
  // Accuracy is written as every view writes it: a percentage with one decimal.
  const f = (v: number) => `${(v * 100).toFixed(1)}%`;
  for (const arm of doc.arms) {
    for (const [s, m] of Object.entries(arm.bySource)) {
      assert.ok(m.task === 'classification' && m.ci?.accuracy);
      const line = r.out.split('\n').find((l) => l.startsWith(`${s} `)) as string;
      assert.ok(line.includes(`${f(m.accuracy)} [${f(m.ci.accuracy[0])}, ${f(m.ci.accuracy[1])}]`), `${arm.arm}/${s} in: ${line}`);
    }
  }
  for (const [s, c] of Object.entries(doc.comparison.bySource)) {
    const line = r.out.split('\n').find((l) => l.startsWith(`${s} `)) as string;
    if (c.best) assert.match(line, new RegExp(`${c.best} \\(significant\\)$`));
    else assert.ok(line.endsWith(`tie: ${(c.tied ?? []).join(', ')}`), line);
    for (const a of ['merged', 'multihead'] as const) {
      const gainLine = r.out.split('\n').find((l) => l.startsWith(`${s} `) && l.includes(`${a} vs separate`)) as string;
      assert.ok(gainLine, `${s} ${a} gain line`);
      if (c.significant?.[a]) assert.match(gainLine, /significant (gain|loss)$/);
      else assert.match(gainLine, /no significant difference$/);
    }
  }
});

test('init picks cross-validation when a dataset\'s test split would be under 200 rows, holdout otherwise, and says why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-init-'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(join(repo, 'test', 'fixtures', 'training', 'two-class-a.csv'), join(dir, 'data', 'a.csv'));
  copyFileSync(join(repo, 'test', 'fixtures', 'training', 'two-class-b.csv'), join(dir, 'data', 'b.csv'));
  const small = await cli(initCommand, ['merge', 'data/a.csv', 'data/b.csv', '--label', 'label', '-o', 'small.experiment.json'], dir);
  assert.equal(small.code, 0, small.err);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'small.experiment.json'), 'utf8')).evaluation, { method: 'cv', folds: 5 });
  assert.match(small.err, /note: evaluation: 5-fold cross-validation, because b's test split would have only 22 rows \(under 200\)/);
  // 1,000 labelled rows per file: test splits of 200 rows.
  const big = (name: string, seed: number) => {
    const r = lcg(seed);
    const lines = ['x,y'];
    for (let i = 0; i < 1005; i++) lines.push(i < 5 ? `${r()},` : `${r()},${r() < 0.5 ? 'u' : 'v'}`);
    writeFileSync(join(dir, 'data', name), lines.join('\n') + '\n');
  };
  big('c.csv', 1);
  big('d.csv', 2);
  const large = await cli(initCommand, ['merge', 'data/c.csv', 'data/d.csv', '--label', 'y', '-o', 'large.experiment.json'], dir);
  assert.equal(large.code, 0, large.err);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'large.experiment.json'), 'utf8')).evaluation, { method: 'holdout' });
  assert.match(large.err, /note: evaluation: holdout on a 20% test split \(the smallest, c's, has 200 rows, at least 200\)/);
});

test('one arm diverging does not stop the run: it is marked diverged, shown as such, and left out of gains and best', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-div-'));
  mkdirSync(join(dir, 'data'));
  // Plain SGD at learning rate 20: the separate models blow up, the merged model (whose small
  // dataset is weighted up but whose batches mix both) does not.
  const toCsv = (t: DataTable) => {
    const cols = t.columns;
    const cellOf = (c: DataTable['columns'][number], r: number) => (c.type === 'numeric' ? String(c.values[r]) : c.type === 'categorical' ? c.dictionary[c.codes[r]] : '');
    return [cols.map((c) => c.name).join(','), ...Array.from({ length: t.rows }, (_, r) => cols.map((c) => cellOf(c, r)).join(','))].join('\n') + '\n';
  };
  writeFileSync(join(dir, 'data', 'a.csv'), toCsv(blobs('a', 2000, 1)));
  writeFileSync(join(dir, 'data', 'b.csv'), toCsv(blobs('b', 40, 2, 0.5)));
  writeFileSync(
    join(dir, 'd.experiment.json'),
    JSON.stringify({ version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'y' }, { name: 'b', path: 'data/b.csv', label: 'y' }], arms: ['separate', 'merged'], merged: { balancing: 'inverse_size' }, model: { type: 'mlp', hidden: [8], l2: 0 }, training: { epochs: 10, optimizer: 'sgd', learningRate: 20, batchSize: 32, seed: 1 } }),
  );
  const r = await cli(runCommand, ['d.experiment.json'], dir);
  assert.equal(r.code, 0, r.err);
  const runId = /Run (\S+)/.exec(r.out)?.[1] as string;
  const doc = JSON.parse(readFileSync(join(dir, '.dataset-lab', 'runs', runId, 'results.json'), 'utf8')) as RunResults;
  const sep = doc.arms.find((a) => a.arm === 'separate');
  assert.ok(sep?.diverged, 'separate is marked diverged');
  assert.equal(sep.pooled, null);
  assert.match(sep.diverged.message, /^separate\/[ab]: the training loss rose to \S+ at epoch \d+, more than 100 times its start/);
  assert.ok(!doc.arms.find((a) => a.arm === 'merged')?.diverged);
  for (const c of Object.values(doc.comparison.bySource)) {
    assert.equal(c.separate, null);
    assert.equal(c.gain.merged, null, 'no gain over a diverged baseline');
    assert.notEqual(c.best, 'separate');
  }
  assert.match(r.out, new RegExp(`diverged \\(epoch ${sep.diverged.epoch}\\)`));
  assert.match(r.out, /warning: separate diverged: separate\/[ab]: the training loss rose .*; lower training\.learningRate; it has no scores and is left out of the comparison/);
  assert.equal(JSON.parse(readFileSync(join(dir, '.dataset-lab', 'runs', runId, 'status.json'), 'utf8')).status, 'completed');
});
