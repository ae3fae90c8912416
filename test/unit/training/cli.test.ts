// init / run / predict through the real CLI dispatcher, main() of src/cli/main.ts in this process
// (run forks dist/trainer.js: build first). Exit codes through the process entry: test/unit/cli/exitCodes.test.ts.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main';
import { captureIo } from '../helpers';

const repo = join(__dirname, '..', '..', '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'training');

async function cli(argv: string[], cwd: string) {
  const c = captureIo(cwd);
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

function ws(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dl-cli-'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(join(fixtures, 'two-class-a.csv'), join(dir, 'data', 'a.csv'));
  copyFileSync(join(fixtures, 'two-class-b.csv'), join(dir, 'data', 'b.csv'));
  return dir;
}

test('init writes shared features, tasks and arms, and never overwrites without --force', async () => {
  const dir = ws();
  const r = await cli(['init', 'merge', 'data/a.csv', 'data/b.csv', '--label', 'label', '-o', 'ab.experiment.json'], dir);
  assert.equal(r.code, 0, r.err);
  const exp = JSON.parse(readFileSync(join(dir, 'ab.experiment.json'), 'utf8'));
  assert.deepEqual(exp.datasets, [
    { name: 'a', path: 'data/a.csv', label: 'label', task: 'classification' },
    { name: 'b', path: 'data/b.csv', label: 'label', task: 'classification' },
  ]);
  assert.deepEqual(exp.features, ['x1', 'x2', 'kind', 'price']);
  // A merge experiment trains the merged arm beside its separate baseline, nothing more.
  assert.deepEqual(exp.arms, ['separate', 'merged']);
  assert.equal(exp.name, 'merged vs separate: a + b');
  writeFileSync(join(dir, 'ab.experiment.json'), '{"mine": true}');
  const again = await cli(['init', 'merge', 'data/a.csv', 'data/b.csv', '--label', 'label', '-o', 'ab.experiment.json'], dir);
  assert.equal(again.code, 2);
  assert.match(again.err, /ab\.experiment\.json already exists; add --force/);
  assert.equal(readFileSync(join(dir, 'ab.experiment.json'), 'utf8'), '{"mine": true}');
  const forced = await cli(['init', 'multihead', 'data/a.csv', 'data/b.csv', '--labels', 'label,price', '-o', 'ab.experiment.json', '--force'], dir);
  assert.equal(forced.code, 0, forced.err);
  const mh = JSON.parse(readFileSync(join(dir, 'ab.experiment.json'), 'utf8'));
  assert.deepEqual(mh.datasets.map((d: { task: string }) => d.task), ['classification', 'regression']);
  assert.deepEqual(mh.arms, ['separate', 'multihead']);
  assert.deepEqual(mh.features, ['x1', 'x2', 'kind']);
  const merge = await cli(['init', 'merge', 'data/a.csv', 'data/b.csv', '--labels', 'label,price', '-o', 'm.experiment.json'], dir);
  assert.equal(merge.code, 2);
  assert.match(merge.err, /cannot merge: the label columns differ \("label" in a, "price" in b\)/);
  const all = await cli(['init', 'all', 'data/a.csv', 'data/b.csv', '--labels', 'label,price', '-o', 'all.experiment.json'], dir);
  assert.equal(all.code, 0, all.err);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'all.experiment.json'), 'utf8')).arms, ['separate', 'multihead'], 'no merged arm for different label columns');
  assert.match(all.err, /note: no merged arm: the label columns differ \("label" in a, "price" in b\)/);
  const every = await cli(['init', 'all', 'data/a.csv', 'data/b.csv', '--label', 'label', '-o', 'every.experiment.json'], dir);
  assert.equal(every.code, 0, every.err);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'every.experiment.json'), 'utf8')).arms, ['separate', 'merged', 'multihead']);
  const missing = await cli(['init', 'merge', 'data/a.csv', 'data/b.csv', '--label', 'nope', '-o', 'n.experiment.json'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /a\.csv: label column "nope" not found/);
  const outside = await cli(['init', 'merge', 'data/a.csv', 'data/b.csv', '--label', 'label', '-o', 'data/sub/x.experiment.json'], dir);
  assert.equal(outside.code, 2);
  assert.match(outside.err, /outside .*sub; write the experiment in a folder that contains every CSV/);
});

