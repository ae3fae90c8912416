import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../../src/training/backend';
import { SPLIT_TRAIN, prepareSources } from '../../../src/training/data';
import { runArms } from '../../../src/training/engine';
import type { ModelMeta } from '../../../src/training/modelPlan';
import { resolveExperiment, type PreprocessingSpec } from '../../../src/training/experiment';
import { quantileSorted } from '../../../src/core/stats/descriptive';
import { fitPreprocessing, transformRows, type FittedCategorical, type FittedNumeric } from '../../../src/training/preprocess';
import { blobs, makeTable } from './tables';

const spec = (p: Partial<PreprocessingSpec>): PreprocessingSpec => ({ numericImpute: 'mean', categoricalImpute: 'most_frequent', scaling: 'standard', maxCategories: 32, datetimeFeatures: ['year', 'month', 'dayOfWeek', 'hour', 'days'], ...p });
const rows = (...r: number[]) => Int32Array.from(r);

test('statistics come from the given training rows only (leakage)', () => {
  // Rows 0-3 are "training"; rows 4-5 hold extreme values and an unseen category.
  const t = makeTable('t', { x: [1, 2, 3, null, 1000, -1000], c: ['a', 'b', 'a', null, 'z', 'z'] });
  const features = [{ name: 'x', type: 'numeric' as const }, { name: 'c', type: 'categorical' as const }];
  const p = fitPreprocessing([{ table: t, rows: rows(0, 1, 2, 3) }], features, spec({}));
  const x = p.features[0] as FittedNumeric;
  assert.equal(x.fill, 2); // mean of 1,2,3
  assert.equal(x.center, 2); // imputed [1,2,3,2]
  assert.equal(x.scale, Math.sqrt(0.5));
  const c = p.features[1] as FittedCategorical;
  assert.deepEqual(c.categories, ['a', 'b']);
  assert.equal(c.fill, 'a');
  assert.deepEqual(p.outputs, ['x', 'c=a', 'c=b']);
  const out = transformRows(p, t, rows(3, 4));
  assert.deepEqual(Array.from(out), [0, 1, 0, Math.fround(998 / Math.sqrt(0.5)), 0, 0]);
});

test('minmax, robust and none scaling; median and zero imputation; missing_category', () => {
  const t = makeTable('t', { x: [1, 2, 4, 10, null], c: ['a', null, 'b', 'b', 'a'] });
  const f = [{ name: 'x', type: 'numeric' as const }];
  const all = rows(0, 1, 2, 3, 4);
  const mm = fitPreprocessing([{ table: t, rows: all }], f, spec({ scaling: 'minmax', numericImpute: 'zero' })).features[0] as FittedNumeric;
  assert.deepEqual([mm.fill, mm.center, mm.scale], [0, 0, 10]);
  const rb = fitPreprocessing([{ table: t, rows: all }], f, spec({ scaling: 'robust', numericImpute: 'median' })).features[0] as FittedNumeric;
  // imputed: [1,2,4,10,3] -> sorted [1,2,3,4,10]: median 3, IQR 4-2.
  assert.deepEqual([rb.fill, rb.center, rb.scale], [3, 3, 2]);
  assert.equal(quantileSorted(Float64Array.from([1, 2, 3, 4]), 0.25), 1.75);
  const none = fitPreprocessing([{ table: t, rows: all }], f, spec({ scaling: 'none' })).features[0] as FittedNumeric;
  assert.deepEqual([none.center, none.scale], [0, 1]);
  const mc = fitPreprocessing([{ table: t, rows: all }], [{ name: 'c', type: 'categorical' }], spec({ categoricalImpute: 'missing_category' }));
  assert.deepEqual(mc.outputs, ['c=(missing)', 'c=a', 'c=b']);
  const top1 = fitPreprocessing([{ table: t, rows: all }], [{ name: 'c', type: 'categorical' }], spec({ maxCategories: 1 }));
  assert.deepEqual(top1.outputs, ['c=a']); // a and b tie at 2: ties break by name
});

test('every saved model of a run carries statistics of its own training rows, never of test rows', async () => {
  const { tf } = await initBackend();
  const exp = resolveExperiment(
    { version: 1, datasets: [{ name: 'a', path: 'a.csv', label: 'y' }, { name: 'b', path: 'b.csv', label: 'y' }], model: { type: 'mlp', hidden: [4] }, training: { epochs: 1 } },
    '/w/x.experiment.json',
  );
  const data = prepareSources(exp, [blobs('a', 120, 1), blobs('b', 80, 2, 3)]);
  const metas: ModelMeta[] = [];
  await runArms(exp, data, exp.arms, tf, { saveModel: async (meta) => void metas.push(meta) });
  assert.deepEqual(metas.map((m) => m.id), ['separate/a', 'separate/b', 'merged', 'multihead']);
  const trainMean = (sources: typeof data.sources) => {
    const v: number[] = [];
    for (const s of sources) {
      const col = s.table.columns[0];
      s.rows.forEach((r, k) => {
        if (s.split[k] === SPLIT_TRAIN && col.type === 'numeric') v.push(col.values[r]);
      });
    }
    return v.reduce((p, q) => p + q, 0) / v.length;
  };
  const allMean = (sources: typeof data.sources) => {
    const v: number[] = [];
    for (const s of sources) if (s.table.columns[0].type === 'numeric') v.push(...s.table.columns[0].values);
    return v.reduce((p, q) => p + q, 0) / v.length;
  };
  const center = (m: ModelMeta) => (m.preprocessing.features[0] as FittedNumeric).center;
  const expected = [[data.sources[0]], [data.sources[1]], data.sources, data.sources];
  metas.forEach((m, i) => {
    assert.ok(Math.abs(center(m) - trainMean(expected[i])) < 1e-9, `${m.id}: ${center(m)} vs ${trainMean(expected[i])}`);
    assert.ok(Math.abs(center(m) - allMean(expected[i])) > 1e-6, `${m.id}: the training-only mean should differ from the all-rows mean`);
  });
});
