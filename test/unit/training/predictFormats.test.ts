// predict reads new rows as training read them: a date column in the format training inferred
// (kept in preprocessing.json), never one re-inferred from a small new file; cells that format
// cannot read are missing values (as at training) with a located warning, or an error naming the
// line, column and format when they are too many; an empty feature column is imputed as training
// imputes missing values, with a warning. Through the real CLI (run forks dist/trainer.js).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main';
import { readTable } from '../../../src/core/readers/readTable';
import { sourceColumn } from '../../../src/training/predict';
import { captureIo } from '../helpers';
import { lcg } from './tables';

async function cli(argv: string[], cwd: string) {
  const c = captureIo(cwd);
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Day-first dates (some with day > 12, so training infers %d/%m/%Y), a number and a label that follows the month and the number. */
function dayFirstLines(n: number, seed: number): string {
  const r = lcg(seed);
  const lines = ['when,x,y'];
  for (let i = 0; i < n; i++) {
    const month = 1 + Math.floor(r() * 12);
    const day = 1 + Math.floor(r() * 28);
    const x = r() * 2 - 1;
    lines.push(`${pad(day)}/${pad(month)}/2020,${x.toFixed(3)},${(month + 3 * x + (r() - 0.5) * 0.1).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

/** A workspace with a finished run of `model` on two day-first datasets; returns the folder and the run folder. */
async function trainedRun(model: object, transform?: object[]): Promise<{ dir: string; runDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dl-predict-formats-'));
  mkdirSync(join(dir, 'data'));
  // With a transform, the files call the date column "day" and the transform renames it.
  const named = (text: string) => (transform ? text.replace(/^when,/, 'day,') : text);
  writeFileSync(join(dir, 'data', 'a.csv'), named(dayFirstLines(80, 3)));
  writeFileSync(join(dir, 'data', 'b.csv'), named(dayFirstLines(60, 4)));
  const exp = {
    version: 1,
    datasets: [
      { name: 'a', path: 'data/a.csv', label: 'y', task: 'regression', ...(transform ? { transform } : {}) },
      { name: 'b', path: 'data/b.csv', label: 'y', task: 'regression', ...(transform ? { transform } : {}) },
    ],
    features: ['when', 'x'],
    arms: ['merged'],
    model,
    training: { epochs: 2 },
  };
  writeFileSync(join(dir, 'd.experiment.json'), JSON.stringify(exp));
  const run = await cli(['run', 'd.experiment.json', '--json'], dir);
  assert.equal(run.code, 0, run.err);
  return { dir, runDir: join(dir, '.dataset-lab', 'runs', JSON.parse(run.out).runId) };
}

/** The prediction of each row (CSV out of predict). */
const predictions = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[1]);

test('predict reads an all-ambiguous date column in the training format (day-first), not month-first; older runs infer with a note', async () => {
  const { dir, runDir } = await trainedRun({ type: 'linear' });
  const metaFile = join(runDir, 'models', 'merged', 'preprocessing.json');
  const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  const when = meta.preprocessing.features.find((f: { name: string }) => f.name === 'when');
  assert.equal(when.format, '%d/%m/%Y', 'the training format is kept in preprocessing.json');
  // Every date reads both ways: alone, this file would be read month-first (pandas' default).
  writeFileSync(join(dir, 'ambiguous.csv'), 'when,x\n01/02/2020,0.1\n03/04/2020,-0.2\n05/06/2020,0.3\n');
  // The same dates, day-first beyond doubt (a 13th day), and the month-first reading of the first three, in ISO.
  writeFileSync(join(dir, 'day-first.csv'), 'when,x\n01/02/2020,0.1\n03/04/2020,-0.2\n05/06/2020,0.3\n13/06/2020,0\n');
  const alone = await readTable(join(dir, 'ambiguous.csv'));
  assert.equal(alone.columns[0].type === 'datetime' && alone.columns[0].format, '%m/%d/%Y', 'inferred alone, the file is month-first');
  const read = await readTable(join(dir, 'ambiguous.csv'), { dateFormats: new Map([['when', '%d/%m/%Y']]) });
  const col = read.columns[0];
  assert.ok(col.type === 'datetime');
  // The days the model is given: 1 February, 3 April, 5 June.
  assert.deepEqual(Array.from(col.values, (v) => new Date(v).toISOString().slice(0, 10)), ['2020-02-01', '2020-04-03', '2020-06-05']);

  const ambiguous = await cli(['predict', runDir, 'ambiguous.csv'], dir);
  assert.equal(ambiguous.code, 0, ambiguous.err);
  assert.equal(ambiguous.err, '', 'no note: the training format applies');
  const dayFirst = await cli(['predict', runDir, 'day-first.csv'], dir);
  assert.equal(dayFirst.code, 0, dayFirst.err);
  assert.deepEqual(predictions(ambiguous.out), predictions(dayFirst.out).slice(0, 3));

  // A run saved before formats were kept: the format is inferred from the new file, as before, and a note says so.
  delete when.format;
  writeFileSync(metaFile, JSON.stringify(meta));
  const old = await cli(['predict', runDir, 'ambiguous.csv'], dir);
  assert.equal(old.code, 0, old.err);
  assert.match(old.err, /^note: .*ambiguous\.csv: column "when": the run did not record its training date format \(saved by an earlier version\); its dates are read in the format inferred from this file, %m\/%d\/%Y$/m);
  assert.notDeepEqual(predictions(old.out), predictions(ambiguous.out), 'month-first dates give other predictions (the model uses the date)');
});

test('dates the training format cannot read: a few are missing values with a located warning; many are an error naming line, column and format', async () => {
  const { dir, runDir } = await trainedRun({ type: 'linear' });
  // 19 good dates and one ISO date: few odd cells, read as missing (as training reads them).
  const lines = ['when,x'];
  for (let i = 0; i < 20; i++) lines.push(`${i === 7 ? '2020-02-01' : `${pad(1 + i)}/02/2020`},0.5`);
  writeFileSync(join(dir, 'one-odd.csv'), lines.join('\n') + '\n');
  const odd = await cli(['predict', runDir, 'one-odd.csv'], dir);
  assert.equal(odd.code, 0, odd.err);
  assert.match(odd.err, /one-odd\.csv:9:1: expected a date like "01\/02\/2020" \(format %d\/%m\/%Y\) in column "when", found "2020-02-01"; read as missing, imputed as training imputes missing dates/);
  // The odd row is scored as a row without a date.
  const blank = lines.map((l, i) => (i === 8 ? ',0.5' : l));
  writeFileSync(join(dir, 'blank.csv'), blank.join('\n') + '\n');
  const b = await cli(['predict', runDir, 'blank.csv'], dir);
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(predictions(odd.out), predictions(b.out));

  // Dates written another way throughout: not read as missing, refused at the first one.
  writeFileSync(join(dir, 'iso.csv'), 'x,when\n0.1,2020-02-01\n0.2,2020-04-03\n');
  const iso = await cli(['predict', runDir, 'iso.csv'], dir);
  assert.equal(iso.code, 2);
  assert.match(iso.err, /iso\.csv:2:5: expected a date \(format %d\/%m\/%Y\) in column "when", found "2020-02-01": 2 of 2 values of column "when" are not dates in the format the merged model was trained on \(%d\/%m\/%Y\); too many to read as missing/);
  // JSON Lines: the same, with the line.
  writeFileSync(join(dir, 'iso.jsonl'), '{"x": 0.1, "when": "01/02/2020"}\n{"x": 0.2, "when": "2020-04-03"}\n');
  const jsonl = await cli(['predict', runDir, 'iso.jsonl'], dir);
  assert.equal(jsonl.code, 2);
  assert.match(jsonl.err, /iso\.jsonl:2:1: "when" holds dates \(format %d\/%m\/%Y\) but this row holds "2020-04-03": 1 of 2 values of column "when" are not dates in the format the merged model was trained on/);
});

test('an empty numeric feature column is imputed with the training statistic, with a warning naming the file and column; trees too', async () => {
  const { dir, runDir } = await trainedRun({ type: 'linear' });
  const meta = JSON.parse(readFileSync(join(runDir, 'models', 'merged', 'preprocessing.json'), 'utf8'));
  const x = meta.preprocessing.features.find((f: { name: string }) => f.name === 'x');
  writeFileSync(join(dir, 'no-x.csv'), 'when,x\n01/02/2020,\n13/04/2020,\n');
  writeFileSync(join(dir, 'filled-x.csv'), `when,x\n01/02/2020,${x.fill}\n13/04/2020,${x.fill}\n`);
  const empty = await cli(['predict', runDir, 'no-x.csv'], dir);
  assert.equal(empty.code, 0, empty.err);
  assert.match(empty.err, new RegExp(`^warning: .*no-x\\.csv: column "x" is empty \\(all 2 values missing\\); the merged model imputes it with the training median ${String(x.fill).replace('.', '\\.')}, as training imputes missing values$`, 'm'));
  const filled = await cli(['predict', runDir, 'filled-x.csv'], dir);
  assert.deepEqual(predictions(empty.out), predictions(filled.out));
  // The same in JSON Lines, where the column is all null.
  writeFileSync(join(dir, 'no-x.jsonl'), '{"when": "01/02/2020", "x": null}\n{"when": "13/04/2020", "x": null}\n');
  const jsonl = await cli(['predict', runDir, 'no-x.jsonl'], dir);
  assert.equal(jsonl.code, 0, jsonl.err);
  assert.deepEqual(predictions(jsonl.out), predictions(filled.out));
  // A column of words is still refused.
  writeFileSync(join(dir, 'words.csv'), 'when,x\n01/02/2020,big\n13/04/2020,small\n');
  const words = await cli(['predict', runDir, 'words.csv'], dir);
  assert.equal(words.code, 2);
  assert.match(words.err, /words\.csv: column "x" must be numeric for the merged model/);

  const trees = await trainedRun({ type: 'gbm', trees: { iterations: 5 } });
  writeFileSync(join(trees.dir, 'no-x.csv'), 'when,x\n01/02/2020,\n13/04/2020,\n');
  const gbm = await cli(['predict', trees.runDir, 'no-x.csv'], trees.dir);
  assert.equal(gbm.code, 0, gbm.err);
  assert.match(gbm.err, /no-x\.csv: column "x" is empty \(all 2 values missing\); the merged model imputes it with the trees' branch for missing values, as in training/);
  assert.equal(predictions(gbm.out).length, 2);
});

test('a date feature a transform renames is read in the training format on the file\'s own column; the rename is traced through select and filter', async () => {
  const { dir, runDir } = await trainedRun({ type: 'linear' }, [{ rename: { day: 'when' } }, { filter: 'd => d.x > -10' }, { select: ['when', 'x', 'y'] }]);
  // Alone, these dates read month-first; the model was trained on day-first "day" renamed to "when".
  writeFileSync(join(dir, 'ambiguous.csv'), 'day,x\n01/02/2020,0.1\n03/04/2020,-0.2\n');
  writeFileSync(join(dir, 'day-first.csv'), 'day,x\n01/02/2020,0.1\n03/04/2020,-0.2\n13/06/2020,0\n');
  const p = await cli(['predict', runDir, 'ambiguous.csv'], dir);
  assert.equal(p.code, 0, p.err);
  assert.equal(p.err, '', 'no note: the training format applies to "day"');
  const dayFirst = await cli(['predict', runDir, 'day-first.csv'], dir);
  assert.equal(dayFirst.code, 0, dayFirst.err);
  assert.deepEqual(predictions(p.out), predictions(dayFirst.out).slice(0, 2));
  // Bad cells are located in the file's column, under the training format.
  writeFileSync(join(dir, 'odd.csv'), 'day,x\n01/02/2020,0.1\n2020-04-03,-0.2\n05/06/2020,0\n07/08/2020,0\n09/10/2020,0\n11/12/2020,0\n');
  const odd = await cli(['predict', runDir, 'odd.csv'], dir);
  assert.equal(odd.code, 2);
  assert.match(odd.err, /odd\.csv:3:1: expected a date like "01\/02\/2020" \(format %d\/%m\/%Y\) in column "day", found "2020-04-03": 1 of 6 values of column "day" \(the feature "when"\) are not dates in the format the merged model was trained on \(%d\/%m\/%Y\)/);
});

test('sourceColumn follows a feature back through renames and stops where a step writes it', () => {
  assert.equal(sourceColumn(undefined, 'when'), 'when');
  assert.equal(sourceColumn([{ rename: { a: 'b' } }, { rename: { b: 'when' } }], 'when'), 'a');
  assert.equal(sourceColumn([{ rename: { when: 'old' } }], 'when'), undefined, 'renamed away');
  assert.equal(sourceColumn([{ rename: { day: 'when' } }, { derive: { when: 'd => d.x' } }], 'when'), undefined, 'derived');
  assert.equal(sourceColumn([{ recode: { when: { a: 'b' } } }], 'when'), undefined, 'recoded');
  assert.equal(sourceColumn([{ derive: { other: 'd => d.when' } }, { select: ['when', 'other'] }], 'when'), 'when', 'read, not written');
});