test('run --json prints exactly results.json, and predict scores new rows with the saved model', async () => {
  const dir = ws();
  writeFileSync(
    join(dir, 'ab.experiment.json'),
    JSON.stringify({ version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'label' }, { name: 'b', path: 'data/b.csv', label: 'label' }], model: { type: 'mlp', hidden: [8] }, training: { epochs: 3 } }),
  );
  const r = await cli(['run', 'ab.experiment.json', '--json', '--arms', 'merged,multihead'], dir);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(doc.arms.map((a: { arm: string }) => a.arm), ['merged', 'multihead']);
  const runDir = join(dir, '.dataset-lab', 'runs', doc.runId);
  assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')), doc);
  for (const a of doc.arms) for (const s of ['a', 'b']) assert.equal(typeof a.bySource[s].accuracy, 'number');

  const p = await cli(['predict', runDir, 'data/b.csv', '--arm', 'merged', '-o', 'pred.csv'], dir);
  assert.equal(p.code, 0, p.err);
  const lines = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'row,prediction,probability');
  assert.equal(lines.length, 111);
  // Test rows scored by predict agree with the run's own test accuracy for dataset b.
  const split = JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8'));
  const truth = readFileSync(join(dir, 'data', 'b.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').pop());
  const predicted = lines.slice(1).map((l) => l.split(',')[1]);
  const correct = split.b.test.filter((i: number) => predicted[i] === truth[i]).length;
  assert.equal(correct / split.b.test.length, doc.arms[0].bySource.b.accuracy);

  const heads = await cli(['predict', runDir, 'data/a.csv', '--arm', 'multihead'], dir);
  assert.equal(heads.code, 0, heads.err);
  assert.equal(heads.out.split('\n')[0], 'row,prediction_a,probability_a,prediction_b,probability_b');
  writeFileSync(join(dir, 'data', 'no-x2.csv'), 'x1,kind,price\n1,u,3\n');
  const missingCol = await cli(['predict', runDir, 'data/no-x2.csv', '--arm', 'merged'], dir);
  assert.equal(missingCol.code, 2);
  assert.match(missingCol.err, /no-x2\.csv: column "x2" is missing; the merged model needs x1, x2, kind, price/);
  const bad = await cli(['predict', runDir, 'data/a.csv', '--arm', 'separate'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no separate model in this run \(it has merged, multihead\)/);
});

test('run rejects a bad experiment before starting a process, with exit code 2', async () => {
  const dir = ws();
  writeFileSync(join(dir, 'bad.experiment.json'), JSON.stringify({ version: 1, datasets: [{ name: 'a', path: '../a.csv', label: 'label' }] }));
  const r = await cli(['run', 'bad.experiment.json'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.experiment\.json at \$\.datasets\[0\]\.path: dataset "a": "\.\.\/a\.csv" resolves to .*, outside the workspace root/);
  assert.equal(existsSync(join(dir, '.dataset-lab')), false);
  const u = await cli(['run', 'bad.experiment.json', '--arms', 'stacked'], dir);
  assert.equal(u.code, 2);
  assert.match(u.err, /--arms: unknown arm "stacked"/);
});

test('a dataset name with "../" is rejected at its JSON path before anything is written outside the run folder', async () => {
  const dir = ws();
  const name = '../../../../../escaped';
  writeFileSync(
    join(dir, 'esc.experiment.json'),
    JSON.stringify({ version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'label' }, { name, path: 'data/b.csv', label: 'label' }], arms: ['separate'], model: { type: 'linear' }, training: { epochs: 1 } }),
  );
  const r = await cli(['run', 'esc.experiment.json'], dir);
  assert.equal(existsSync(join(dir, 'escaped')), false, 'model files were written outside the run folder');
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /esc\.experiment\.json at \$\.datasets\[1\]\.name: .*dataset name "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/escaped" may only contain/);
});

