import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, quantiles, std } from '../../../../src/core/stats/descriptive';
import { closeRel, loadReference, num, sample, type Num } from './referenceData';

interface DescCase { sample: string; mean: Num; std: Num; q: number[]; quantiles: Num[] }
const ref = loadReference<{ descriptive: DescCase[] }>('reference.json');

test('mean, std (ddof=1) and quantiles (numpy linear) match numpy on real columns', () => {
  for (const c of ref.descriptive) {
    const v = sample(c.sample);
    assert.ok(closeRel(mean(v), num(c.mean), 1e-13), `${c.sample} mean ${mean(v)} vs ${c.mean}`);
    assert.ok(closeRel(std(v), num(c.std), 1e-12), `${c.sample} std ${std(v)} vs ${c.std}`);
    const qs = quantiles(v, c.q);
    qs.forEach((q, i) => assert.ok(closeRel(q, num(c.quantiles[i]), 1e-14), `${c.sample} q${c.q[i]} ${q} vs ${c.quantiles[i]}`));
  }
  assert.ok(Number.isNaN(std(Float64Array.of(3))));
  assert.ok(Number.isNaN(mean(new Float64Array(0))));
});
