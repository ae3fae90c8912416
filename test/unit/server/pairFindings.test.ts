// Findings that were noise (issue 16): outliers of a column that mixes two groups, drift noted on
// both files of a pair, label warnings where different labels are expected, and missing labels
// that went unsaid. The real server over stdio, on real files in a temporary workspace.
import { strict as assert } from 'node:assert';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, type CodeAction, type Command, type Diagnostic, type Range } from 'vscode-languageserver-protocol';
import { findModes } from '../../../src/server/modes';
import { tempDir } from '../helpers';
import { FIXTURES, TestClient, applyEdits, fileUri, repoRoot } from './lspClient';

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

describe('every finding of a pair once, on one file, pointing at the partner', () => {
  // site-a.csv is listed first: temp_max,wind,city,weather (cities Olympia, Seattle, Tacoma;
  // weather drizzle, fog, rain, sun); site-b.csv: temp_maximum,wind,city,weather (Seattle,
  // Tacoma; sun, rain). One experiment, a merged arm: label values matter.
  const root = path.join(FIXTURES, 'paired');
  const aUri = fileUri(path.join(root, 'site-a.csv'));
  const bUri = fileUri(path.join(root, 'site-b.csv'));
  const aText = readFileSync(path.join(root, 'site-a.csv'), 'utf8');
  const bText = readFileSync(path.join(root, 'site-b.csv'), 'utf8');
  const PAIR_CODES = ['partner-missing-column', 'partner-missing-category', 'partner-missing-label', 'drift'];
  const pairFindings = (ds: Diagnostic[]) => ds.filter((d) => PAIR_CODES.includes(String(d.code)));
  /** The header cell of `name` in a file's first line. */
  const cell = (text: string, name: string): Range => {
    const header = text.split('\n')[0];
    const at = `,${header},`.indexOf(`,${name},`);
    assert.ok(at >= 0, `${name} not in ${header}`);
    return { start: { line: 0, character: at }, end: { line: 0, character: at + name.length } };
  };
  const actionsFor = async (uri: string, d: Diagnostic) =>
    ((await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) ?? []).filter((a): a is CodeAction => !('command' in a && typeof (a as Command).command === 'string'));
  let client: TestClient;
  let driftOnA = 0;
  before(async () => {
    ({ client } = await TestClient.start({ workspace: root }));
  });
  after(async () => {
    await client.stop();
  });

  it('alone, the second file reports the pair, pointing at the first', async () => {
    await client.open(bUri, bText);
    const ds = await client.diagnosticsFor(bUri, 1);
    const column = byCode(ds, 'partner-missing-column');
    assert.deepEqual(
      column.map((d) => [d.range, d.message, d.relatedInformation?.map((r) => [r.location.uri, r.location.range, r.message])]),
      [[cell(bText, 'temp_maximum'), 'column "temp_maximum" is not in partner "a" (site-a.csv); did you mean "temp_max" (names are 80% alike)?', [[aUri, cell(aText, 'temp_max'), '"temp_max" in "a" (site-a.csv)']]]],
    );
    // What the first file has and this one lacks is said here while the first is closed.
    const category = byCode(ds, 'partner-missing-category');
    assert.deepEqual(
      category.map((d) => [d.range, d.message, d.relatedInformation?.[0].location]),
      [[cell(bText, 'city'), '1 value(s) of "city" in partner "a" (site-a.csv) never occur in this file: "Olympia"', { uri: aUri, range: cell(aText, 'city') }]],
    );
    const label = byCode(ds, 'partner-missing-label');
    assert.equal(label.length, 1);
    assert.match(label[0].message, /^2 label value\(s\) of "weather" in partner "a" \(site-a\.csv\) are not labels in this file \("weather"\): "(drizzle|fog)", "(drizzle|fog)"$/);
    assert.deepEqual(label[0].relatedInformation?.[0].location, { uri: aUri, range: cell(aText, 'weather') });
    // The rename fix works both ways from here too.
    const titles = (await actionsFor(bUri, column[0])).map((a) => a.title);
    assert.ok(titles.includes('Rename column "temp_maximum" to "temp_max" (as in the partner)'), titles.join('; '));
    assert.ok(titles.includes('Rename column "temp_max" in site-a.csv to "temp_maximum"'), titles.join('; '));
  });

  it('with both open, the first file reports every finding of the pair and the second none', async () => {
    await client.open(aUri, aText);
    const a = await client.diagnosticsFor(aUri, 1);
    const b = await client.diagnostics(bUri, (p) => pairFindings(p.diagnostics).length === 0);
    assert.deepEqual(pairFindings(b), []);
    const column = byCode(a, 'partner-missing-column');
    assert.deepEqual(
      column.map((d) => [d.range, d.relatedInformation?.map((r) => [r.location.uri, r.location.range])]),
      [[cell(aText, 'temp_max'), [[bUri, cell(bText, 'temp_maximum')]]]],
    );
    assert.deepEqual(
      byCode(a, 'partner-missing-category').map((d) => [d.message, d.relatedInformation?.[0].location]),
      [['1 value(s) of "city" never occur in partner "b" (site-b.csv): "Olympia"', { uri: bUri, range: cell(bText, 'city') }]],
    );
    assert.deepEqual(byCode(a, 'partner-missing-label').map((d) => d.relatedInformation?.[0].location), [{ uri: bUri, range: cell(bText, 'weather') }]);
    const drift = byCode(a, 'drift');
    assert.ok(drift.length > 0);
    driftOnA = drift.length;
    for (const d of drift) assert.equal(d.relatedInformation?.[0].location.uri, bUri);

    // The quick fixes: rename here, rename in the partner (its header cell), exclude in the experiment.
    const actions = await actionsFor(aUri, column[0]);
    const here = actions.find((x) => x.title === 'Rename column "temp_max" to "temp_maximum" (as in the partner)');
    assert.deepEqual(here?.edit?.changes, { [aUri]: [{ range: cell(aText, 'temp_max'), newText: 'temp_maximum' }] });
    const there = actions.find((x) => x.title === 'Rename column "temp_maximum" in site-b.csv to "temp_max"');
    assert.deepEqual(there?.edit?.changes, { [bUri]: [{ range: cell(bText, 'temp_maximum'), newText: 'temp_max' }] });
    assert.ok(actions.some((x) => x.title === 'Exclude column "temp_max" in the experiment'));
    for (const code of ['partner-missing-category', 'partner-missing-label']) {
      const d = byCode(a, code)[0];
      const column = code === 'partner-missing-category' ? 'city' : 'weather';
      const exclude = (await actionsFor(aUri, d)).find((x) => x.title === `Exclude column "${column}" in the experiment`);
      assert.ok(exclude?.edit?.changes?.[fileUri(path.join(root, 'pair.experiment.json'))], code);
    }
    // Applied to the partner, the finding is gone from both files.
    const renamed = applyEdits(bText, there!.edit!.changes![bUri]);
    await client.change(bUri, 2, [{ text: renamed }]);
    await client.diagnostics(aUri, (p) => !p.diagnostics.some((d) => d.code === 'partner-missing-column'));
    assert.deepEqual(byCode(await client.diagnosticsFor(bUri, 2), 'partner-missing-column'), []);
    await client.change(bUri, 3, [{ text: bText }]);
    await client.diagnostics(aUri, (p) => p.diagnostics.some((d) => d.code === 'partner-missing-column'));
  });

  it('values each side lacks are one finding, and the partner rename fix follows the partner\'s unsaved edits', async () => {
    // Portland only in b (edited, not saved), Olympia only in a; b gains a first column, so temp_maximum moves.
    const edited = bText.replace('temp_maximum,', 'tmax_x,temp_maximum,').replace(/\n(?=.)/g, '\n0,') + '0,12.0,10.0,Portland,sun\n';
    // The finding as the editor holds it before the edit: its recorded cell of b is stale.
    const stale = byCode(client.published.get(aUri)?.diagnostics ?? [], 'partner-missing-column')[0];
    assert.deepEqual(stale.data?.partner?.range, cell(bText, 'temp_maximum'));
    await client.change(bUri, 4, [{ text: edited }]);
    const a = await client.diagnostics(aUri, (p) => p.diagnostics.some((d) => d.code === 'partner-missing-category' && d.message.includes('Portland')));
    assert.deepEqual(
      byCode(a, 'partner-missing-category').map((d) => d.message),
      ['1 value(s) of "city" never occur in partner "b" (site-b.csv): "Olympia"; 1 value(s) of "city" in partner "b" (site-b.csv) never occur in this file: "Portland"'],
    );
    assert.deepEqual(pairFindings(await client.diagnosticsFor(bUri, 4)).map((d) => d.code), ['partner-missing-column'], 'b reports only its own extra column');
    // The partner's header cell of temp_maximum moved: the fix edits where it is now, also when
    // asked with the finding made before the edit.
    const there = (await actionsFor(aUri, stale)).find((x) => x.title === 'Rename column "temp_maximum" in site-b.csv to "temp_max"');
    assert.deepEqual(there?.edit?.changes, { [bUri]: [{ range: cell(edited, 'temp_maximum'), newText: 'temp_max' }] });
    await client.change(bUri, 5, [{ text: bText }]);
    await client.diagnosticsFor(bUri, 5);
  });

  it('when the first file closes, the second reports the pair again', async () => {
    await client.close(aUri);
    const b = await client.diagnostics(bUri, (p) => p.diagnostics.some((d) => d.code === 'partner-missing-label'));
    for (const code of ['partner-missing-column', 'partner-missing-category', 'partner-missing-label']) assert.equal(byCode(b, code).length, 1, code);
    assert.equal(byCode(b, 'drift').length, driftOnA, 'the same drifted columns, now on b');
    for (const d of pairFindings(b)) assert.equal(d.relatedInformation?.[0].location.uri, aUri);
  });
});