test('init names datasets after their files within the dataset-name rules, unique ignoring case', async () => {
  const dir = ws();
  copyFileSync(join(dir, 'data', 'a.csv'), join(dir, 'data', 'my data.csv'));
  copyFileSync(join(dir, 'data', 'b.csv'), join(dir, 'data', 'My_Data.csv'));
  copyFileSync(join(dir, 'data', 'b.csv'), join(dir, 'data', '..hidden.csv'));
  const r = await cli(['init', 'merge', 'data/my data.csv', 'data/My_Data.csv', 'data/..hidden.csv', '--label', 'label', '-o', 'x.experiment.json'], dir);
  assert.equal(r.code, 0, r.err);
  const exp = JSON.parse(readFileSync(join(dir, 'x.experiment.json'), 'utf8'));
  assert.deepEqual(exp.datasets.map((d: { name: string }) => d.name), ['my_data', 'My_Data-2', 'hidden']);
});

test('init on two text datasets keeps the text column as a feature; run trains on it, and refuses it with trees naming the column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-cli-'));
  mkdirSync(join(dir, 'data'));
  for (const f of ['reviews-a.csv', 'reviews-b.csv']) copyFileSync(join(repo, 'test', 'fixtures', 'kinds', f), join(dir, 'data', f));
  const r = await cli(['init', 'multihead', 'data/reviews-a.csv', 'data/reviews-b.csv', '--label', 'label', '-o', 'text.experiment.json'], dir);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err + r.out, /no usable feature columns/);
  assert.match(r.out + r.err, /kept "review" as a text feature/);
  const exp = JSON.parse(readFileSync(join(dir, 'text.experiment.json'), 'utf8'));
  assert.ok(exp.features.includes('review'), JSON.stringify(exp.features));
  // Ten rows per file: no validation split, a few epochs.
  writeFileSync(join(dir, 'text.experiment.json'), JSON.stringify({ ...exp, split: { test: 0.3, validation: 0 }, training: { epochs: 3 } }));
  const run = await cli(['run', 'text.experiment.json', '--json'], dir);
  assert.equal(run.code, 0, run.err);
  assert.ok(JSON.parse(run.out).features.includes('review'));
  writeFileSync(join(dir, 'text.experiment.json'), JSON.stringify({ ...exp, split: { test: 0.3, validation: 0 }, model: { type: 'gbm' } }));
  const trees = await cli(['run', 'text.experiment.json'], dir);
  assert.equal(trees.code, 2);
  assert.match(trees.err, /text\.experiment\.json at \$\.features: dataset "reviews-a", column "review": feature column "review" is free text .*text features need "model": \{"type": "mlp"\}/);
});

function linearExperiment(dir: string, datasets: object[], file = 'x.experiment.json'): string {
  writeFileSync(join(dir, file), JSON.stringify({ version: 1, datasets, arms: ['separate', 'merged'], model: { type: 'linear' }, training: { epochs: 1 } }));
  return file;
}
const abData = [
  { name: 'a', path: 'data/a.csv', label: 'label' },
  { name: 'b', path: 'data/b.csv', label: 'label' },
];

test('a dataset linked to a file outside the workspace is refused, and nothing of that file is echoed', async () => {
  const dir = ws();
  const outside = mkdtempSync(join(tmpdir(), 'dl-outside-'));
  writeFileSync(join(outside, 'secret.csv'), 'SECRET_TOKEN_4711,other\n1,2\n3,4\n');
  symlinkSync(join(outside, 'secret.csv'), join(dir, 'data', 'linked.csv'));
  const file = linearExperiment(dir, [abData[0], { name: 's', path: 'data/linked.csv', label: 'label' }]);
  const r = await cli(['run', file], dir);
  assert.doesNotMatch(r.err + r.out, /SECRET_TOKEN_4711/);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /at \$\.datasets\[1\]\.path: dataset "s": "data\/linked\.csv" resolves to .*secret\.csv through a symbolic link, outside the workspace root/);
  // init refuses the same file: the experiment it wrote could never run.
  copyFileSync(join(dir, 'data', 'a.csv'), join(outside, 'secret.csv'));
  const i = await cli(['init', 'merge', 'data/a.csv', 'data/linked.csv', '--label', 'label', '-o', 'y.experiment.json'], dir);
  assert.equal(i.code, 2, i.err);
  assert.match(i.err, /data\/linked\.csv resolves to .*secret\.csv through a symbolic link, outside .*; write the experiment in a folder that contains every CSV/);
  assert.equal(existsSync(join(dir, 'y.experiment.json')), false);
});

