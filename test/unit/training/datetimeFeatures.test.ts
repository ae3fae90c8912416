// Datetime features: the inputs preprocess.ts derives from a date column (year, cyclic month /
// day of week / hour, days since the first training date), checked against pandas
// (test/reference/dates/make_datetime_features_reference.py), fitted on training rows only, and
// runs on the weather data with the date as a feature, through the real CLI.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main';
import { parseCsvText, readCsvFile } from '../../../src/core/ingest';
import { initBackend } from '../../../src/training/backend';
import { SPLIT_TRAIN, prepareSources, type Source } from '../../../src/training/data';
import { runArms } from '../../../src/training/engine';
import { ExperimentError, resolveExperiment, type PreprocessingSpec } from '../../../src/training/experiment';
import type { ModelMeta } from '../../../src/training/modelPlan';
import { fitPreprocessing, transformRows, type FittedDatetime } from '../../../src/training/preprocess';
import { rowAccounting } from '../../../src/training/rowAccounting';
import { scaffoldExperiment } from '../../../src/training/scaffold';
import { captureIo, examples, fixtures, repoRoot } from '../helpers';
import { lcg } from './tables';

const spec = (p: Partial<PreprocessingSpec> = {}): PreprocessingSpec => ({ numericImpute: 'median', categoricalImpute: 'most_frequent', scaling: 'standard', maxCategories: 32, datetimeFeatures: ['year', 'month', 'dayOfWeek', 'hour', 'days'], ...p });

interface ReferenceColumn {
  name: string;
  format: string;
  values: string[];
  train: number[];
  expected: Record<'standard' | 'none', { outputs: string[]; reference: number; fill: number; year: [number, number]; days: [number, number]; rows: number[][] }>;
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'reference', 'dates', 'datetime_features.json'), 'utf8')) as { columns: ReferenceColumn[] };

/** Relative closeness: the model inputs are float32. */
function near(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs pandas ${b}`);
}

for (const c of reference.columns) {
  test(`"${c.name}" (${c.format}): year, month, day of week${c.expected.standard.outputs.some((o) => o.includes('hour')) ? ', hour' : ''} and days equal pandas', fitted on the training rows only`, () => {
    // Row numbers in the first column, so an empty date is an empty cell, not a blank line.
    const table = parseCsvText(`i,${c.name}\n${c.values.map((v, i) => `${i},${v}`).join('\n')}\n`, `${c.name}.csv`);
    const col = table.columns[1];
    assert.equal(col.type, 'datetime');
    assert.equal(col.type === 'datetime' && col.format, c.format);
    const train = Int32Array.from(c.train);
    const all = Int32Array.from(c.values, (_, i) => i);
    for (const scaling of ['standard', 'none'] as const) {
      const want = c.expected[scaling];
      const p = fitPreprocessing([{ table, rows: train }], [{ name: c.name, type: 'datetime' }], spec({ scaling }));
      assert.deepEqual(p.outputs, want.outputs);
      const f = p.features[0] as FittedDatetime;
      // The earliest TRAINING date, whatever earlier dates other rows hold.
      assert.equal(f.reference, want.reference, `${scaling} reference ${new Date(f.reference).toISOString()}`);
      assert.equal(f.fill, want.fill, `${scaling} fill`);
      near(f.year.center, want.year[0], 1e-12, `${scaling} year center`);
      near(f.year.scale, want.year[1], 1e-12, `${scaling} year scale`);
      near(f.days.center, want.days[0], 1e-12, `${scaling} days center`);
      near(f.days.scale, want.days[1], 1e-12, `${scaling} days scale`);
      const out = transformRows(p, table, all);
      const width = want.outputs.length;
      want.rows.forEach((row, r) => row.forEach((v, j) => near(out[r * width + j], v, 2e-6, `${scaling} row ${r} (${c.values[r] || 'missing'}) ${want.outputs[j]}`)));
    }
  });
}

