import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DATASET_NAME_PATTERN, EXPERIMENT_KEYS, ExperimentError, loadExperiment, resolveExperiment } from '../../../src/training/experiment';

const ds = [
  { name: 'a', path: 'data/a.csv', label: 'y' },
  { name: 'b', path: 'data/b.csv', label: 'y' },
];

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ExperimentError, String(e));
    return e.issues;
  }
  assert.fail('expected an ExperimentError');
}

test('a minimal experiment gets every default, with paths resolved against its folder', () => {
  const exp = resolveExperiment({ version: 1, datasets: ds }, '/w/exp/x.experiment.json');
  assert.equal(exp.root, '/w/exp');
  assert.equal(exp.name, 'x');
  assert.equal(exp.datasets[0].absPath, '/w/exp/data/a.csv');
  assert.deepEqual(exp.arms, ['separate', 'merged', 'multihead']);
  assert.equal(exp.preprocessing.scaling, 'standard');
  assert.deepEqual(exp.split, { test: 0.2, validation: 0.1, seed: 42 });
  assert.equal(exp.model.type, 'mlp');
  assert.deepEqual(exp.training.earlyStopping, { patience: 10, restoreBestWeights: true });
});

test('every problem is reported with its JSON path, not just the first', () => {
  const issues = issuesOf(() =>
    resolveExperiment(
      {
        version: 2,
        datasets: [{ name: 'a', path: 'a.csv' }, { name: 'a', path: 'b.csv', label: 'y', task: 'ranking' }],
        arms: ['merged', 'stacked'],
        preprocessing: { scaling: 'zscore' },
        training: { epochs: 0, learningRate: -1, earlyStopping: { patience: 1.5 } },
        extra: true,
      },
      'x.experiment.json',
    ),
  );
  const paths = issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    '$.arms[1]',
    '$.datasets[0].label',
    '$.datasets[1].name',
    '$.datasets[1].task',
    '$.extra',
    '$.preprocessing.scaling',
    '$.training.earlyStopping.patience',
    '$.training.epochs',
    '$.training.learningRate',
    '$.version',
  ]);
  assert.ok(issues.every((i) => i.file === 'x.experiment.json'));
  const msg = new ExperimentError(issues).message;
  assert.match(msg, /x\.experiment\.json at \$\.preprocessing\.scaling: must be one of "standard", "minmax", "robust", "none", got "zscore"/);
  assert.match(msg, /dataset "a": duplicate dataset name "a"/);
});

test('dataset paths may not escape the workspace root', () => {
  const up = issuesOf(() => resolveExperiment({ version: 1, datasets: [{ name: 'a', path: '../secret.csv', label: 'y' }] }, '/w/exp/x.experiment.json'));
  assert.equal(up[0].path, '$.datasets[0].path');
  assert.equal(up[0].dataset, 'a');
  assert.match(up[0].message, /outside the workspace root \/w\/exp/);
  const abs = issuesOf(() => resolveExperiment({ version: 1, datasets: [{ name: 'a', path: '/etc/passwd', label: 'y' }] }, '/w/exp/x.experiment.json'));
  assert.match(abs[0].message, /"\/etc\/passwd" resolves to \/etc\/passwd, outside/);
  const sneaky = issuesOf(() => resolveExperiment({ version: 1, datasets: [{ name: 'a', path: 'data/../../x.csv', label: 'y' }] }, '/w/exp/x.experiment.json'));
  assert.equal(sneaky.length, 1);
  // An explicit, wider root allows the parent folder; an absolute path inside it is fine too.
  const ok = resolveExperiment({ version: 1, datasets: [{ name: 'a', path: '../shared/a.csv', label: 'y' }, { name: 'b', path: '/w/b.csv', label: 'y' }] }, '/w/exp/x.experiment.json', { root: '/w' });
  assert.equal(ok.datasets[0].absPath, '/w/shared/a.csv');
  assert.equal(ok.datasets[1].absPath, '/w/b.csv');
});

test('multihead with a linear model and impossible splits are rejected', () => {
  const issues = issuesOf(() => resolveExperiment({ version: 1, datasets: ds, model: { type: 'linear' }, split: { test: 0.6, validation: 0.5 } }, 'x.json'));
  assert.deepEqual(
    issues.map((i) => `${i.path}: ${i.message}`),
    [
      '$.split: test + validation must leave rows for training (got 0.6 + 0.5)',
      '$.arms: the multihead arm needs an MLP (a shared trunk); with "model.type": "linear" use separate and merged only',
    ],
  );
});

