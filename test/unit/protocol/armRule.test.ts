import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armsFor, mergedArmProblem } from '../../../src/protocol/armRule';

const species = { dataset: 'biscoe', column: 'species', task: 'classification', classes: ['Adelie', 'Gentoo'] } as const;
const sex = { dataset: 'dream', column: 'sex', task: 'classification', classes: ['FEMALE', 'MALE'] } as const;

test('merged needs label columns that measure the same thing', () => {
  assert.match(mergedArmProblem([species, sex]) ?? '', /^the label columns differ \("species" in biscoe, "sex" in dream\)/);
  // The same name up to case and punctuation is the same column, as schema alignment matches it.
  assert.equal(mergedArmProblem([species, { dataset: 'dream', column: 'Species', task: 'classification', classes: ['Adelie', 'Chinstrap'] }]), undefined);
  assert.match(mergedArmProblem([species, { dataset: 'dream', column: 'species', task: 'regression' }]) ?? '', /different tasks \(biscoe: classification, dream: regression\)/);
  assert.match(mergedArmProblem([species, { dataset: 'dream', column: 'species', task: 'classification', classes: ['Chinstrap'] }]) ?? '', /share no label value/);
  assert.equal(mergedArmProblem([{ dataset: 'a', column: 'mpg', task: 'regression' }, { dataset: 'b', column: 'MPG', task: 'regression' }]), undefined);
});

test('each kind trains its arm beside the separate baseline; all trains what the labels allow', () => {
  assert.deepEqual(armsFor('merge', [species, { ...species, dataset: 'dream' }]).arms, ['separate', 'merged']);
  assert.match(armsFor('merge', [species, sex]).refused ?? '', /^cannot merge: the label columns differ/);
  assert.deepEqual(armsFor('multihead', [species, sex]).arms, ['separate', 'multihead']);
  assert.deepEqual(armsFor('separate', [species, sex]).arms, ['separate']);
  const all = armsFor('all', [species, sex]);
  assert.deepEqual(all.arms, ['separate', 'multihead']);
  assert.match(all.notes[0], /^no merged arm: the label columns differ/);
  assert.deepEqual(armsFor('all', [species, { ...species, dataset: 'dream' }]).arms, ['separate', 'merged', 'multihead']);
});
