// Text features through the real CLI (main() of src/cli/main.ts; `run` forks dist/trainer.js:
// build first): training on text and numeric features mixed, what a run folder saves, that
// every fitted statistic comes from the training split alone, and predict on new rows.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tokenize } from '../../../../src/core/text/tokens';
import { cli, csvOf, makeRows, readJson, readRows, textExperiment, textWorkspace } from './textData';

interface SavedText {
  layout: { dense: number; columns: { name: string; encoder: string }[] };
  columns: { name: string; vocabulary: string[]; idf: number[]; documents: number }[];
}

test('text and numeric features train together; vocabularies, idf and scalers come from the training split only', async () => {
  // Every row carries a token of its own ("uniq<dataset><row>"): a token of a validation or test
  // row can only reach a vocabulary if that row was read when fitting.
  const dir = textWorkspace({ extraA: (i) => `uniqa${i}`, extraB: (i) => `uniqb${i}` });
  const file = textExperiment(dir, { text: { encoder: 'bag', maxVocabulary: 100000 } });
  const r = await cli(['run', file, '--json'], dir);
  assert.equal(r.code, 0, r.err);
  const results = JSON.parse(r.out);
  assert.deepEqual(results.features, ['text', 'n']);
  for (const arm of results.arms) for (const m of Object.values(arm.bySource) as { accuracy: number }[]) assert.ok(m.accuracy > 0.8, `${arm.arm}: ${JSON.stringify(arm.bySource)}`);
  const runDir = join(dir, '.dataset-lab', 'runs', results.runId);
  const split = readJson<Record<string, { train: number[]; validation: number[]; test: number[] }>>(runDir, 'split.json');
  const data = { a: readRows(join(dir, 'data', 'a.csv')), b: readRows(join(dir, 'data', 'b.csv')) };
  const models: [string, string[]][] = [['separate/a', ['a']], ['separate/b', ['b']], ['merged', ['a', 'b']], ['multihead', ['a', 'b']]];
  for (const [id, sources] of models) {
    const folder = join(runDir, 'models', ...id.split('/'));
    assert.deepEqual(readdirSync(folder).sort(), ['encoder.bin', 'model.json', 'preprocessing.json', 'text.json', 'weights.bin']);
    const saved = readJson<SavedText>(folder, 'text.json');
    const meta = readJson<{ preprocessing: { features: { name: string; center: number; scale: number }[] } }>(folder, 'preprocessing.json');
    const trainRows = sources.flatMap((s) => split[s].train.map((k) => data[s as 'a' | 'b'][k]));
    const heldOut = sources.flatMap((s) => [...split[s].validation, ...split[s].test].map((k) => data[s as 'a' | 'b'][k]));
    const trainTokens = new Set(trainRows.flatMap((row) => tokenize(row.text)));
    const vocab = new Set(saved.columns[0].vocabulary);
    // Every training token is in (the cap is above their number), and nothing else.
    assert.deepEqual([...vocab].sort(), [...trainTokens].sort(), id);
    const leaked = heldOut.flatMap((row) => tokenize(row.text)).filter((t) => t.startsWith('uniq') && vocab.has(t));
    assert.deepEqual(leaked, [], `${id}: held-out tokens in the vocabulary`);
    assert.equal(saved.columns[0].documents, trainRows.length, id);
    // idf as scikit-learn's smooth idf over the training cells.
    const df = (t: string) => trainRows.filter((row) => tokenize(row.text).includes(t)).length;
    for (const t of ['the', 'goal', `uniq${sources[0]}${split[sources[0]].train[0]}`]) {
      const k = saved.columns[0].vocabulary.indexOf(t);
      if (k < 0) continue;
      assert.ok(Math.abs(saved.columns[0].idf[k] - (Math.log((1 + trainRows.length) / (1 + df(t))) + 1)) < 1e-9, `${id}: idf of ${t}`);
    }
    // The numeric feature's standardisation: the training rows' mean and (population) spread.
    const n = trainRows.map((row) => Number(row.n));
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    const sd = Math.sqrt(n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length);
    const fitted = meta.preprocessing.features.find((f) => f.name === 'n');
    assert.ok(fitted && Math.abs(fitted.center - mean) < 1e-9 && Math.abs(fitted.scale - sd) < 1e-9, `${id}: ${JSON.stringify(fitted)} vs ${mean}, ${sd}`);
    assert.equal(saved.layout.dense, 1);
    assert.deepEqual(saved.layout.columns.map((c) => c.name), ['text']);
  }

  // predict packs new rows with the saved vocabulary and scores them per head.
  writeFileSync(join(dir, 'new.csv'), csvOf([{ text: 'great excellent love wonderful', label: '', n: 0.5 }, { text: 'storm rain snow wind cloud', label: '', n: 2.5 }], ['text', 'n']));
  const p = await cli(['predict', runDir, 'new.csv', '--arm', 'multihead'], dir);
  assert.equal(p.code, 0, p.err);
  const lines = p.out.trim().split('\n');
  assert.equal(lines[0], 'row,prediction_a,probability_a,prediction_b,probability_b');
  assert.match(lines[1], /^1,good,/);
  assert.match(lines[2], /^2,(bad|good),[0-9.]+,weather,/);
  const missing = await cli(['predict', runDir, 'data/b.csv', '--arm', 'multihead'], dir);
  assert.equal(missing.code, 0, missing.err);
  writeFileSync(join(dir, 'nontext.csv'), 'n\n1\n');
  const noText = await cli(['predict', runDir, 'nontext.csv', '--arm', 'multihead'], dir);
  assert.equal(noText.code, 2);
  assert.match(noText.err, /column "text" is missing; the multihead model/);
});