test('"datetimeFeatures" picks the inputs, in one order however listed; a date column has no hour', () => {
  const c = reference.columns.find((x) => x.name === 'at') as ReferenceColumn;
  const table = parseCsvText(`i,at\n${c.values.map((v, i) => `${i},${v}`).join('\n')}\n`, 'at.csv');
  const exp = resolveExperiment({ version: 1, datasets: [{ name: 'a', path: 'a.csv', label: 'i' }], preprocessing: { datetimeFeatures: ['days', 'hour'] } }, '/w/x.experiment.json');
  assert.deepEqual(exp.preprocessing.datetimeFeatures, ['hour', 'days']);
  const p = fitPreprocessing([{ table, rows: Int32Array.from(c.train) }], [{ name: 'at', type: 'datetime' }], exp.preprocessing);
  assert.deepEqual(p.outputs, ['at:hour_sin', 'at:hour_cos', 'at:days']);
  const full = c.expected.standard;
  const out = transformRows(p, table, Int32Array.from(c.values, (_, i) => i));
  const hs = full.outputs.indexOf('at:hour_sin');
  const ds = full.outputs.indexOf('at:days');
  full.rows.forEach((row, r) => {
    near(out[r * 3], row[hs], 2e-6, `row ${r} hour sin`);
    near(out[r * 3 + 1], row[hs + 1], 2e-6, `row ${r} hour cos`);
    near(out[r * 3 + 2], row[ds], 2e-6, `row ${r} days`);
  });
  const day = reference.columns.find((x) => x.name === 'day') as ReferenceColumn;
  const dayTable = parseCsvText(`i,day\n${day.values.map((v, i) => `${i},${v}`).join('\n')}\n`, 'day.csv');
  const onlyHour = fitPreprocessing([{ table: dayTable, rows: Int32Array.from(day.train) }], [{ name: 'day', type: 'datetime' }], spec({ datetimeFeatures: ['hour', 'month'] }));
  assert.deepEqual(onlyHour.outputs, ['day:month_sin', 'day:month_cos']);
});

/** CSV lines of random dates (2000-2019), a number and a two-class label. */
function datedLines(n: number, seed: number): string[] {
  const r = lcg(seed);
  const lines = ['when,x,y'];
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2000, 0, 1) + Math.floor(r() * 7300) * 86_400_000).toISOString().slice(0, 10);
    const x = r() * 2 - 1;
    lines.push(`${day},${x.toFixed(4)},${x + (r() - 0.5) > 0 ? 'yes' : 'no'}`);
  }
  return lines;
}

test('every saved model takes its reference date and scaling from its own training rows (leakage), the trees too', async () => {
  const { tf } = await initBackend();
  for (const model of [{ type: 'mlp', hidden: [4] }, { type: 'gbm', trees: { iterations: 3 } }]) {
    const exp = resolveExperiment({ version: 1, datasets: [{ name: 'a', path: 'a.csv', label: 'y' }, { name: 'b', path: 'b.csv', label: 'y' }], model, training: { epochs: 1 } }, '/w/x.experiment.json');
    const lines = [datedLines(150, 7), datedLines(90, 8)];
    const tables = () => lines.map((l, i) => parseCsvText(l.join('\n') + '\n', `${'ab'[i]}.csv`));
    // Splits follow the labels alone: the earliest date of each dataset goes to a row outside its training split.
    const first = prepareSources(exp, tables());
    first.sources.forEach((s, i) => {
      const k = s.split.findIndex((x) => x !== SPLIT_TRAIN);
      lines[i][s.rows[k] + 1] = lines[i][s.rows[k] + 1].replace(/^[^,]+/, `198${i}-01-01`);
    });
    const data = prepareSources(exp, tables());
    data.sources.forEach((s, i) => assert.deepEqual(s.split, first.sources[i].split));
    assert.deepEqual(data.features.map((f) => [f.name, f.type]), [['when', 'datetime'], ['x', 'numeric']]);
    const metas: ModelMeta[] = [];
    await runArms(exp, data, exp.arms, tf, { saveModel: async (meta) => void metas.push(meta), saveTrees: async (meta) => void metas.push(meta) });
    assert.deepEqual(metas.map((m) => m.id), ['separate/a', 'separate/b', 'merged', 'multihead']);
    const instants = (sources: readonly Source[], trainOnly: boolean) => {
      const v: number[] = [];
      for (const s of sources) {
        const col = s.table.columns[0];
        s.rows.forEach((row, k) => {
          if ((!trainOnly || s.split[k] === SPLIT_TRAIN) && col.type === 'datetime') v.push(col.values[row]);
        });
      }
      return v;
    };
    const expected = [[data.sources[0]], [data.sources[1]], data.sources, data.sources];
    metas.forEach((m, i) => {
      const f = m.preprocessing.features[0] as FittedDatetime;
      const train = instants(expected[i], true);
      const everyRow = instants(expected[i], false);
      assert.equal(f.reference, Math.min(...train), `${model.type} ${m.id}: reference is the first training date`);
      // The fixture's earliest date of every model's rows is outside its training split.
      assert.ok(Math.min(...everyRow) < f.reference, `${model.type} ${m.id}: the first date of all rows should be a non-training row's`);
      const meanDays = train.reduce((a, v) => a + (v - f.reference) / 86_400_000, 0) / train.length;
      assert.ok(Math.abs(f.days.center - meanDays) < 1e-6, `${model.type} ${m.id}: days center ${f.days.center} vs ${meanDays}`);
    });
  }
});