test('unreadable and malformed files name the file and the line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-exp-'));
  mkdirSync(join(dir, 'data'));
  const missing = issuesOf(() => loadExperiment(join(dir, 'nope.experiment.json')));
  assert.match(missing[0].message, /cannot read the experiment file \(ENOENT\)/);
  const bad = join(dir, 'bad.experiment.json');
  writeFileSync(bad, '{\n  "version": 1,\n  "datasets": [,]\n}\n');
  const parse = issuesOf(() => loadExperiment(bad));
  assert.equal(parse[0].file, bad);
  assert.match(parse[0].message, /not valid JSON \(line 3, column 16: ValueExpected\)/);
});

test('the JSON Schema lists exactly the properties the validator accepts, and every bundled example is valid', () => {
  const repo = join(__dirname, '..', '..', '..', '..');
  const schema = JSON.parse(readFileSync(join(repo, 'schemas', 'experiment.schema.json'), 'utf8'));
  const keys = (o: { properties: object }) => Object.keys(o.properties).sort();
  const p = schema.properties;
  assert.deepEqual(keys(schema), [...EXPERIMENT_KEYS.$].sort());
  assert.deepEqual(keys(p.datasets.items), [...EXPERIMENT_KEYS.dataset].sort());
  for (const section of ['preprocessing', 'split', 'merged', 'multihead', 'model', 'training', 'evaluation'] as const) {
    assert.deepEqual(keys(p[section]), [...EXPERIMENT_KEYS[section]].sort(), section);
    assert.equal(p[section].additionalProperties, false);
  }
  assert.deepEqual(keys(p.training.properties.earlyStopping), [...EXPERIMENT_KEYS.earlyStopping].sort());
  // Defaults in the schema are the ones the validator fills in.
  const d = resolveExperiment({ version: 1, datasets: ds }, '/w/x.experiment.json');
  assert.equal(p.preprocessing.properties.scaling.default, d.preprocessing.scaling);
  assert.equal(p.preprocessing.properties.numericImpute.default, d.preprocessing.numericImpute);
  assert.equal(p.split.properties.test.default, d.split.test);
  assert.equal(p.split.properties.validation.default, d.split.validation);
  assert.equal(p.model.properties.l2.default, d.model.l2);
  assert.deepEqual(p.model.properties.hidden.default, d.model.hidden);
  assert.equal(p.training.properties.epochs.default, d.training.epochs);
  assert.equal(p.training.properties.learningRate.default, d.training.learningRate);
  assert.equal(p.training.properties.earlyStopping.properties.patience.default, d.training.earlyStopping.patience);
  assert.equal(p.evaluation.properties.method.default, d.evaluation.method);
  assert.equal(p.evaluation.properties.folds.default, d.evaluation.folds);
  assert.equal(p.evaluation.properties.confidence.default, d.evaluation.confidence);
  assert.equal(p.evaluation.properties.bootstrap.default, d.evaluation.bootstrap);
  const examples = readdirSync(join(repo, 'examples')).filter((f) => f.endsWith('.experiment.json'));
  assert.ok(examples.length >= 3);
  for (const f of examples) {
    const exp = loadExperiment(join(repo, 'examples', f));
    for (const dset of exp.datasets) assert.ok(existsSync(dset.absPath), `${f}: ${dset.path}`);
  }
});

test('dataset names are limited to a safe character set and unique ignoring case, each reported at its JSON path', () => {
  // Names become folders (models/separate/<name>); "../" would write model files anywhere.
  const bad = ['../../escape', 'a/b', '..', '.hidden', 'x y', 'tab\tname', 'ends.', 'con', 'NUL.txt', 'é', 'x'.repeat(65)];
  for (const name of bad) {
    const issues = issuesOf(() => resolveExperiment({ version: 1, datasets: [{ name: 'ok', path: 'a.csv', label: 'y' }, { name, path: 'b.csv', label: 'y' }] }, '/w/x.experiment.json'));
    assert.deepEqual(issues.map((i) => i.path), ['$.datasets[1].name'], JSON.stringify(name));
    assert.match(issues[0].message, /dataset name .* may only contain letters, digits, "\.", "_" and "-"|reserved device name/, JSON.stringify(name));
  }
  // Two names that would share a folder on a case-insensitive file system.
  const dup = issuesOf(() => resolveExperiment({ version: 1, datasets: [{ name: 'Seattle', path: 'a.csv', label: 'y' }, { name: 'seattle', path: 'b.csv', label: 'y' }] }, '/w/x.experiment.json'));
  assert.deepEqual(dup.map((i) => i.path), ['$.datasets[1].name']);
  assert.match(dup[0].message, /"seattle" differs from "Seattle" \(\$\.datasets\[0\]\.name\) only in letter case/);
  for (const name of ['a', 'new-york', 'x_y', 'v1.2', 'A9', 'x'.repeat(64)]) {
    assert.equal(resolveExperiment({ version: 1, datasets: [{ name, path: 'a.csv', label: 'y' }] }, '/w/x.experiment.json').datasets[0].name, name);
  }
});