test('the conv encoder and the mean-pooled bag train and predict', async () => {
  const dir = textWorkspace({ rows: 150 });
  for (const text of [{ encoder: 'conv', embedding: 16, filters: 16, kernelSize: 2, maxTokens: 24 }, { encoder: 'bag', pooling: 'mean', embedding: 16 }]) {
    const file = textExperiment(dir, { text, arms: ['multihead'], features: ['text'], training: { epochs: 12, batchSize: 16, learningRate: 0.02, earlyStopping: { patience: 4 } } });
    const r = await cli(['run', file, '--json'], dir);
    assert.equal(r.code, 0, r.err);
    const results = JSON.parse(r.out);
    const mh = results.arms[0];
    for (const [name, m] of Object.entries(mh.bySource) as [string, { accuracy: number }][]) assert.ok(m.accuracy > 0.7, `${text.encoder}/${name}: ${m.accuracy}`);
    const runDir = join(dir, '.dataset-lab', 'runs', results.runId);
    const p = await cli(['predict', runDir, 'data/b.csv'], dir);
    assert.equal(p.code, 0, p.err);
    const rows = readRows(join(dir, 'data', 'b.csv'));
    const predicted = p.out.trim().split('\n').slice(1).map((l) => l.split(',')[3]);
    const agree = predicted.filter((v, i) => v === rows[i].label).length / rows.length;
    assert.ok(agree > 0.7, `${text.encoder}: predictions agree with ${agree} of the labels`);
  }
});

test('text settings are checked with their JSON paths', async () => {
  const dir = textWorkspace({ rows: 20 });
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ encoder: 'lstm' }, /at \$\.text\.encoder: must be one of "bag", "conv", "pretrained", "layers", got "lstm"/],
    [{ maxVocabulary: 1 }, /at \$\.text\.maxVocabulary: must be an integer from 2 to 1000000, got 1/],
    [{ encoder: 'pretrained' }, /at \$\.text\.model: "encoder": "pretrained" needs "model"/],
    [{ encoder: 'bag', model: 'x' }, /at \$\.text\.model: applies to "encoder": "pretrained" or "layers" only/],
    [{ tokenizer: 'wordpiece' }, /at \$\.text\.tokenizerFile: "tokenizer": "wordpiece" with a scratch encoder needs "tokenizerFile"/],
    [{ encoder: 'layers', model: '../outside' }, /at \$\.text\.model: .*outside.*model and tokenizer files must stay inside it/],
    [{ colour: 1 }, /at \$\.text\.colour: unknown property "colour"/],
    [{ encoder: 'layers', model: 'encoder', unfreeze: 'gradual' }, /at \$\.text\.unfreeze: must be "all" \(every layer at once after freezeEpochs\) or \{"everyEpochs": K\} \(the top layer first, one more layer every K epochs\), got "gradual"/],
    [{ encoder: 'layers', model: 'encoder', unfreeze: { everyEpochs: 0 } }, /at \$\.text\.unfreeze\.everyEpochs: must be an integer from 1 to 100000, got 0/],
    [{ encoder: 'layers', model: 'encoder', unfreeze: {} }, /at \$\.text\.unfreeze\.everyEpochs: is required/],
    [{ encoder: 'layers', model: 'encoder', unfreeze: { every: 2, everyEpochs: 2 } }, /at \$\.text\.unfreeze\.every: unknown property "every" \(allowed: everyEpochs\)/],
    [{ unfreeze: { everyEpochs: 2 } }, /at \$\.text\.unfreeze: applies to "encoder": "layers" only \(this encoder is "bag"\)/],
  ];
  for (const [text, expected] of cases) {
    const file = textExperiment(dir, { text });
    const r = await cli(['run', file], dir);
    assert.equal(r.code, 2, JSON.stringify(text));
    assert.match(r.err, expected);
  }
});

