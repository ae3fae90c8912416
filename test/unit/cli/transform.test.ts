// Per-dataset transforms through the real CLI (dist/cli.js and its training child): a unit
// conversion, a rename and a label recode make two files trainable together; a syntax error and
// a missing column stop the run with one line naming the experiment, the JSON path and the data
// file; predict applies the dataset's transform to new rows.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixtures, runCli, tempDir } from '../helpers';

const dir = tempDir('dataset-lab-transform-');
after(() => dir.cleanup());

function experiment(transform: unknown[]): string {
  return JSON.stringify({
    version: 1,
    datasets: [
      { name: 'a', path: 'a.csv', label: 'weather' },
      { name: 'b', path: 'b.jsonl', label: 'sky', transform },
    ],
    features: ['temp', 'count', 'city'],
    arms: ['separate', 'merged'],
    model: { type: 'gbm', trees: { iterations: 10, minSamplesLeaf: 3 } },
  });
}

test('transforms align a second dataset, and bad ones stop the run at their JSON path', () => {
  const ws = dir.path;
  copyFileSync(fixtures('readers', 'mixed.csv'), join(ws, 'a.csv'));
  // The same rows with Fahrenheit temperatures, another label name and other label spellings.
  const lines = require('node:fs').readFileSync(fixtures('readers', 'mixed.jsonl'), 'utf8').trim().split('\n') as string[];
  const b = lines.map((l) => {
    const r = JSON.parse(l) as Record<string, unknown>;
    const { temp, weather, ...rest } = r;
    return JSON.stringify({ ...rest, temp_f: temp === null ? null : (temp as number) * 9 / 5 + 32, sky: String(weather).toUpperCase() });
  });
  writeFileSync(join(ws, 'b.jsonl'), b.join('\n') + '\n');
  const good = [{ derive: { temp: 'd => (d.temp_f - 32) * 5 / 9' } }, { recode: { sky: { SUN: 'sun', RAIN: 'rain', FOG: 'fog' } } }];
  writeFileSync(join(ws, 'good.experiment.json'), experiment(good));
  const run = runCli(['run', 'good.experiment.json', '--json'], ws);
  assert.equal(run.code, 0, run.stderr);
  const results = JSON.parse(run.stdout) as { runId: string; arms: { arm: string; bySource: Record<string, { accuracy: number }> }[] };
  // Identical rows once transformed: the merged model sees each row twice and the same classes.
  assert.deepEqual(Object.keys(results.arms[1].bySource), ['a', 'b']);
  const runDir = join(ws, '.dataset-lab', 'runs', results.runId);
  const p = runCli(['predict', runDir, 'b.jsonl', '--arm', 'separate', '--dataset', 'b'], ws);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout.trim().split('\n').length, 41, 'every row scored (filters never drop rows in predict)');

  const bad: [unknown[], RegExp][] = [
    [[{ derive: { temp: 'd => (d.temp_f - 32) * 5 /' } }], /bad\.experiment\.json at \$\.datasets\[1\]\.transform\[0\]\.derive\.temp: dataset "b": not a valid arquero expression/],
    [[{ derive: { temp: 'd => (d.temp_k - 273.15)' } }], /bad\.experiment\.json at \$\.datasets\[1\]\.transform\[0\]\.derive\.temp: dataset "b": b\.jsonl: column "temp_k" does not exist at this step \(columns: id, count, city, wet, ratio, temp_f, sky\)/],
    [[{ rename: { sky: 'weather' } }, { select: ['weather', 'nope'] }], /at \$\.datasets\[1\]\.transform\[1\]\.select\[1\]: dataset "b": b\.jsonl: column "nope" does not exist/],
  ];
  for (const [transform, message] of bad) {
    writeFileSync(join(ws, 'bad.experiment.json'), experiment(transform));
    const r = runCli(['run', 'bad.experiment.json'], ws);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