test('runs are never written through a link that leaves the workspace (.dataset-lab pointing elsewhere)', async () => {
  const dir = ws();
  const outside = mkdtempSync(join(tmpdir(), 'dl-outside-'));
  symlinkSync(outside, join(dir, '.dataset-lab'));
  const r = await cli(['run', linearExperiment(dir, abData)], dir);
  assert.deepEqual(readdirSync(outside), [], 'the run was written outside the workspace');
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /the run folder .*\.dataset-lab[/\\]runs resolves to .* through a symbolic link, outside the workspace root/);
});

test('predict -o and report replace a link at the output path instead of writing through it', async () => {
  const dir = ws();
  const r = await cli(['run', linearExperiment(dir, abData), '--json'], dir);
  assert.equal(r.code, 0, r.err);
  const runDir = join(dir, '.dataset-lab', 'runs', JSON.parse(r.out).runId);
  const outside = mkdtempSync(join(tmpdir(), 'dl-outside-'));
  writeFileSync(join(outside, 'victim.txt'), 'keep me\n');
  symlinkSync(join(outside, 'victim.txt'), join(dir, 'pred.csv'));
  symlinkSync(join(outside, 'victim.txt'), join(runDir, 'report.html'));
  const p = await cli(['predict', runDir, 'data/b.csv', '-o', 'pred.csv'], dir);
  assert.equal(p.code, 0, p.err);
  const rep = await cli(['report', runDir], dir);
  assert.equal(rep.code, 0, rep.err);
  assert.equal(readFileSync(join(outside, 'victim.txt'), 'utf8'), 'keep me\n');
  assert.ok(!lstatSync(join(dir, 'pred.csv')).isSymbolicLink());
  assert.match(readFileSync(join(dir, 'pred.csv'), 'utf8'), /^row,prediction/);
  assert.ok(!lstatSync(join(runDir, 'report.html')).isSymbolicLink());
});

test('predict writes class names that look like formulas as text, unless --raw', async () => {
  const dir = ws();
  // Label values an attacker chose: a formula, and negative numbers (which stay numbers).
  const src = readFileSync(join(dir, 'data', 'a.csv'), 'utf8').trim().split('\n');
  const relabel = (l: string, i: number) => (i === 0 ? l : l.replace(/,(yes|no)$/, (_m, v: string) => (v === 'yes' ? ',"=HYPERLINK(""http://evil.example"",""x"")"' : ',@SUM(1)')));
  writeFileSync(join(dir, 'data', 'evil.csv'), src.map(relabel).join('\n') + '\n');
  writeFileSync(join(dir, 'data', 'signed.csv'), src.map((l, i) => (i === 0 ? l : l.replace(/,(yes|no)$/, (_m, v: string) => (v === 'yes' ? ',-1' : ',1')))).join('\n') + '\n');
  const r = await cli(['run', linearExperiment(dir, [{ name: 'evil', path: 'data/evil.csv', label: 'label' }, { name: 'signed', path: 'data/signed.csv', label: 'label', task: 'classification' }]), '--json', '--arms', 'separate'], dir);
  assert.equal(r.code, 0, r.err);
  const runDir = join(dir, '.dataset-lab', 'runs', JSON.parse(r.out).runId);
  const p = await cli(['predict', runDir, 'data/a.csv', '-o', 'pred.csv'], dir);
  assert.equal(p.code, 0, p.err);
  const cellsOf = (text: string) =>
    new Set(text.trim().split('\n').slice(1).flatMap((l) => [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'))));
  const cells = cellsOf(readFileSync(join(dir, 'pred.csv'), 'utf8'));
  for (const c of cells) assert.ok(!/^[=+@\t\r-]/.test(c) || Number.isFinite(Number(c)), `live formula cell: ${c}`);
  assert.ok(cells.has(`'=HYPERLINK("http://evil.example","x")`) || cells.has("'@SUM(1)"), [...cells].join(' '));
  assert.ok(cells.has('-1') || cells.has('1'));
  const raw = await cli(['predict', runDir, 'data/a.csv', '--raw'], dir);
  assert.equal(raw.code, 0, raw.err);
  const rawCells = cellsOf(raw.out);
  assert.ok(rawCells.has('=HYPERLINK("http://evil.example","x")') || rawCells.has('@SUM(1)'), [...rawCells].join(' '));
});
