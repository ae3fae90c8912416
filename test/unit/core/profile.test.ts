import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as aq from 'arquero';
import { toArquero } from '../../../src/core/arquero';
import { readCsvFile } from '../../../src/core/ingest';
import { histogramSorted, profileTable, type ColumnProfile } from '../../../src/core/profile';
import { quantileSorted } from '../../../src/core/stats/descriptive';
import { sortedFinite } from '../../../src/core/sortNumbers';

const ROOT = join(__dirname, '../../../..');

interface RefNumeric {
  name: string;
  type: 'numeric';
  count: number;
  missing: number;
  distinct: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  quantiles: { q: number; value: number }[];
  histogram: { edges: number[]; counts: number[] };
}
interface RefCategorical {
  name: string;
  type: 'categorical';
  count: number;
  missing: number;
  distinct: number;
  categories: Record<string, number>;
}
interface RefDatetime {
  name: string;
  type: 'datetime';
  count: number;
  missing: number;
  distinct: number;
}
interface RefDataset {
  file: string;
  rows: number;
  columns: (RefNumeric | RefCategorical | RefDatetime)[];
  transforms: {
    temp_max_by_weather: Record<string, { count: number; mean: number }>;
    wet_days: { rows: number; mean_wind: number };
  };
}
const reference = JSON.parse(readFileSync(join(ROOT, 'test/reference/profile-weather.json'), 'utf8')) as {
  quantiles: number[];
  bins: number;
  datasets: RefDataset[];
};

