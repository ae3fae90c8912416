// Experiment files and cross-dataset checks through the real server over stdio.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, CodeLensRequest, HoverRequest, type Diagnostic, type Range } from 'vscode-languageserver-protocol';
import { PairingsRequest } from '../../../src/protocol/lsp';
import { runCli, tempDir } from '../helpers';
import { FIXTURES, TestClient, fileUri } from './lspClient';

/** The range of the first occurrence of `needle` in a text (which has no multi-line needles). */
function rangeOf(text: string, needle: string, from = 0): Range {
  const offset = text.indexOf(needle, from);
  assert.ok(offset >= 0, `${needle} not in fixture`);
  const before = text.slice(0, offset).split('\n');
  const line = before.length - 1;
  const character = before[line].length;
  return { start: { line, character }, end: { line, character: character + needle.length } };
}
const byCode = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);

describe('language server: experiment files', () => {
  const root = path.join(FIXTURES, 'experiments');
  const file = path.join(root, 'broken.experiment.json');
  const uri = fileUri(file);
  const text = readFileSync(file, 'utf8');
  let client: TestClient;
  let ds: Diagnostic[];
  before(async () => {
    ({ client } = await TestClient.start({ workspace: root }));
    await client.open(uri, text, 'json');
    ds = await client.diagnosticsFor(uri, 1);
  });
  after(async () => {
    await client.stop();
  });

  it('reports JSON Schema errors on the offending value', () => {
    const schema = byCode(ds, 'experiment-schema');
    const find = (m: RegExp) => schema.find((d) => m.test(d.message));
    assert.deepEqual(find(/^version: must be 1$/)?.range, rangeOf(text, '2', text.indexOf('"version"')));
    assert.deepEqual(find(/^split\.test: must be < 1$/)?.range, rangeOf(text, '1.5'));
    assert.deepEqual(find(/unknown property "colour"/)?.range, rangeOf(text, '"colour"'));
    assert.deepEqual(find(/^datasets\[3\]\.task: "clasification" is not one of "classification", "regression"$/)?.range, rangeOf(text, '"clasification"'));
    assert.equal(schema.length, 4);
  });

  it('reports missing files and paths outside the workspace', () => {
    assert.deepEqual(byCode(ds, 'experiment-missing-file').map((d) => d.range), [rangeOf(text, '"missing.csv"')]);
    const outside = byCode(ds, 'experiment-outside-workspace');
    assert.deepEqual(outside.map((d) => d.range), [rangeOf(text, '"../paired/site-a.csv"')]);
    assert.match(outside[0].message, /outside the workspace/);
  });

  it('reports unknown columns with "did you mean" and offers the fix', async () => {
    const unknown = byCode(ds, 'experiment-unknown-column');
    assert.deepEqual(
      unknown.map((d) => [d.message, d.range]),
      [
        ['column "scor" is not in local.csv; did you mean "score"?', rangeOf(text, '"scor"')],
        ['column "scroe" is not in local.csv; did you mean "score"?', rangeOf(text, '"scroe"')],
      ],
    );
    const actions = await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: unknown[0].range, context: { diagnostics: [unknown[0]] } });
    const fix = actions?.find((a) => 'edit' in a && a.title === 'Change to "score"');
    assert.ok(fix && 'edit' in fix);
    assert.deepEqual(fix.edit?.changes?.[uri], [{ range: rangeOf(text, '"scor"'), newText: '"score"' }]);
  });

  it('reports labels that do not fit the task or the merged arm', () => {
    const label = byCode(ds, 'experiment-label-type');
    const regression = label.find((d) => /task "regression" needs a numeric label/.test(d.message));
    assert.deepEqual(regression?.range, rangeOf(text, '"kind"'));
    const merged = label.find((d) => /merged arm needs labels of one kind/.test(d.message));
    assert.ok(merged, 'the merged arm mixes a regression and a classification label');
    assert.match(merged.message, /local: regression, .*loc2: classification/);
    assert.equal(merged.range.start.line, 2);
  });
});

