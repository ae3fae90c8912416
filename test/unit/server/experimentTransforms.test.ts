// `transform` in experiment files, checked by the real server over stdio: parse errors and
// missing columns at the step's JSON path (range on the offending value), label and features
// judged by the columns after the transform, a Parquet dataset left unread (the server reads
// CSV/TSV only), and expressions parsed but never evaluated (an expression that would write a
// file, were it run, leaves no file).
import { strict as assert } from 'node:assert';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { tempDir } from '../helpers';
import { TestClient, fileUri } from './lspClient';

describe('language server: experiment transforms', () => {
  const dir = tempDir('dataset-lab-server-transform-');
  const file = path.join(dir.path, 't.experiment.json');
  const marker = path.join(dir.path, 'evaluated.txt');
  const text = JSON.stringify(
    {
      version: 1,
      datasets: [
        {
          name: 'a',
          path: 'a.csv',
          label: 'sky',
          features: ['temp_c', 'wind'],
          transform: [{ rename: { weather: 'sky' } }, { derive: { temp_c: 'd => (d.temp_f - 32) * 5 / 9', bad: 'd => d.temp_f *' } }, { filter: 'd => d.nope > 0' }],
        },
        {
          name: 'b',
          path: 'b.parquet',
          label: 'sky',
          transform: [{ derive: { x: `d => require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')` } }, { select: ['x'], rename: { a: 'b' } }],
        },
      ],
    },
    null,
    2,
  );
  let client: TestClient;
  let ds: Diagnostic[];
  before(async () => {
    writeFileSync(path.join(dir.path, 'a.csv'), 'temp_f,wind,weather\n50,3,sun\n68,4,rain\n');
    writeFileSync(path.join(dir.path, 'b.parquet'), 'not parquet at all');
    writeFileSync(file, text);
    ({ client } = await TestClient.start({ workspace: dir.path }));
    await client.open(fileUri(file), text, 'json');
    ds = await client.diagnosticsFor(fileUri(file), 1);
  });
  after(async () => {
    await client.stop();
    dir.cleanup();
  });
  const at = (needle: string) => {
    const offset = text.indexOf(needle);
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };

  it('reports parse errors and missing columns at the step, with the trainer\'s words', () => {
    const t = ds.filter((d) => d.code === 'experiment-transform');
    const byMessage = (re: RegExp) => t.find((d) => re.test(d.message));
    const parse = byMessage(/^datasets\[0\]\.transform\[1\]\.derive\.bad: not a valid arquero expression/);
    assert.ok(parse, JSON.stringify(t.map((d) => d.message)));
    assert.deepEqual(parse.range.start, at('"d => d.temp_f *"'));
    assert.ok(byMessage(/^datasets\[1\]\.transform\[0\]\.derive\.x: not a valid arquero expression: Invalid/), 'require() is refused by the parser');
    assert.ok(byMessage(/^datasets\[1\]\.transform\[1\]: each step is an object with exactly one of/));
    // Column checks need the parsed steps of the whole list: dataset a's has a parse error, so
    // only b's... which is Parquet, and not read. Nothing else.
    assert.equal(t.length, 3, JSON.stringify(t.map((d) => d.message)));
    assert.ok(!ds.some((d) => d.code === 'experiment-unreadable-file'), 'the Parquet dataset is not read as CSV');
    assert.equal(existsSync(marker), false, 'no expression was evaluated');
  });

  it('judges label and features by the columns after the transform', async () => {
    const fixed = text.replace('"d => d.temp_f *"', '"d => d.temp_f * 2"');
    await client.change(fileUri(file), 2, [{ text: fixed }]);
    const after2 = await client.diagnosticsFor(fileUri(file), 2);
    const messages = after2.map((d) => `${d.code}: ${d.message}`);
    assert.ok(messages.some((m) => /^experiment-transform: datasets\[0\]\.transform\[2\]\.filter: column "nope" does not exist at this step \(columns: temp_f, wind, sky, temp_c, bad\)/.test(m)), messages.join('\n'));
    assert.ok(!messages.some((m) => /experiment-unknown-column/.test(m)), `sky and temp_c exist after the transform: ${messages.join('\n')}`);
  });
});