test('a small and unbalanced text set: rows without any token and one repeated text still train', async () => {
  const dir = textWorkspace({ rows: 60 });
  const rows = makeRows(['good', 'bad'], 60, 5).map((r, i) => (i % 3 === 0 ? { ...r, text: '' } : i % 3 === 1 ? { ...r, text: '!!! ... ???' } : r));
  writeFileSync(join(dir, 'data', 'a.csv'), csvOf(rows));
  const file = textExperiment(dir, { arms: ['separate'], training: { epochs: 2 } });
  const r = await cli(['run', file, '--json'], dir);
  assert.equal(r.code, 0, r.err);
});

test('a text run lists per-class F1 per dataset and arm, as results.json has it', async () => {
  const dir = textWorkspace({ rows: 90 });
  const file = textExperiment(dir, { arms: ['separate', 'multihead'], training: { epochs: 3 } });
  const r = await cli(['run', file], dir);
  assert.equal(r.code, 0, r.err);
  const runId = /^Run (\S+) /.exec(r.out)?.[1] as string;
  const results = readJson<{ textFeatures: string[]; arms: { arm: string; bySource: Record<string, { perClass: Record<string, { f1: number; support: number }> }> }[] }>(dir, '.dataset-lab', 'runs', runId, 'results.json');
  assert.deepEqual(results.textFeatures, ['text']);
  const lines = r.out.split('\n');
  const at = lines.indexOf('per-class F1 (text features: text):');
  assert.ok(at > 0, r.out);
  assert.match(lines[at + 1], /^dataset\s+class\s+separate F1\s+multihead F1\s+test rows$/);
  const rows = lines.slice(at + 2, at + 7).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows.map((c) => `${c[0]}/${c[1]}`).sort(), ['a/bad', 'a/good', 'b/money', 'b/sport', 'b/weather']);
  for (const [source, cls, separate, multihead, support] of rows) {
    const [sep, mh] = ['separate', 'multihead'].map((arm) => results.arms.find((a) => a.arm === arm)?.bySource[source].perClass[cls]);
    assert.equal(separate, (sep?.f1 as number).toFixed(3), `${source}/${cls}`);
    assert.equal(multihead, (mh?.f1 as number).toFixed(3), `${source}/${cls}`);
    assert.equal(support, String(sep?.support));
  }
});