describe('language server: across paired datasets', () => {
  const root = path.join(FIXTURES, 'paired');
  const aFile = path.join(root, 'site-a.csv');
  const aUri = fileUri(aFile);
  const aText = readFileSync(aFile, 'utf8');
  const expUri = fileUri(path.join(root, 'pair.experiment.json'));
  const expText = readFileSync(path.join(root, 'pair.experiment.json'), 'utf8');
  let client: TestClient;
  let ds: Diagnostic[];
  before(async () => {
    ({ client } = await TestClient.start({ workspace: root }));
    await client.open(aUri, aText);
    ds = await client.diagnosticsFor(aUri, 1);
  });
  after(async () => {
    await client.stop();
  });

  const header = (name: string) => rangeOf(aText, name);

  it('reports a column the partner lacks, with its likely match', () => {
    const d = byCode(ds, 'partner-missing-column');
    assert.equal(d.length, 1);
    assert.deepEqual(d[0].range, header('temp_max'));
    assert.equal(d[0].severity, 2);
    assert.match(d[0].message, /^column "temp_max" is not in partner "b" \(site-b\.csv\); did you mean "temp_maximum"/);
  });

  it('reports categories and label values the partner lacks', () => {
    const cat = byCode(ds, 'partner-missing-category');
    assert.deepEqual(cat.map((d) => d.range), [header('city')]);
    assert.match(cat[0].message, /1 value\(s\) of "city" never occur in partner "b" \(site-b\.csv\): "Olympia"/);
    const lab = byCode(ds, 'partner-missing-label');
    assert.deepEqual(lab.map((d) => d.range), [header('weather')]);
    assert.match(lab[0].message, /2 label value\(s\) of "weather" are not labels of partner "b" .*"drizzle", "fog"/);
  });

  it('reports drifted features from the comparison engine', () => {
    const drift = byCode(ds, 'drift');
    const wind = drift.find((d) => d.range.start.character === header('wind').start.character);
    assert.ok(wind, `wind drifts: ${JSON.stringify(drift.map((d) => d.message))}`);
    assert.deepEqual(wind.range, header('wind'));
    assert.match(wind.message, /^"wind" drifted from partner "b" \(site-b\.csv\): KS statistic 1\.000, p = .* < 0\.05 \(40 vs 40 values\)$/);
  });

  it('hovers a header cell with both profiles and the drift statistics', async () => {
    const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: aUri }, position: { line: 0, character: header('wind').start.character + 1 } });
    assert.ok(h && typeof h.contents === 'object' && 'value' in h.contents);
    const md = h.contents.value;
    assert.match(md, /\*\*wind\*\* · numeric · 40 rows/);
    assert.match(md, /Partner "b"/);
    assert.match(md, /\*\*drift\*\*: KS statistic 1\.000/);
    assert.match(md, /`[▁▂▃▄▅▆▇█ ]{10}`/);
    assert.deepEqual(h.range, header('wind'));
  });

  it('puts "Compare with..." and "Profile" lenses on the header line', async () => {
    const lenses = await client.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: aUri } });
    assert.deepEqual(
      lenses?.map((l) => [l.command?.command, l.command?.arguments]),
      [
        ['datasetLab.compareWith', [aUri, [fileUri(path.join(root, 'site-b.csv'))]]],
        ['datasetLab.profile', [aUri]],
      ],
    );
    assert.equal(lenses?.[0].range.start.line, 0);
  });

  it('offers renaming to the partner name and excluding the column in the experiment', async () => {
    const d = byCode(ds, 'partner-missing-column')[0];
    const actions = (await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: aUri }, range: d.range, context: { diagnostics: [d] } })) ?? [];
    const rename = actions.find((a) => a.title === 'Rename column "temp_max" to "temp_maximum" (as in the partner)');
    assert.ok(rename && 'edit' in rename);
    assert.deepEqual(rename.edit?.changes?.[aUri], [{ range: header('temp_max'), newText: 'temp_maximum' }]);
    const exclude = actions.find((a) => a.title === 'Exclude column "temp_max" in the experiment');
    assert.ok(exclude && 'edit' in exclude);
    const edits = exclude.edit?.changes?.[expUri];
    assert.ok(edits && edits.length === 1);
    // Applying the edit gives valid JSON with the column excluded for dataset "a" only.
    const lines = expText.split('\n');
    const e = edits[0];
    const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    const updated = expText.slice(0, offset(e.range.start)) + e.newText + expText.slice(offset(e.range.end));
    const json = JSON.parse(updated) as { datasets: { exclude?: string[] }[] };
    assert.deepEqual(json.datasets[0].exclude, ['temp_max']);
    assert.equal(json.datasets[1].exclude, undefined);
  });

  it('offers adding a missing-value spelling to the tokens as a command', async () => {
    const d: Diagnostic = { range: header('wind'), message: 'x', code: 'missing-spelling', source: 'dataset-lab', data: { column: 'wind', value: 'n/a' } };
    const actions = (await client.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: aUri }, range: d.range, context: { diagnostics: [d] } })) ?? [];
    const add = actions.find((a) => a.title === 'Add "n/a" to the missing-value tokens');
    assert.ok(add && 'command' in add);
    assert.deepEqual(add.command, { title: 'Add "n/a" to the missing-value tokens', command: 'datasetLab.addMissingToken', arguments: ['n/a'] });
  });

  it('re-checks against the partner after an edit: renaming the column clears the finding', async () => {
    const r = header('temp_max');
    await client.change(aUri, 2, [{ range: r, text: 'temp_maximum' }]);
    const after = await client.diagnosticsFor(aUri, 2);
    assert.equal(byCode(after, 'partner-missing-column').length, 0);
    assert.equal(byCode(after, 'partner-missing-label').length, 1);
    await client.change(aUri, 3, [{ range: { start: r.start, end: { line: 0, character: r.start.character + 'temp_maximum'.length } }, text: 'temp_max' }]);
    assert.equal(byCode(await client.diagnosticsFor(aUri, 3), 'partner-missing-column').length, 1);
  });

  it('updates a file\'s findings when its open partner is edited', async () => {
    const bFile = path.join(root, 'site-b.csv');
    const bUri = fileUri(bFile);
    const bText = readFileSync(bFile, 'utf8');
    await client.open(bUri, bText);
    await client.diagnosticsFor(bUri, 1);
    // Give the partner the labels it lacked: a's "partner-missing-label" must go away.
    const lines = bText.split('\n');
    const last = lines.length - 1; // the empty line after the final line break
    await client.change(bUri, 2, [{ range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } }, text: '12.0,10.0,Seattle,drizzle\n13.0,11.0,Olympia,fog\n' }]);
    await client.diagnosticsFor(bUri, 2);
    const a = await client.diagnostics(aUri, (p) => !p.diagnostics.some((d) => d.code === 'partner-missing-label'));
    assert.equal(byCode(a, 'partner-missing-category').length, 0, 'Olympia now occurs in b');
    // Closed without saving: the file on disk is the partner again.
    await client.close(bUri);
    await client.diagnostics(aUri, (p) => p.diagnostics.some((d) => d.code === 'partner-missing-label'));
  });

  it('answers which experiments pair a file', async () => {
    const r = await client.conn.sendRequest(PairingsRequest.type, { uri: aUri });
    assert.deepEqual(r.experiments.map((e) => [e.uri, e.datasets.map((d) => d.name)]), [[expUri, ['a', 'b']]]);
  });
});

