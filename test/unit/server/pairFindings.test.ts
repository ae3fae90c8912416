// Findings that were noise (issue 16): outliers of a column that mixes two groups, drift noted on
// both files of a pair, label warnings where different labels are expected, and missing labels
// that went unsaid. The real server over stdio, on real files in a temporary workspace.
import { strict as assert } from 'node:assert';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { findModes } from '../../../src/server/modes';
import { tempDir } from '../helpers';
import { TestClient, fileUri, repoRoot } from './lspClient';

const byCode = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);

interface ModesReference {
  values: number[];
  modes: { count: number; median: number; mad: number; outliers: { value: number; z: number }[] }[];
  wholeColumnOutliers: number;
}
/** numpy's medians, MADs and robust z per group: test/reference/server/modes.py. */
const modesRef = JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'reference', 'server', 'modes.json'), 'utf8')) as ModesReference;

describe('outliers within modes', () => {
  it('finds the two groups of a mixed column, each with its own median and MAD (numpy)', () => {
    const modes = findModes(modesRef.values);
    assert.deepEqual(
      modes.map((m) => [m.count, m.median, m.mad]),
      modesRef.modes.map((m) => [m.count, m.median, m.mad]),
    );
    // One hump, a few extreme values: one mode (they stay outliers of it).
    const unimodal = [...Array.from({ length: 200 }, (_, i) => 50 + ((i * 37) % 21) - 10), 400, 410, 420];
    assert.equal(findModes(unimodal).length, 1);
    // A long right tail (precipitation-like) is one mode too.
    assert.equal(findModes(Array.from({ length: 500 }, (_, i) => Math.round(-10 * Math.log(1 - (i + 0.5) / 500)))).length, 1);
  });

  it('flags only the extreme value of the larger-valued group, not the whole group', async () => {
    const dir = tempDir();
    const { client } = await TestClient.start({ workspace: dir.path });
    try {
      const file = path.join(dir.path, 'mixed.csv');
      const text = ['x', ...modesRef.values.map(String)].join('\n') + '\n';
      writeFileSync(file, text);
      const uri = fileUri(file);
      await client.open(uri, text);
      const ds = byCode(await client.diagnosticsFor(uri, 1), 'outlier');
      // Judged against the whole column, numpy flags the 40 values of the second group and the 300.
      assert.equal(modesRef.wholeColumnOutliers, 41);
      const expected = modesRef.modes.flatMap((m) => m.outliers);
      assert.deepEqual(
        ds.map((d) => Number(text.split('\n')[d.range.start.line])),
        expected.map((o) => o.value),
      );
      const z = Number(/robust z = (-?[\d.]+)/.exec(ds[0].message)?.[1]);
      assert.ok(Math.abs(z - expected[0].z) <= 0.005, `z ${z} vs numpy ${expected[0].z}`);
      assert.match(ds[0].message, /within its mode \(the column has 2 modes; this one holds 41 values, 100 and above: median 110, MAD 5;/);
    } finally {
      await client.stop();
      dir.cleanup();
    }
  });
});

describe('pair findings: once per pair, only where they apply, and missing labels', () => {
  const dir = tempDir();
  const penguins = path.join(repoRoot(), 'examples', 'penguins');
  const biscoe = path.join(dir.path, 'biscoe.csv');
  const dream = path.join(dir.path, 'dream.csv');
  const bUri = fileUri(biscoe);
  const dUri = fileUri(dream);
  const experiment = (labels: [string, string], arms: string[]) =>
    JSON.stringify({
      version: 1,
      name: 'islands',
      datasets: [
        { name: 'biscoe', path: 'biscoe.csv', label: labels[0] },
        { name: 'dream', path: 'dream.csv', label: labels[1] },
      ],
      arms,
    });
  let client: TestClient;
  before(async () => {
    copyFileSync(path.join(penguins, 'biscoe.csv'), biscoe);
    copyFileSync(path.join(penguins, 'dream.csv'), dream);
  });
  after(async () => {
    await client?.stop();
    dir.cleanup();
  });

  const start = async (labels: [string, string], arms: string[]) => {
    await client?.stop();
    writeFileSync(path.join(dir.path, 'islands.experiment.json'), experiment(labels, arms));
    ({ client } = await TestClient.start({ workspace: dir.path }));
  };

  it('warns of label values the partner lacks only when a merged arm learns one label from both', async () => {
    // Species on both islands, merged: Gentoo (Biscoe only) is a class the merged model meets on one side.
    await start(['species', 'species'], ['separate', 'merged']);
    const text = readFileSync(biscoe, 'utf8');
    await client.open(bUri, text);
    let ds = await client.diagnosticsFor(bUri, 1);
    assert.equal(byCode(ds, 'partner-missing-label').length, 1);
    assert.match(byCode(ds, 'partner-missing-label')[0].message, /"Gentoo"/);
    // Multi-head: each head has its own classes.
    await start(['species', 'species'], ['separate', 'multihead']);
    await client.open(bUri, text);
    ds = await client.diagnosticsFor(bUri, 1);
    assert.deepEqual(byCode(ds, 'partner-missing-label'), []);
    // Different label columns (species, sex), even with a merged arm listed: different targets.
    await start(['species', 'sex'], ['separate', 'merged', 'multihead']);
    await client.open(bUri, text);
    ds = await client.diagnosticsFor(bUri, 1);
    assert.deepEqual(byCode(ds, 'partner-missing-label'), []);
  });

  it('flags each row whose label is missing', async () => {
    await start(['sex', 'sex'], ['separate', 'multihead']);
    const text = readFileSync(biscoe, 'utf8');
    await client.open(bUri, text);
    const ds = byCode(await client.diagnosticsFor(bUri, 1), 'missing-label');
    // Lines 72, 112, 150, 162 and 165 of the file (1-based) have no sex.
    assert.deepEqual(
      ds.map((d) => d.range.start.line + 1),
      [72, 112, 150, 162, 165],
    );
    assert.equal(ds[0].severity, 2);
    assert.match(ds[0].message, /^the label "sex" is missing: training leaves this row out \(5 of 168 rows have no label\)$/);
  });

  it('reports drift once, on the first file, pointing at the partner; on the partner when the first is closed', async () => {
    await start(['species', 'species'], ['separate', 'merged']);
    const bText = readFileSync(biscoe, 'utf8');
    const dText = readFileSync(dream, 'utf8');
    await client.open(dUri, dText);
    // Alone, the second file reports the pair's drift itself.
    const alone = byCode(await client.diagnosticsFor(dUri, 1), 'drift');
    assert.ok(alone.length > 0, 'dream alone reports drift');
    await client.open(bUri, bText);
    const first = byCode(await client.diagnosticsFor(bUri, 1), 'drift');
    assert.deepEqual(
      first.map((d) => d.message.split(':')[0]).sort(),
      alone.map((d) => d.message.split(':')[0].replace('from partner "biscoe" (biscoe.csv)', 'from partner "dream" (dream.csv)')).sort(),
    );
    // Each points at the partner's header cell of the same column.
    for (const d of first) {
      const rel = d.relatedInformation?.[0];
      assert.equal(rel?.location.uri, dUri);
      const column = /^"([^"]+)"/.exec(d.message)?.[1] ?? '';
      const header = dText.split('\n')[0];
      assert.deepEqual(rel?.location.range, { start: { line: 0, character: header.indexOf(column) }, end: { line: 0, character: header.indexOf(column) + column.length } });
    }
    // The second file now leaves the pair's drift to the first.
    await client.diagnostics(dUri, (p) => !p.diagnostics.some((d) => d.code === 'drift'));
    await client.close(bUri);
    await client.diagnostics(dUri, (p) => p.diagnostics.some((d) => d.code === 'drift'));
  });
});