test('bad text input trains and is named: one text in every row, no text, bytes that are not UTF-8, 1 MB cells', async () => {
  const dir = textWorkspace({ rows: 80 });
  const a = makeRows(['good', 'bad'], 80, 1);
  const file = textExperiment(dir, { features: ['text'], arms: ['separate', 'multihead'], training: { epochs: 2 } });
  const run = async (b: Buffer | string) => {
    writeFileSync(join(dir, 'data', 'b.csv'), b);
    const r = await cli(['run', file], dir);
    assert.equal(r.code, 0, r.err);
    return r.out.split('\n').filter((l) => l.startsWith('note: ') && l.includes('text column'));
  };
  const b = join(dir, 'data', 'b.csv');
  // One text in every row of b.
  const same = await run(csvOf(a.map((row) => ({ ...row, text: 'the very same words in every row' }))));
  assert.deepEqual(same, [`note: ${b}: text column "text" holds one text in every labelled row of b ("the very same words in every row"); it cannot tell b's classes apart`]);
  // No text at all in b (every cell empty or blank).
  const none = await run(csvOf(a.map((row, i) => ({ ...row, text: i % 2 ? '' : '  ' }))));
  assert.deepEqual(none, [`note: ${b}: text column "text" holds no text in any labelled row of b; it adds nothing to that dataset's models`]);
  // Latin-1 bytes in some cells of a UTF-8 file, and two cells of about 1 MB.
  const big = 'lorem ipsum dolor sit amet '.repeat(40000);
  const lines = [Buffer.from('text,n,label\n')];
  a.forEach((row, i) => {
    const text = i === 3 || i === 7 ? `${big}${row.text}` : row.text;
    lines.push(i % 10 === 5 ? Buffer.concat([Buffer.from(`${text} caf`), Buffer.from([0xe9]), Buffer.from(`,${row.n},${row.label}\n`)]) : Buffer.from(`${text},${row.n},${row.label}\n`));
  });
  const mixed = await run(Buffer.concat(lines));
  const longest = a[3].text.length >= a[7].text.length ? 3 : 7;
  assert.deepEqual(mixed, [
    `note: ${b}: 2 cells of text column "text" are longer than 100,000 characters (the longest, ${(big.length + a[longest].text.length).toLocaleString('en-US')}, on data row ${longest + 1}); the bag encoder reads its 256 highest-weighted distinct tokens of each cell (text.maxTokens)`,
    `note: ${b}: 8 cells of text column "text" are not valid UTF-8 (first on line 7); the bad bytes read as U+FFFD, which splits the words they are in: save the file as UTF-8`,
  ]);
});

test("the merged arm scores each dataset over its own label space: another dataset's class predicted is an error, not a 0-F1 class", async () => {
  // One epoch at a tiny learning rate: the merged model, which answers in all five classes,
  // still calls some rows of each dataset by the other dataset's classes.
  const dir = textWorkspace({ rows: 120 });
  const file = textExperiment(dir, { arms: ['merged'], features: ['text'], training: { epochs: 1, batchSize: 32, learningRate: 0.0003, seed: 3 } });
  const r = await cli(['run', file, '--json'], dir);
  assert.equal(r.code, 0, r.err);
  type M = { macroF1: number; accuracy: number; labels: string[]; confusion: number[][]; perClass: Record<string, { f1: number; support: number }>; ci: { macroF1: [number, number] } };
  const merged = (JSON.parse(r.out).arms as { arm: string; bySource: Record<string, M> }[]).find((a) => a.arm === 'merged') as { bySource: Record<string, M> };
  const own: Record<string, string[]> = { a: ['bad', 'good'], b: ['money', 'sport', 'weather'] };
  let foreign = 0;
  for (const [source, m] of Object.entries(merged.bySource)) {
    // F1 of each class from the confusion matrix (rows true, columns predicted, every class present).
    const f1 = m.labels.map((_, k) => {
      const predicted = m.confusion.reduce((s, row) => s + row[k], 0);
      const actual = m.confusion[k].reduce((s, v) => s + v, 0);
      return { present: predicted + actual > 0, f1: predicted + actual > 0 ? (2 * m.confusion[k][k]) / (predicted + actual) : 0 };
    });
    const mine = m.labels.map((c, k) => ({ c, ...f1[k] })).filter((x) => own[source].includes(x.c) && x.present);
    foreign += m.labels.filter((c, k) => !own[source].includes(c) && m.confusion.some((row) => row[k] > 0)).length;
    assert.deepEqual(Object.keys(m.perClass).sort(), mine.map((x) => x.c).sort(), `${source}: perClass lists its own classes only`);
    const expected = mine.reduce((s, x) => s + x.f1, 0) / mine.length;
    assert.ok(Math.abs(m.macroF1 - expected) < 1e-12, `${source}: macro-F1 ${m.macroF1}, over its own classes ${expected}`);
    // The bootstrap interval is of the same statistic: it holds the estimate.
    assert.ok(m.ci.macroF1[0] <= m.macroF1 + 1e-12 && m.macroF1 <= m.ci.macroF1[1] + 1e-12, `${source}: ${m.macroF1} in ${m.ci.macroF1}`);
  }
  assert.ok(foreign > 0, `the merged model predicted no other dataset's class: the test shows nothing (${JSON.stringify(merged.bySource)})`);
});
