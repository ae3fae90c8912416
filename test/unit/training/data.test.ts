import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, inferTask, prepareSources } from '../../../src/training/data';
import { ExperimentError, resolveExperiment } from '../../../src/training/experiment';
import { blobs, makeTable } from './tables';

const exp = (datasets: object[], extra: object = {}) => resolveExperiment({ version: 1, datasets, ...extra }, '/w/x.experiment.json');
const two = [{ name: 'north', path: 'n.csv', label: 'y' }, { name: 'south', path: 's.csv', label: 'y' }];

function issueOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ExperimentError, String(e));
    return e.issues[0];
  }
  assert.fail('expected an ExperimentError');
}

test('task inference: text or <= 20 distinct integers is classification, else regression', () => {
  assert.equal(inferTask(makeTable('t', { y: ['a', 'b'] }).columns[0]), 'classification');
  assert.equal(inferTask(makeTable('t', { y: [1, 2, 3, null, 20] }).columns[0]), 'classification');
  assert.equal(inferTask(makeTable('t', { y: Array.from({ length: 21 }, (_, i) => i) }).columns[0]), 'regression');
  assert.equal(inferTask(makeTable('t', { y: [1, 2.5] }).columns[0]), 'regression');
});

test('the split is stratified per dataset and label, and seeded', () => {
  const e = exp(two, { split: { test: 0.2, validation: 0.1, seed: 3 } });
  const data = prepareSources(e, [blobs('north', 300, 1), blobs('south', 200, 2)]);
  for (const s of data.sources) {
    for (let c = 0; c < s.classes.length; c++) {
      const idx = Array.from(s.y.keys()).filter((i) => s.y[i] === c);
      const count = (k: number) => idx.filter((i) => s.split[i] === k).length;
      assert.equal(count(SPLIT_TEST), Math.round(idx.length * 0.2));
      assert.equal(count(SPLIT_VALIDATION), Math.round(idx.length * 0.1));
      assert.equal(count(SPLIT_TRAIN), idx.length - count(SPLIT_TEST) - count(SPLIT_VALIDATION));
    }
  }
  assert.deepEqual(data.features.map((f) => f.name), ['x1', 'x2', 'cat']);
  assert.deepEqual(data.features.map((f) => f.type), ['numeric', 'numeric', 'categorical']);
});

test('rows with a missing label are left out and counted', () => {
  const t = makeTable('north', { x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y: ['a', 'b', null, 'a', 'b', 'a', 'b', 'a', 'b', 'a'] });
  const data = prepareSources(exp([{ name: 'north', path: 'n.csv', label: 'y' }], { split: { test: 0.2, validation: 0 } }), [t]);
  assert.equal(data.sources[0].rows.length, 9);
  assert.equal(data.sources[0].unlabelled, 1);
});

test('bad inputs name the dataset and the column', () => {
  const ok = blobs('north', 50, 1);
  let i = issueOf(() => prepareSources(exp([two[0], { ...two[1], label: 'target' }]), [ok, blobs('south', 50, 2)]));
  assert.equal(i.dataset, 'south');
  assert.equal(i.column, 'target');
  assert.match(i.message, /label column "target" not found in s\.csv \(columns: x1, x2, cat, y\)/);

  const oneClass = makeTable('south', { x1: [1, 2, 3, 4, 5], x2: [1, 1, 1, 1, 1], cat: ['u', 'u', 'v', 'v', 'u'], y: ['yes', 'yes', 'yes', 'yes', 'yes'] });
  i = issueOf(() => prepareSources(exp(two), [ok, oneClass]));
  assert.equal(i.dataset, 'south');
  assert.equal(i.column, 'y');
  assert.match(i.message, /only one class \("yes"\)/);

  i = issueOf(() => prepareSources(exp([{ ...two[0], task: 'regression' }], { arms: ['separate'] }), [ok]));
  assert.equal(i.dataset, 'north');
  assert.equal(i.column, 'y');
  assert.match(i.message, /regression label "y" holds text values \(e\.g\. "(yes|no)"/);

  const tiny = makeTable('south', { x1: [1, 2, 3, 4], x2: [1, 2, 3, 4], cat: ['u', 'v', 'u', 'v'], y: ['a', 'b', 'a', 'b'] });
  i = issueOf(() => prepareSources(exp(two), [ok, tiny]));
  assert.equal(i.dataset, 'south');
  assert.match(i.message, /has 0 rows in the (test|validation) split \(4 labelled rows of 4, label "y"\)/);

  const clash = makeTable('south', { x1: ['a', 'b'], x2: [1, 2], cat: ['u', 'v'], y: ['a', 'b'] });
  i = issueOf(() => prepareSources(exp(two, { features: ['x1', 'x2'] }), [ok, clash]));
  assert.equal(i.column, 'x1');
  assert.match(i.message, /feature column "x1" is categorical here but numeric in dataset "north"/);

  i = issueOf(() => prepareSources(exp(two, { features: ['x1', 'nope'] }), [ok, blobs('south', 50, 2)]));
  assert.equal(i.column, 'nope');
  assert.equal(i.path, '$.features');
});

test('the merged arm refuses datasets with different tasks', () => {
  const reg = makeTable('south', { x1: Array.from({ length: 40 }, (_, k) => k), x2: Array.from({ length: 40 }, (_, k) => k % 3), cat: Array.from({ length: 40 }, (_, k) => (k % 2 ? 'u' : 'v')), y: Array.from({ length: 40 }, (_, k) => k * 0.37) });
  const i = issueOf(() => prepareSources(exp(two), [blobs('north', 50, 1), reg]));
  assert.equal(i.path, '$.arms');
  assert.match(i.message, /"north" is classification, "south" is regression/);
});