/**
 * The trainer's objections to an experiment file: `dataset-lab run` validates it first and stops
 * there. JSON path -> messages, without the dataset the CLI names before a message (formatIssue).
 */
function trainerIssues(experiment: string, root: string): Map<string, string[]> {
  const r = runCli(['run', experiment, '--root', root]);
  assert.notEqual(r.code, 0, 'the trainer refuses the experiment');
  const issues = new Map<string, string[]>();
  for (const m of r.stderr.matchAll(/ at (\$\.\S+): (?:dataset "[^"]*": )?(.*)$/gm)) issues.set(m[1], [...(issues.get(m[1]) ?? []), m[2]]);
  assert.ok(issues.size > 0, r.stderr);
  return issues;
}

describe('language server: experiment files, as the trainer sees them', () => {
  const dir = tempDir();
  const ws = path.join(dir.path, 'workspace');
  const elsewhere = path.join(dir.path, 'elsewhere');
  const rows = (header: string, row: (i: number) => string) => [header, ...Array.from({ length: 24 }, (_, i) => row(i))].join('\n') + '\n';
  let client: TestClient;
  before(async () => {
    mkdirSync(ws);
    mkdirSync(elsewhere);
    writeFileSync(path.join(ws, 'inside.csv'), rows('y,hidden_incom', (i) => `${i % 2},${1000 + i}`));
    // Outside the workspace, reached through a link inside it: its column names and values must not show.
    writeFileSync(path.join(elsewhere, 'private.csv'), rows('hidden_income,hidden_zip', (i) => `${5000 + i * 7},Z${(i % 3) * 111}`));
    symlinkSync(path.join(elsewhere, 'private.csv'), path.join(ws, 'linked.csv'));
    ({ client } = await TestClient.start({ workspace: ws }));
  });
  after(async () => {
    await client.stop();
    dir.cleanup();
  });

  it('reports bad dataset names with the trainer\'s words, once each', async () => {
    const file = path.join(ws, 'names.experiment.json');
    const names = ['bad/name', 'con', 'x'.repeat(65), '.hidden', 'fine'];
    const text = JSON.stringify({ version: 1, datasets: names.map((name) => ({ name, path: 'inside.csv', label: 'y' })) }, null, 2);
    writeFileSync(file, text);
    const uri = fileUri(file);
    await client.open(uri, text, 'json');
    const ds = await client.diagnosticsFor(uri, 1);
    const trainer = trainerIssues(file, ws);
    names.forEach((name, i) => {
      const range = rangeOf(text, JSON.stringify(name));
      const here = ds.filter((d) => d.range.start.line === range.start.line && d.range.start.character === range.start.character);
      const expected = trainer.get(`$.datasets[${i}].name`) ?? [];
      assert.deepEqual(here.map((d) => d.code), expected.map(() => 'experiment-schema'), `${name}: ${JSON.stringify(here.map((d) => d.message))}`);
      here.forEach((d, k) => {
        assert.deepEqual(d.range, range);
        assert.equal(d.message, `datasets[${i}].name: ${expected[k]}`);
      });
    });
    assert.equal(trainer.get('$.datasets[4].name'), undefined, 'a good name passes both');
  });

  it('reports a dataset linked from outside the workspace as outside, and shows nothing of it', async () => {
    const file = path.join(ws, 'linked.experiment.json');
    const text = JSON.stringify(
      {
        version: 1,
        datasets: [
          { name: 'inside', path: 'inside.csv', label: 'y' },
          { name: 'linked', path: 'linked.csv', label: 'hidden_incme', features: ['hidden_zp'] },
        ],
        features: ['hidden_incom'],
      },
      null,
      2,
    );
    writeFileSync(file, text);
    const uri = fileUri(file);
    await client.open(uri, text, 'json');
    const expDs = await client.diagnosticsFor(uri, 1);
    const outside = byCode(expDs, 'experiment-outside-workspace');
    assert.deepEqual(outside.map((d) => d.range), [rangeOf(text, '"linked.csv"')]);
    assert.deepEqual(outside.map((d) => d.message), trainerIssues(file, ws).get('$.datasets[1].path'));
    assert.match(outside[0].message, /through a symbolic link/);
    // The open CSV file that the experiment pairs with the linked one: its checks and hovers.
    const csvUri = fileUri(path.join(ws, 'inside.csv'));
    await client.open(csvUri, readFileSync(path.join(ws, 'inside.csv'), 'utf8'));
    const csvDs = await client.diagnosticsFor(csvUri, 1);
    const hovers = await Promise.all(
      [0, 3].map((character) => client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: csvUri }, position: { line: 0, character } })),
    );
    const shown = [...expDs, ...csvDs].map((d) => d.message).concat(hovers.map((h) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '')));
    for (const secret of ['hidden_income', 'hidden_zip', 'Z111', 'Z222', '5007']) {
      assert.deepEqual(shown.filter((m) => m.includes(secret)), [], `"${secret}" of the file outside the workspace is shown`);
    }
  });
});