test('"datetimeFeatures": [] leaves dates out of the offered features; naming one is an error at its path', () => {
  const weather = parseCsvText(readFileSync(examples('weather', 'seattle.csv'), 'utf8'), 'seattle.csv');
  const ny = parseCsvText(readFileSync(examples('weather', 'new-york.csv'), 'utf8'), 'new-york.csv');
  const datasets = [
    { name: 'seattle', path: 'seattle.csv', label: 'weather' },
    { name: 'new-york', path: 'new-york.csv', label: 'weather' },
  ];
  const offered = prepareSources(resolveExperiment({ version: 1, datasets }, '/w/x.experiment.json'), [weather, ny]);
  assert.deepEqual(offered.features.map((f) => [f.name, f.type]), [['date', 'datetime'], ['precipitation', 'numeric'], ['temp_max', 'numeric'], ['temp_min', 'numeric'], ['wind', 'numeric']]);
  const none = prepareSources(resolveExperiment({ version: 1, datasets, preprocessing: { datetimeFeatures: [] } }, '/w/x.experiment.json'), [weather, ny]);
  assert.equal(none.features.some((f) => f.name === 'date'), false);
  assert.throws(
    () => prepareSources(resolveExperiment({ version: 1, datasets, features: ['date', 'wind'], preprocessing: { datetimeFeatures: [] } }, '/w/x.experiment.json'), [weather, ny]),
    (e: unknown) => e instanceof ExperimentError && /x\.experiment\.json at \$\.features: dataset "seattle", column "date": feature column "date" holds dates and times, but "preprocessing": \{"datetimeFeatures": \[\]\}/.test(e.message),
  );
  assert.throws(
    () => resolveExperiment({ version: 1, datasets, preprocessing: { datetimeFeatures: ['month', 'season'] } }, '/w/x.experiment.json'),
    (e: unknown) => e instanceof ExperimentError && /\$\.preprocessing\.datetimeFeatures\[1\]: must be one of "year", "month", "dayOfWeek", "hour", "days", got "season"/.test(e.message),
  );
});

test('the weather data with its date as a feature: init keeps it, run trains on it, predict reads new dates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-dates-'));
  mkdirSync(join(dir, 'data'));
  for (const f of ['seattle.csv', 'new-york.csv']) copyFileSync(examples('weather', f), join(dir, 'data', f));
  const cli = async (argv: string[]) => {
    const c = captureIo(dir);
    const code = await main(argv, c.io);
    return { code, out: c.out(), err: c.err() };
  };
  const init = await cli(['init', 'merge', 'data/seattle.csv', 'data/new-york.csv', '--label', 'weather', '-o', 'w.experiment.json']);
  assert.equal(init.code, 0, init.err);
  assert.doesNotMatch(init.err, /left out "date"/);
  const exp = JSON.parse(readFileSync(join(dir, 'w.experiment.json'), 'utf8'));
  assert.ok(exp.features.includes('date'), JSON.stringify(exp.features));
  writeFileSync(join(dir, 'w.experiment.json'), JSON.stringify({ ...exp, arms: ['separate', 'merged'], model: { type: 'linear' }, training: { epochs: 1 } }));
  const run = await cli(['run', 'w.experiment.json', '--json']);
  assert.equal(run.code, 0, run.err);
  const doc = JSON.parse(run.out);
  const runDir = join(dir, '.dataset-lab', 'runs', doc.runId);
  const meta = JSON.parse(readFileSync(join(runDir, 'models', 'merged', 'preprocessing.json'), 'utf8'));
  assert.deepEqual(
    meta.preprocessing.outputs.filter((o: string) => o.startsWith('date:')),
    ['date:year', 'date:month_sin', 'date:month_cos', 'date:dayOfWeek_sin', 'date:dayOfWeek_cos', 'date:days'],
  );
  writeFileSync(join(dir, 'data', 'new.csv'), 'date,precipitation,temp_max,temp_min,wind\n2016-07-01,0,25.6,14.4,3.1\n2016-12-24,8.1,5.0,1.1,5.2\n');
  const pred = await cli(['predict', runDir, 'data/new.csv', '--arm', 'merged']);
  assert.equal(pred.code, 0, pred.err);
  assert.equal(pred.out.trim().split('\n').length, 3);
  // Unknown dates (an empty column, which reads as no kind) are imputed: the training median date.
  const fill = new Date(meta.preprocessing.features.find((f: { name: string }) => f.name === 'date').fill).toISOString().slice(0, 10);
  writeFileSync(join(dir, 'data', 'unknown.csv'), 'date,precipitation,temp_max,temp_min,wind\n,0,25.6,14.4,3.1\n,8.1,5.0,1.1,5.2\n');
  writeFileSync(join(dir, 'data', 'filled.csv'), `date,precipitation,temp_max,temp_min,wind\n${fill},0,25.6,14.4,3.1\n${fill},8.1,5.0,1.1,5.2\n`);
  const unknown = await cli(['predict', runDir, 'data/unknown.csv', '--arm', 'merged']);
  assert.equal(unknown.code, 0, unknown.err);
  assert.equal(unknown.out, (await cli(['predict', runDir, 'data/filled.csv', '--arm', 'merged'])).out);
  // Trees put unknown dates in their missing bin.
  writeFileSync(join(dir, 'g.experiment.json'), JSON.stringify({ ...exp, arms: ['merged'], model: { type: 'gbm', trees: { iterations: 5 } } }));
  const gbm = await cli(['run', 'g.experiment.json', '--json']);
  assert.equal(gbm.code, 0, gbm.err);
  const gbmPred = await cli(['predict', join(dir, '.dataset-lab', 'runs', JSON.parse(gbm.out).runId), 'data/unknown.csv', '--arm', 'merged']);
  assert.equal(gbmPred.code, 0, gbmPred.err);
  assert.equal(gbmPred.out.trim().split('\n').length, 3);
  // A file whose "date" is not dates (in the training format) cannot feed the model: the first cell is named.
  writeFileSync(join(dir, 'data', 'bad.csv'), 'date,precipitation,temp_max,temp_min,wind\nsoon,0,25.6,14.4,3.1\nlater,8.1,5.0,1.1,5.2\n');
  const bad = await cli(['predict', runDir, 'data/bad.csv', '--arm', 'merged']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /bad\.csv:2:1: expected a date \(format %Y-%m-%d\) in column "date", found "soon": 2 of 2 values of column "date" are not dates in the format the merged model was trained on \(%Y-%m-%d\)/);
});