function close(actual: number, expected: number, what: string, rel = 1e-9): void {
  const tol = rel * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

for (const ref of reference.datasets) {
  for (const countDistinctUpTo of [undefined, 0]) {
    test(`profile of ${ref.file} matches pandas/numpy (${countDistinctUpTo === 0 ? 'sorting rows' : 'counting values'})`, async () => {
      const table = await readCsvFile(join(ROOT, ref.file));
      const profile = profileTable(table, { quantiles: reference.quantiles, bins: reference.bins, topCategories: 5, countDistinctUpTo });
      assert.equal(profile.rows, ref.rows);
      assert.deepEqual(profile.columns.map((c) => c.name), ref.columns.map((c) => c.name));
      for (const expected of ref.columns) {
        const actual = profile.columns.find((c) => c.name === expected.name) as ColumnProfile;
        assert.equal(actual.type, expected.type, expected.name);
        assert.equal(actual.count, expected.count, `${expected.name} count`);
        assert.equal(actual.missing, expected.missing, `${expected.name} missing`);
        assert.equal(actual.distinct, expected.distinct, `${expected.name} distinct`);
        if (expected.type === 'numeric' && actual.type === 'numeric') {
          close(actual.mean, expected.mean, `${expected.name} mean`);
          close(actual.std ?? NaN, expected.std, `${expected.name} std`);
          assert.equal(actual.min, expected.min);
          assert.equal(actual.max, expected.max);
          actual.quantiles.forEach((q, i) => {
            assert.equal(q.q, expected.quantiles[i].q);
            close(q.value, expected.quantiles[i].value, `${expected.name} q${q.q}`);
          });
          assert.deepEqual(actual.histogram.counts, expected.histogram.counts, `${expected.name} histogram counts`);
          actual.histogram.edges.forEach((e, i) => close(e, expected.histogram.edges[i], `${expected.name} edge ${i}`));
        } else if (expected.type === 'categorical' && actual.type === 'categorical') {
          const sortedCounts = Object.values(expected.categories).sort((a, b) => b - a);
          assert.deepEqual(actual.top.map((t) => t.count), sortedCounts.slice(0, 5));
          for (const t of actual.top) {
            assert.equal(t.count, expected.categories[t.value], `${expected.name}=${t.value}`);
            close(t.share, t.count / expected.count, 'share');
          }
        }
      }
    });
  }

  test(`arquero over ${ref.file}: aggregates agree with the profile; groupby and filter agree with pandas`, async () => {
    const table = await readCsvFile(join(ROOT, ref.file));
    const profile = profileTable(table);
    const dt = toArquero(table);
    assert.equal(dt.numRows(), table.rows);
    const stats = dt
      .rollup({ mean: aq.op.mean('temp_max'), sd: aq.op.stdev('temp_max'), q25: aq.op.quantile('temp_max', 0.25), med: aq.op.median('temp_max'), n: aq.op.valid('temp_max'), d: aq.op.distinct('weather') })
      .object() as Record<string, number>;
    const temp = profile.columns.find((c) => c.name === 'temp_max');
    assert.ok(temp && temp.type === 'numeric');
    close(stats.mean, temp.mean, 'mean');
    close(stats.sd, temp.std ?? NaN, 'stdev');
    close(stats.q25, temp.quantiles.find((q) => q.q === 0.25)?.value ?? NaN, 'q25');
    close(stats.med, temp.quantiles.find((q) => q.q === 0.5)?.value ?? NaN, 'median');
    assert.equal(stats.n, temp.count);
    assert.equal(stats.d, profile.columns.find((c) => c.name === 'weather')?.distinct);

    const groups = dt
      .groupby('weather')
      .rollup({ count: aq.op.count(), mean: aq.op.mean('temp_max') })
      .objects() as { weather: string; count: number; mean: number }[];
    const expected = ref.transforms.temp_max_by_weather;
    assert.deepEqual(groups.map((g) => g.weather).sort(), Object.keys(expected).sort());
    for (const g of groups) {
      assert.equal(g.count, expected[g.weather].count);
      close(g.mean, expected[g.weather].mean, `mean temp_max for ${g.weather}`);
    }
    const wet = dt.filter((d: Record<string, number>) => d.precipitation > 0);
    assert.equal(wet.numRows(), ref.transforms.wet_days.rows);
    close(wet.rollup({ w: aq.op.mean('wind') }).get('w', 0) as number, ref.transforms.wet_days.mean_wind, 'wet mean wind');
  });
}

test('quantiles follow numpy linear interpolation; histogram edges follow numpy.histogram', () => {
  const sorted = sortedFinite(Float64Array.from([4, NaN, 1, 3, 2, 10]));
  assert.deepEqual(Array.from(sorted), [1, 2, 3, 4, 10]);
  // numpy.quantile([1,2,3,4,10], [0, 0.1, 0.5, 0.9, 1]) = [1, 1.4, 3, 7.6, 10]
  close(quantileSorted(sorted, 0), 1, 'q0');
  close(quantileSorted(sorted, 0.1), 1.4, 'q.1');
  close(quantileSorted(sorted, 0.5), 3, 'q.5');
  close(quantileSorted(sorted, 0.9), 7.6, 'q.9');
  close(quantileSorted(sorted, 1), 10, 'q1');
  // numpy.histogram([1,2,3,4,10], bins=3): edges [1, 4, 7, 10], counts [3, 1, 1]
  assert.deepEqual(histogramSorted(sorted, 3), { edges: [1, 4, 7, 10], counts: [3, 1, 1] });
  // a constant column: numpy widens the range by 0.5 on each side
  assert.deepEqual(histogramSorted(Float64Array.from([5, 5]), 2), { edges: [4.5, 5, 5.5], counts: [0, 2] });
});

test('radix sort of a large column equals the built-in sort, negatives, -0 and duplicates included', () => {
  const n = 50_000;
  const values = new Float64Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const r = s / 4294967296;
    values[i] = i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : i % 3 === 0 ? Math.round(r * 100) - 50 : (r - 0.5) * 10 ** ((i % 40) - 20);
  }
  const expected = values.filter((v) => !Number.isNaN(v)).sort();
  const actual = sortedFinite(values);
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Object.is(actual[i], expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`);
});
