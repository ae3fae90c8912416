// Profile from the language server: the real server (dist/server.js over stdio) answers
// datasetLab/columnProfiles for an open document, serverProfile.ts writes it as the CLI's
// document, and it agrees with the real CLI's `profile --json` of the same file.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { liveTableProfile, LIVE_PROFILE_SOURCE } from '../../../src/extension/serverProfile';
import { ColumnProfilesRequest } from '../../../src/protocol/lsp';
import { examples, fixtures, runCli, tempDir } from '../helpers';
import { applyEdits, fileUri, TestClient } from '../server/lspClient';
import { assertProfilesAgree, type CliProfile } from './profileAgreement';

let client: TestClient;
before(async () => {
  ({ client } = await TestClient.start());
});
after(() => client.stop());

async function live(path: string, text = readFileSync(path, 'utf8')) {
  const uri = fileUri(path);
  await client.open(uri, text);
  await client.diagnosticsFor(uri, 1);
  const result = await client.conn.sendRequest(ColumnProfilesRequest.type, { uri });
  assert.ok(result, `the server has a model of ${path}`);
  return liveTableProfile(result, path);
}

function cli(path: string): CliProfile {
  const r = runCli(['profile', path, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as CliProfile;
}

// messy-values.csv: missing-value spellings the settings do not list (values to the CLI; they
// also turn a numeric column categorical), text in numeric columns, numbers written "1.50" and
// "007" in a categorical column, cells with spaces around them, and a ragged row.
for (const path of [fixtures('workspace', 'seattle.csv'), examples('weather', 'new-york.csv'), fixtures('csv', 'delimiter-tab.tsv'), fixtures('csv', 'all-missing-column.csv'), fixtures('csv', 'messy-values.csv')]) {
  test(`the live profile agrees with the CLI's: ${path.split('/').slice(-2).join('/')}`, async () => {
    const profile = await live(path);
    assert.ok(profile.source.startsWith(`${LIVE_PROFILE_SOURCE}: the editor's text (version 1)`), profile.source);
    assertProfilesAgree(profile, cli(path));
  });
}

test('a numeric column with one value: no standard deviation, as in the CLI', async () => {
  const profile = await live(fixtures('csv', 'one-value.csv'), 'x,y\n4.5,a\n');
  const x = profile.columns[0];
  assert.ok(x.type === 'numeric');
  assert.deepEqual([x.count, x.mean, x.std, x.min, x.max, x.quantiles[0].value], [1, 4.5, null, 4.5, 4.5, 4.5]);
  // The CLI's 20 bins, widened by 0.5 on each side as numpy.histogram does for one value.
  assert.equal(x.histogram.edges.length, 21);
  assert.deepEqual([x.histogram.edges[0], x.histogram.edges[20]], [4, 5]);
});

test('after edits, the live profile agrees with the CLI\'s profile of the edited text', async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'edited.csv');
    let text = readFileSync(fixtures('csv', 'messy-values.csv'), 'utf8');
    const uri = fileUri(path);
    await client.open(uri, text);
    await client.diagnosticsFor(uri, 1);
    // A new first row (its values now come first: ties in the top lists change order), with a
    // number written with spaces in the categorical "code" and a spelling in "score"; then one
    // category of the old first row rewritten.
    const edits = [
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '0,1.00,none,12.0,D,  9.0 ,"  new "\n' },
      { range: { start: { line: 2, character: 18 }, end: { line: 2, character: 22 } }, text: 'x1' },
    ];
    for (const [i, edit] of edits.entries()) {
      await client.change(uri, i + 2, [edit]);
      text = applyEdits(text, [{ range: edit.range, newText: edit.text }]);
    }
    await client.diagnosticsFor(uri, edits.length + 1);
    const result = await client.conn.sendRequest(ColumnProfilesRequest.type, { uri });
    assert.ok(result);
    assert.equal(result.version, edits.length + 1);
    assert.equal(text.split('\n')[2], '1,37.50,13,11.5,B,x1,"  ok "', 'the edits land where meant');
    writeFileSync(path, text);
    assertProfilesAgree(liveTableProfile(result, path), cli(path));
  } finally {
    dir.cleanup();
  }
});