test('init offers only features the trainer takes: every kind of column, through the experiment it writes', async () => {
  // Dates of every shape (ISO, day-first, epoch seconds, zoned, monthly, "Mar 01 1998"), text,
  // categories and a numeric column with a typo; each file paired with a copy of itself.
  const dir = mkdtempSync(join(tmpdir(), 'dl-offer-'));
  const kinds = ['daily-gaps', 'day-first', 'epoch', 'hourly-zones', 'monthly', 'release-dates', 'reviews-a', 'temp-typo'];
  const kept: string[] = [];
  for (const k of kinds) {
    const table = await readCsvFile(fixtures('kinds', `${k}.csv`));
    const copy = { ...table, path: join(dir, `${k}-b.csv`) };
    const own = { ...table, path: join(dir, `${k}-a.csv`) };
    const label = table.columns[table.columns.length - 1].name;
    const { experiment } = scaffoldExperiment({ mode: 'merge', tables: [own, copy], labels: [label, label], outFile: join(dir, `${k}.experiment.json`) });
    const exp = resolveExperiment(JSON.parse(JSON.stringify(experiment)), join(dir, `${k}.experiment.json`));
    let prepared: ReturnType<typeof prepareSources> | undefined;
    try {
      prepared = prepareSources(exp, [own, copy]);
    } catch (e) {
      // Label problems may stop a toy file; a feature the trainer refuses must never.
      assert.doesNotMatch((e as Error).message, /feature column/, `${k}: init offered a feature the trainer refuses`);
    }
    if (prepared) {
      assert.deepEqual(prepared.features.map((f) => f.name), experiment.features, k);
      kept.push(...prepared.features.filter((f) => f.type === 'datetime').map((f) => `${k}:${f.name}`));
    }
  }
  // The date columns were offered (and taken), not left out.
  assert.deepEqual(kept.sort(), ['daily-gaps:day', 'day-first:measured', 'epoch:event_ts', 'hourly-zones:at', 'monthly:month', 'release-dates:release date'].sort());
});

test('missing dates of labelled rows are counted as imputed (accounting.imputedCells)', () => {
  // Ten labelled rows per class; rows 1 and 5 lack a date, row 2 an x, row 3 a label (and a date).
  const lines = ['when,x,y'];
  for (let i = 0; i < 20; i++) lines.push(`${i === 1 || i === 3 || i === 5 ? '' : `2020-01-${String(i + 1).padStart(2, '0')}`},${i === 2 ? '' : i},${i === 3 ? '' : 'ab'[i % 2]}`);
  const table = parseCsvText(lines.join('\n') + '\n', 'm.csv');
  const exp = resolveExperiment({ version: 1, datasets: [{ name: 'm', path: 'm.csv', label: 'y' }] }, '/w/x.experiment.json');
  const data = prepareSources(exp, [table]);
  // The unlabelled row is left out, its missing date not counted.
  assert.deepEqual(rowAccounting(data.sources[0], data.features), { droppedMissingLabel: 1, imputedRows: 3, imputedCells: { when: 2, x: 1 } });
});
