// Parquet, Arrow IPC and JSON Lines through the real CLI (dist/cli.js, a child process), alone
// and mixed with CSV: profile, compare, init, run (the training child) and predict read them
// like CSV; bad files end in one line naming the file and exit code 2, never a stack.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixtures, runCli, tempDir } from '../helpers';

const fx = (name: string) => fixtures('readers', name);
const dir = tempDir('dataset-lab-formats-');
after(() => dir.cleanup());

test('profile --json gives the same statistics for the CSV and every typed copy of the table', () => {
  const csv = runCli(['profile', fx('mixed.csv'), '--json']);
  assert.equal(csv.code, 0, csv.stderr);
  const expected = JSON.parse(csv.stdout) as { rows: number; columns: unknown[] };
  for (const file of ['mixed.snappy.parquet', 'mixed.gzip.parquet', 'mixed.feather', 'mixed.jsonl']) {
    const r = runCli(['profile', fx(file), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const got = JSON.parse(r.stdout) as { rows: number; columns: unknown[] };
    assert.equal(got.rows, expected.rows, file);
    assert.deepEqual(got.columns, expected.columns, file);
  }
});

test('compare mixes CSV, Parquet and JSON Lines in one comparison', () => {
  const r = runCli(['compare', fx('mixed.csv'), fx('mixed.zstd.parquet'), fx('mixed.jsonl'), '--label', 'weather', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { datasets: { path: string; rows: number }[] };
  assert.deepEqual(report.datasets.map((d) => d.rows), [40, 40, 40]);
});

test('bad files: one line naming the file, exit code 2', () => {
  const cases: [string, RegExp][] = [
    ['truncated.parquet', /^dataset-lab: .*truncated\.parquet: not a Parquet file \(it must start and end with the bytes "PAR1"\)\n$/],
    ['garbage.parquet', /^dataset-lab: .*garbage\.parquet: not a readable Parquet file \(.+\)\n$/],
    ['lzo.parquet', /^dataset-lab: .*lzo\.parquet: column "id" is compressed with LZO, which Dataset Lab cannot read/],
  ];
  for (const [file, message] of cases) {
    for (const argv of [['profile', fx(file)], ['compare', fx('mixed.csv'), fx(file)]]) {
      const r = runCli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  }
  const messy = runCli(['profile', fx('messy.jsonl')]);
  assert.equal(messy.code, 0);
  assert.match(messy.stderr, /messy\.jsonl:5:1: not valid JSON/);
});

test('init, run and predict on a Parquet and a CSV dataset; predict on Arrow and JSON Lines', () => {
  const ws = dir.path;
  mkdirSync(join(ws, 'data'), { recursive: true });
  copyFileSync(fx('mixed.csv'), join(ws, 'data', 'a.csv'));
  copyFileSync(fx('mixed.zstd.parquet'), join(ws, 'data', 'b.parquet'));
  copyFileSync(fx('mixed.arrow'), join(ws, 'data', 'new.arrow'));
  copyFileSync(fx('mixed.jsonl'), join(ws, 'data', 'new.jsonl'));
  const init = runCli(['init', 'merge', 'data/a.csv', 'data/b.parquet', '--label', 'weather', '-o', 'ab.experiment.json'], ws);
  assert.equal(init.code, 0, init.stderr);
  const exp = JSON.parse(readFileSync(join(ws, 'ab.experiment.json'), 'utf8')) as { datasets: { path: string }[]; features: string[]; training?: object };
  assert.deepEqual(exp.datasets.map((d) => d.path), ['data/a.csv', 'data/b.parquet']);
  assert.ok(exp.features.includes('temp') && exp.features.includes('city'), exp.features.join(','));
  writeFileSync(join(ws, 'ab.experiment.json'), JSON.stringify({ ...exp, arms: ['separate', 'merged'], training: { epochs: 2 } }));
  const run = runCli(['run', 'ab.experiment.json', '--json'], ws);
  assert.equal(run.code, 0, run.stderr);
  const results = JSON.parse(run.stdout) as { runId: string; datasets: Record<string, { rows: number }> };
  assert.equal(results.datasets.b.rows, 40);
  const runDir = join(ws, '.dataset-lab', 'runs', results.runId);
  for (const file of ['data/new.arrow', 'data/new.jsonl', 'data/b.parquet']) {
    const p = runCli(['predict', runDir, file, '--arm', 'merged'], ws);
    assert.equal(p.code, 0, p.stderr);
    const lines = p.stdout.trim().split('\n');
    assert.equal(lines[0], 'row,prediction,probability');
    assert.equal(lines.length, 41, file);
  }
});

test('a bad date cell in an Arrow file is reported by file and row (these files have no lines), a CSV cell by line and column', async () => {
  const fl = await import('@uwdata/flechette');
  const when = ['2020-01-01', '2020-01-02', 'soon', '2020-01-04', '2020-01-05', '2020-01-06', '2020-01-07', '2020-01-08', '2020-01-09', '2020-01-10', '2020-01-11', '2020-01-12', '2020-01-13', '2020-01-14', '2020-01-15', '2020-01-16', '2020-01-17', '2020-01-18', '2020-01-19', '2020-01-20', '2020-01-21'];
  const arrow = join(dir.path, 'odd-date.arrow');
  writeFileSync(arrow, fl.tableToIPC(fl.tableFromArrays({ when, n: when.map((_, i) => i) }, { types: { when: fl.utf8(), n: fl.int32() } }), { format: 'file' }) as Uint8Array);
  const a = runCli(['profile', arrow, '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /^[^\n]*odd-date\.arrow: 1 value\(s\) of date column "when" are not dates in its format %Y-%m-%d \(first at row 3: "soon"\); read as missing\n$/);
  assert.doesNotMatch(a.stderr, /arrow:1:1/);
  const csv = join(dir.path, 'odd-date.csv');
  writeFileSync(csv, `when,n\n${when.map((w, i) => `${w},${i}`).join('\n')}\n`);
  const c = runCli(['profile', csv, '--json']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /odd-date\.csv:4:1: /);
});
