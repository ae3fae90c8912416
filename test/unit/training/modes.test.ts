// Batch mixing, merged-arm balancing and multi-head loss weighting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochRecord } from '../../../src/protocol/runFolder/contract';
import { initBackend } from '../../../src/training/backend';
import { prepareSources } from '../../../src/training/data';
import { runArms } from '../../../src/training/engine';
import { epochSources } from '../../../src/training/schedule';
import { resolveExperiment } from '../../../src/training/experiment';
import { blobs } from './tables';

const datasets = [
  { name: 'big', path: 'big.csv', label: 'y' },
  { name: 'small', path: 'small.csv', label: 'y' },
];
const exp = (extra: object) => resolveExperiment({ version: 1, datasets, split: { test: 0.2, validation: 0.1 }, ...extra }, '/w/x.experiment.json');
const tables = () => [blobs('big', 900, 1), blobs('small', 100, 2)];
const count = (list: string[], name: string) => list.filter((s) => s === name).length;

test('multihead mixing: proportional keeps sizes, equal evens them, temperature sits between', () => {
  const trainBig = 630; // 70% of 900
  const trainSmall = 70;
  const prop = epochSources(exp({ multihead: { mixing: 'proportional' } }), prepareSources(exp({}), tables()), 'multihead');
  assert.equal(count(prop, 'big'), trainBig);
  assert.equal(count(prop, 'small'), trainSmall);
  const e = exp({ multihead: { mixing: 'equal' } });
  const equal = epochSources(e, prepareSources(e, tables()), 'multihead');
  assert.equal(equal.length, trainBig + trainSmall);
  const shareEqual = count(equal, 'small') / equal.length;
  assert.ok(Math.abs(shareEqual - 0.5) < 0.06, `equal: small share ${shareEqual}`);
  const t = exp({ multihead: { mixing: 'temperature', temperature: 2 } });
  const temp = epochSources(t, prepareSources(t, tables()), 'multihead');
  // Rate proportional to n^(1/2): sqrt(70) / (sqrt(630) + sqrt(70)) = 0.25.
  const shareTemp = count(temp, 'small') / temp.length;
  assert.ok(Math.abs(shareTemp - 0.25) < 0.05, `temperature: small share ${shareTemp}`);
});

test('merged balancing: oversample to the largest, undersample to the smallest', () => {
  const over = exp({ merged: { balancing: 'oversample' } });
  const o = epochSources(over, prepareSources(over, tables()), 'merged');
  assert.deepEqual([count(o, 'big'), count(o, 'small')], [630, 630]);
  const under = exp({ merged: { balancing: 'undersample' } });
  const u = epochSources(under, prepareSources(under, tables()), 'merged');
  assert.deepEqual([count(u, 'big'), count(u, 'small')], [70, 70]);
  const none = exp({ merged: { balancing: 'none' } });
  const n = epochSources(none, prepareSources(none, tables()), 'merged');
  assert.deepEqual([count(n, 'big'), count(n, 'small')], [630, 70]);
});

test('uncertainty and DWA weighting train and report per-head weights; inverse-size weights run', async () => {
  const { tf } = await initBackend();
  for (const weighting of ['uncertainty', 'dwa'] as const) {
    const e = exp({ arms: ['multihead'], multihead: { weighting }, model: { type: 'mlp', hidden: [8] }, training: { epochs: 4, learningRate: 0.01 } });
    const records: EpochRecord[] = [];
    const res = await runArms(e, prepareSources(e, tables()), e.arms, tf, { onEpoch: (r) => void records.push(r) });
    assert.equal(records.length, res.arms[0].epochs);
    const w = records.map((r) => [r.heads.big.weight, r.heads.small.weight]);
    if (weighting === 'dwa') {
      // The first two epochs use weight 1; later ones sum to the number of heads.
      assert.deepEqual(w[0], [1, 1]);
      assert.ok(Math.abs(w[3][0] + w[3][1] - 2) < 1e-9);
    } else {
      assert.deepEqual(w[0].map((v) => v !== 0.5), [true, true], 'log-variances moved from 0');
    }
    for (const s of ['big', 'small']) assert.ok(res.arms[0].bySource[s].n > 0);
  }
  const inv = exp({ arms: ['merged'], merged: { balancing: 'inverse_size' }, model: { type: 'linear' } });
  const res = await runArms(inv, prepareSources(inv, tables()), inv.arms, tf);
  const small = res.arms[0].bySource.small;
  assert.ok(small.task === 'classification' && small.accuracy > 0.7);
});
