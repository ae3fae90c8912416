// Profile from the language server: the real server (dist/server.js over stdio) answers
// datasetLab/columnProfiles for an open document, serverProfile.ts writes it as the CLI's
// document, and it agrees with the real CLI's `profile --json` of the same file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { liveTableProfile, LIVE_PROFILE_SOURCE } from '../../../src/extension/serverProfile';
import { ColumnProfilesRequest } from '../../../src/protocol/lsp';
import { examples, fixtures, runCli } from '../helpers';
import { fileUri, TestClient } from '../server/lspClient';
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

for (const path of [fixtures('workspace', 'seattle.csv'), examples('weather', 'new-york.csv'), fixtures('csv', 'delimiter-tab.tsv'), fixtures('csv', 'all-missing-column.csv')]) {
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
  assert.equal(JSON.stringify(x.histogram.edges), JSON.stringify([4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5]));
});