test('the JSON Schema carries the validator\'s dataset-name pattern', () => {
  const repo = join(__dirname, '..', '..', '..', '..');
  const schema = JSON.parse(readFileSync(join(repo, 'schemas', 'experiment.schema.json'), 'utf8'));
  assert.equal(schema.properties.datasets.items.properties.name.pattern, DATASET_NAME_PATTERN);
  assert.equal(schema.properties.datasets.items.properties.name.maxLength, 64);
});

test('dataset paths are confined after resolving symbolic links (files, folders, dangling links; a linked root is itself)', () => {
  const base = mkdtempSync(join(tmpdir(), 'dl-link-'));
  const ws = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(join(ws, 'data'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.csv'), 'x,y\n1,2\n');
  writeFileSync(join(ws, 'data', 'a.csv'), 'x,y\n1,2\n');
  symlinkSync(join(outside, 'secret.csv'), join(ws, 'data', 'file-link.csv'));
  symlinkSync(outside, join(ws, 'dir-link'));
  symlinkSync(join(outside, 'not-yet.csv'), join(ws, 'dangling.csv'));
  symlinkSync(join(ws, 'data', 'a.csv'), join(ws, 'inside-link.csv'));
  const datasets = [
    { name: 'a', path: 'data/file-link.csv', label: 'y' },
    { name: 'b', path: 'dir-link/secret.csv', label: 'y' },
    { name: 'c', path: 'dangling.csv', label: 'y' },
    { name: 'd', path: 'inside-link.csv', label: 'y' },
    { name: 'e', path: 'data/a.csv', label: 'y' },
  ];
  const issues = issuesOf(() => resolveExperiment({ version: 1, datasets }, join(ws, 'x.experiment.json')));
  assert.deepEqual(issues.map((i) => i.path), ['$.datasets[0].path', '$.datasets[1].path', '$.datasets[2].path']);
  assert.match(issues[0].message, /"data\/file-link\.csv" resolves to .*outside[/\\]secret\.csv through a symbolic link, outside the workspace root/);
  assert.match(issues[2].message, /not-yet\.csv through a symbolic link, outside/);
  // The same workspace reached through a link to it: links inside it are fine.
  symlinkSync(ws, join(base, 'ws-link'));
  const ok = resolveExperiment({ version: 1, datasets: datasets.slice(3) }, join(base, 'ws-link', 'x.experiment.json'));
  assert.deepEqual(ok.datasets.map((d) => d.name), ['d', 'e']);
});

test('evaluation: holdout by default; cv and repeated-cv with their folds and repeats; every mistake named by its JSON path', () => {
  const d = resolveExperiment({ version: 1, datasets: ds, split: { seed: 9 } }, '/w/x.experiment.json');
  assert.deepEqual(d.evaluation, { method: 'holdout', folds: 5, repeats: 1, confidence: 0.95, bootstrap: 2000, seed: 9 });
  const cv = resolveExperiment({ version: 1, datasets: ds, evaluation: { method: 'cv', folds: 10 } }, '/w/x.experiment.json');
  assert.deepEqual([cv.evaluation.method, cv.evaluation.folds, cv.evaluation.repeats], ['cv', 10, 1]);
  const rcv = resolveExperiment({ version: 1, datasets: ds, evaluation: { method: 'repeated-cv' } }, '/w/x.experiment.json');
  assert.deepEqual([rcv.evaluation.folds, rcv.evaluation.repeats], [5, 3]);
  const issues = issuesOf(() =>
    resolveExperiment({ version: 1, datasets: ds, evaluation: { method: 'kfold', folds: 1, confidence: 1, bootstrap: 10, extra: true } }, '/w/x.experiment.json'),
  );
  assert.deepEqual(
    issues.map((i) => `${i.path}: ${i.message}`),
    [
      '$.evaluation.extra: unknown property "extra" (allowed: method, folds, repeats, confidence, bootstrap, seed)',
      '$.evaluation.method: must be one of "holdout", "cv", "repeated-cv", got "kfold"',
      '$.evaluation.folds: must be >= 2, got 1',
      '$.evaluation.confidence: must be < 1, got 1',
      '$.evaluation.bootstrap: must be >= 200, got 10',
      '$.evaluation.folds: folds and repeats apply to "method": "cv" or "repeated-cv"; holdout uses split.test',
    ],
  );
  const repeats = issuesOf(() => resolveExperiment({ version: 1, datasets: ds, evaluation: { method: 'cv', repeats: 3 } }, '/w/x.experiment.json'));
  assert.deepEqual(repeats.map((i) => i.path), ['$.evaluation.repeats']);
  assert.match(repeats[0].message, /use "method": "repeated-cv"/);
});
