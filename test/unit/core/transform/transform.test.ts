// Per-dataset transforms: each step's effect on a real table (the readers' fixture), the JSON
// path of every kind of mistake, and that checking never evaluates an expression.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCsvFile } from '../../../../src/core/ingest';
import { TransformError, applyTransforms } from '../../../../src/core/transform/applyTransforms';
import { checkTransformColumns, parseTransformSteps } from '../../../../src/core/transform/transformSteps';
import { columnByName, isStringColumn, type Column } from '../../../../src/core/table';
import { fixtures } from '../../helpers';

const P = '$.datasets[1].transform';
const cells = (c: Column | undefined): string[] => {
  assert.ok(c);
  if (isStringColumn(c)) return Array.from(c.codes, (k) => (k < 0 ? '' : c.dictionary[k]));
  return Array.from(c.values, (v) => (Number.isNaN(v) ? '' : String(Math.round(v * 1e6) / 1e6)));
};

test('rename, derive (a unit conversion), filter, recode and select, in order', async () => {
  const table = await readCsvFile(fixtures('readers', 'mixed.csv'));
  const { steps, issues } = parseTransformSteps(
    [
      { rename: { temp: 'temp_c', weather: 'sky' } },
      { derive: { temp_f: 'd => d.temp_c * 9 / 5 + 32', city_len: 'd => op.length(d.city)' } },
      { filter: 'd => d.temp_c > 0' },
      { recode: { sky: { sun: 'clear', fog: 'cloudy', rain: 'cloudy' } } },
      { select: ['sky', 'temp_f', 'temp_c', 'city_len'] },
    ],
    P,
  );
  assert.deepEqual(issues, []);
  const t = applyTransforms(table, steps);
  assert.deepEqual(t.columns.map((c) => [c.name, c.type]), [['sky', 'categorical'], ['temp_f', 'numeric'], ['temp_c', 'numeric'], ['city_len', 'numeric']]);
  const temps = cells(columnByName(table, 'temp')).filter((v) => v !== '' && Number(v) > 0);
  assert.equal(t.rows, temps.length, 'rows with a missing or non-positive temperature are gone');
  assert.deepEqual(cells(t.columns[2]), temps);
  assert.deepEqual(cells(t.columns[1]), temps.map((v) => String(Math.round((Number(v) * 9 / 5 + 32) * 1e6) / 1e6)));
  const sky = columnByName(t, 'sky');
  assert.ok(sky && sky.type === 'categorical');
  assert.deepEqual([...sky.dictionary].sort(), ['clear', 'cloudy']);
});

test('mistakes are reported at their JSON path, without evaluating anything', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ derive: { temp_c: 'd => (d.temp_f - 32) * 5 /' } }, `${P}[0].derive.temp_c`, /not a valid arquero expression: Expression parse error/],
    [{ derive: { 'temp c': 'd => process.exit(1)' } }, `${P}[0].derive["temp c"]`, /not a valid arquero expression: Invalid/],
    [{ filter: 'd => { while (true) {} }' }, `${P}[0].filter`, /While loops not allowed/],
    [{ filter: 42 }, `${P}[0].filter`, /must be an arquero expression in a string/],
    [{ rename: { a: 'b' }, select: ['b'] }, `${P}[0]`, /exactly one of rename, derive, filter, recode, select \(got "rename", "select"\)/],
    [{ recode: { weather: 'sun' } }, `${P}[0].recode.weather`, /non-empty object mapping old values/],
    [{ select: [] }, `${P}[0].select`, /non-empty array of column names/],
  ];
  for (const [step, path, message] of cases) {
    const { issues } = parseTransformSteps([step], P);
    assert.equal(issues.length, 1, JSON.stringify(step));
    assert.equal(issues[0].path, path);
    assert.match(issues[0].message, message);
  }
  assert.match(parseTransformSteps({ rename: {} }, P).issues[0].message, /must be an array of steps/);
});

test('a step naming a missing column fails at its path, before any step runs', async () => {
  const table = await readCsvFile(fixtures('readers', 'mixed.csv'));
  const { steps } = parseTransformSteps([{ rename: { temp: 't' } }, { derive: { f: 'd => d.temp * 2' } }], P);
  assert.throws(
    () => applyTransforms(table, steps),
    (e: unknown) => e instanceof TransformError && e.path === `${P}[1].derive.f` && /column "temp" does not exist at this step \(columns: id, t, count/.test(e.reason),
  );
  const checked = checkTransformColumns(['a', 'b'], parseTransformSteps([{ select: ['b', 'c'] }, { recode: { a: { x: 'y' } } }], P).steps);
  assert.deepEqual(checked.issues.map((i) => i.path), [`${P}[0].select[1]`, `${P}[1].recode.a`]);
  assert.deepEqual(checked.columns, ['b']);
});

test('for prediction, filters are skipped and steps on columns the file lacks pass', async () => {
  const table = await readCsvFile(fixtures('readers', 'mixed.csv'));
  const { steps } = parseTransformSteps([{ filter: 'd => d.temp > 100' }, { recode: { label: { a: 'b' } } }, { derive: { t2: 'd => d.temp * 2' } }], P);
  const t = applyTransforms(table, steps, { forPrediction: true });
  assert.equal(t.rows, table.rows);
  assert.ok(columnByName(t, 't2'));
  assert.throws(() => applyTransforms(table, steps), /column "label" does not exist/);
});
