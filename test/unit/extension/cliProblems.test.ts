// The CLI's stderr as the extension reads it, from real CLI runs: located problems and fatal errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliErrorMessage, parseCliProblems } from '../../../src/extension/cliProblems';
import { fixtures, runCli } from '../helpers';

test('a ragged row: one located problem, with the file as the CLI named it', () => {
  const file = fixtures('cli', 'ragged-row.csv');
  const r = runCli(['profile', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(parseCliProblems(r.stderr), [{ file, line: 4, column: 1, message: 'expected 3 fields, found 4; the row is skipped' }]);
});

test('a fatal error: the file at line 1, and the message without the program prefix', () => {
  for (const name of ['empty.csv', 'binary.csv']) {
    const file = fixtures('cli', name);
    const r = runCli(['profile', file]);
    assert.equal(r.code, 2, r.stderr);
    const problems = parseCliProblems(r.stderr);
    assert.equal(problems.length, 1, r.stderr);
    assert.deepEqual([problems[0].file, problems[0].line, problems[0].column], [file, 1, 1]);
    assert.equal(cliErrorMessage(r.stderr, 'fallback'), `${file}: ${problems[0].message}`);
  }
});

test('a fatal error on a .tab or .tsv file is located too; other lines are not problems', () => {
  const stderr = ['progress 50%', 'dataset-lab: /d/x.tab: the file is empty', 'dataset-lab: --label needs a value', 'dataset-lab: /d/y.TSV: cannot read'].join('\n');
  assert.deepEqual(
    parseCliProblems(stderr).map((p) => [p.file, p.message]),
    [
      ['/d/x.tab', 'the file is empty'],
      ['/d/y.TSV', 'cannot read'],
    ],
  );
  assert.equal(cliErrorMessage('no prefix here', 'fallback'), 'fallback');
});

test('a Parquet or Arrow problem (printed without a line: these files have none) is a problem at line 1; a streamed CSV problem is located', async () => {
  const fl = await import('@uwdata/flechette');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'dl-cli-problems-'));
  const when = Array.from({ length: 30 }, (_, i) => (i === 4 ? 'later' : `2020-01-${String(i + 1).padStart(2, '0')}`));
  const arrow = join(dir, 'odd.arrow');
  writeFileSync(arrow, fl.tableToIPC(fl.tableFromArrays({ when }, { types: { when: fl.utf8() } }), { format: 'file' }) as Uint8Array);
  const r = runCli(['profile', arrow, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const problems = parseCliProblems(r.stderr);
  assert.equal(problems.length, 1, r.stderr);
  assert.deepEqual([problems[0].file, problems[0].line, problems[0].column], [arrow, 1, 1]);
  assert.match(problems[0].message, /date column "when" .* \(first at row 5: "later"\)/);
  const cut = join(dir, 'cut.csv');
  writeFileSync(cut, 'a,b\n1,2\n3,"x\n');
  const streamed = runCli(['profile', cut, '--stream']);
  assert.deepEqual(parseCliProblems(streamed.stderr).map((p) => [p.file, p.line, p.column]), [[cut, 3, 1]], streamed.stderr);
});
