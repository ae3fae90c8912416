import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crossValidatedDomainAuc } from '../../../src/core/domainClassifier';
import { rocAuc } from '../../../src/core/stats/rocAuc';
import { closeAbs, loadReference, repoRoot } from './stats/referenceData';

interface RocCase { scores: number[]; labels: number[]; auc: number }
interface CvCase { name: string; columns: (number | null)[][]; isOther: number[]; folds: number[]; foldAucs: number[]; auc: number }
const ref = loadReference<{ roc: RocCase[]; cv: CvCase[] }>('domain.json');

const toColumns = (c: CvCase) => c.columns.map((col) => Float64Array.from(col, (v) => (v === null ? Number.NaN : v)));

test('rocAuc equals sklearn.metrics.roc_auc_score, ties averaged (1e-12)', () => {
  for (const c of ref.roc) {
    const got = rocAuc(c.scores, c.labels);
    assert.ok(closeAbs(got, c.auc, 1e-12), `n=${c.scores.length}: ${got} vs ${c.auc}`);
  }
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [1, 1])));
});

test('on the same folds, the cross-validated AUC matches sklearn HistGradientBoosting (depth 2, 30 iterations)', () => {
  for (const c of ref.cv) {
    const r = crossValidatedDomainAuc(toColumns(c), Uint8Array.from(c.isOther), { foldOf: Uint8Array.from(c.folds) });
    assert.equal(r.folds, 5);
    assert.equal(r.rowsUsed, c.isOther.length);
    // Weather columns have few distinct values, all seen in every training fold, so our bins equal
    // sklearn's (which it cuts per training fold) and the models agree closely. For cars and
    // penguins, values missing from a training fold fall into different bins: 0.02 allowed.
    const sameBins = c.name.startsWith('weather') || c.name.startsWith('seattle');
    const tol = sameBins ? 5e-4 : 0.02;
    assert.ok(Math.abs(r.auc - c.auc) <= tol, `${c.name}: ours ${r.auc} sklearn ${c.auc} (tolerance ${tol})`);
    r.foldAucs.forEach((a, i) =>
      assert.ok(Math.abs(a - c.foldAucs[i]) <= (sameBins ? 2e-3 : 0.05), `${c.name} fold ${i}: ${a} vs ${c.foldAucs[i]}`),
    );
  }
});

function readWeather(city: string): { columns: Float64Array[]; rows: number } {
  const text = readFileSync(join(repoRoot(), 'examples', 'weather', `${city}.csv`), 'utf8').trim().split(/\r?\n/);
  const header = text[0].split(',');
  const numeric = ['precipitation', 'temp_max', 'temp_min', 'wind'].map((c) => header.indexOf(c));
  const lines = text.slice(1).map((l) => l.split(','));
  return { columns: numeric.map((j) => Float64Array.from(lines, (l) => Number(l[j]))), rows: lines.length };
}

test('two halves of one random shuffle of real data score near 0; Seattle vs New York scores high', () => {
  const sea = readWeather('seattle');
  const nyc = readWeather('new-york');
  // Shuffle Seattle's rows with a fixed permutation (LCG), split in halves.
  const order = Array.from({ length: sea.rows }, (_, i) => i);
  let s = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const shuffled = sea.columns.map((c) => Float64Array.from(order, (i) => c[i]));
  const isOther = new Uint8Array(sea.rows).fill(1, Math.floor(sea.rows / 2));
  const same = crossValidatedDomainAuc(shuffled, isOther, { seed: 7 });
  assert.ok(same.score < 0.1, `shuffled halves score ${same.score} (auc ${same.auc})`);

  const both = sea.columns.map((c, j) => Float64Array.from([...c, ...nyc.columns[j]]));
  const label = new Uint8Array(sea.rows + nyc.rows).fill(1, sea.rows);
  const diff = crossValidatedDomainAuc(both, label, { seed: 7 });
  assert.ok(diff.score > 0.6, `seattle vs new york score ${diff.score}`);
  assert.equal(diff.folds, 5);
  assert.equal(diff.importance.length, 4);
  assert.ok(Math.abs(diff.importance.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // Temperatures separate the cities far better than precipitation.
  assert.ok(diff.importance[0] < Math.max(diff.importance[1], diff.importance[2]));
});

test('deterministic for a seed; subsamples each side to maxRowsPerSide', () => {
  const sea = readWeather('seattle');
  const nyc = readWeather('new-york');
  const both = sea.columns.map((c, j) => Float64Array.from([...c, ...nyc.columns[j]]));
  const label = new Uint8Array(sea.rows + nyc.rows).fill(1, sea.rows);
  const a = crossValidatedDomainAuc(both, label, { seed: 3, maxRowsPerSide: 500 });
  const b = crossValidatedDomainAuc(both, label, { seed: 3, maxRowsPerSide: 500 });
  assert.deepEqual(a, b);
  assert.equal(a.rowsUsed, 1000);
  const c = crossValidatedDomainAuc(both, label, { seed: 4, maxRowsPerSide: 500 });
  assert.notDeepEqual(a.foldAucs, c.foldAucs);
});

test('too few rows for cross-validation gives NaN, and mismatched lengths are refused', () => {
  const r = crossValidatedDomainAuc([Float64Array.of(1, 2, 3)], Uint8Array.of(0, 0, 1));
  assert.equal(r.folds, 0);
  assert.ok(Number.isNaN(r.auc));
  assert.throws(() => crossValidatedDomainAuc([Float64Array.of(1, 2)], Uint8Array.of(0, 0, 1)), /rows/);
});
