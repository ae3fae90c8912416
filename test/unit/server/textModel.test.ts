// The text encoder an experiment names (`text.model`, `text.tokenizerFile`), checked by the real
// server over stdio before any run, in the trainer's words: each broken case is also run through
// `dataset-lab run` (dist/cli.js), and the server's message must be the one the run stops with.
// Models: test/fixtures/models/tiny-bert (a pretrained ONNX folder) and a TF.js layers model
// this test builds and saves (model.json + weights.bin + the fixture's tokenizer.json).
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DidChangeWatchedFilesNotification, FileChangeType, type Diagnostic, type DidChangeWatchedFilesRegistrationOptions } from 'vscode-languageserver-protocol';
import { runCli, tempDir } from '../helpers';
import { TestClient, fileUri, repoRoot } from './lspClient';
import { layersModelFiles } from '../../../src/training/text/layersEncoder';

const tinyBert = path.join(repoRoot(), 'test', 'fixtures', 'models', 'tiny-bert');
const MODEL_CODES = ['experiment-text-model', 'experiment-text-model-not-cached', 'experiment-schema'];

/** What `dataset-lab run` stops at for `$.text.<key>`: its message. */
function trainerSays(experiment: string, root: string, key: string): string {
  const r = runCli(['run', experiment, '--root', root]);
  assert.equal(r.code, 2, `the trainer refuses the experiment: ${r.stderr}`);
  const m = new RegExp(` at \\$\\.text\\.${key}: (.*)$`, 'm').exec(r.stderr);
  assert.ok(m, r.stderr);
  return m[1];
}

/** A small TF.js text encoder (token ids [batch, 8] -> 4 numbers) saved as model.json + weights.bin, with the fixture's tokenizer. */
async function saveLayersEncoder(folder: string): Promise<void> {
  await tf.setBackend('cpu');
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 1000, outputDim: 4, inputLength: 8 }));
  m.add(tf.layers.globalAveragePooling1d());
  m.add(tf.layers.dense({ units: 4, activation: 'tanh' }));
  mkdirSync(folder, { recursive: true });
  // The files a run's model folder holds (TF.js layers format), as the trainer writes them.
  for (const file of await layersModelFiles(tf, m, '.')) writeFileSync(path.join(folder, file.name), file.bytes);
  m.dispose();
  cpSync(path.join(tinyBert, 'tokenizer.json'), path.join(folder, 'tokenizer.json'));
}

describe('language server: the text encoder an experiment names', () => {
  const dir = tempDir();
  const ws = path.join(dir.path, 'workspace');
  const elsewhere = path.join(dir.path, 'elsewhere');
  const cache = path.join(dir.path, 'model-cache');
  const file = path.join(ws, 't.experiment.json');
  const uri = fileUri(file);
  const savedCache = process.env.DATASET_LAB_MODEL_CACHE;
  let client: TestClient;
  let version = 0;

  /** Writes the experiment with this text section, shows it to the server (opened, then edited) and returns the text-model diagnostics. */
  const check = async (text: Record<string, unknown>): Promise<{ ds: Diagnostic[]; json: string }> => {
    const json = JSON.stringify(
      {
        version: 1,
        datasets: [
          { name: 'a', path: 'data/a.csv', label: 'label', features: ['text'] },
          { name: 'b', path: 'data/b.csv', label: 'label', features: ['text'] },
        ],
        arms: ['multihead'],
        text,
      },
      null,
      2,
    );
    writeFileSync(file, json);
    version++;
    if (version === 1) await client.open(uri, json, 'json', version);
    else await client.change(uri, version, [{ text: json }]);
    const ds = (await client.diagnosticsFor(uri, version)).filter((d) => MODEL_CODES.includes(String(d.code)));
    return { ds, json };
  };
  /** The range of the "model" (or other key's) value in the experiment text. */
  const valueRange = (json: string, key: string) => {
    const lines = json.split('\n');
    const line = lines.findIndex((l) => l.trimStart().startsWith(`"${key}": `));
    const start = lines[line].indexOf(': ') + 2;
    const end = lines[line].replace(/,$/, '').length;
    return { start: { line, character: start }, end: { line, character: end } };
  };
  /** One diagnostic of `code` on the value of `key`, saying what the trainer says. */
  const expectOne = (r: { ds: Diagnostic[]; json: string }, code: string, key: string, message: string) => {
    assert.deepEqual(
      r.ds.map((d) => [d.code, d.range, d.message]),
      [[code, valueRange(r.json, key), message]],
    );
  };

  before(async () => {
    mkdirSync(path.join(ws, 'data'), { recursive: true });
    mkdirSync(path.join(ws, 'models'));
    mkdirSync(elsewhere);
    mkdirSync(cache);
    // Free text (every row different, 6 to 13 words), so the trainer reaches the encoder.
    const words = 'the a of and report today people time year work day new great awful match goal bank market rain storm team price happy sad'.split(' ');
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const [name, classes] of [['a', ['good', 'bad']], ['b', ['x', 'y', 'z']]] as const) {
      const rows = Array.from({ length: 30 }, (_, i) => `${Array.from({ length: 6 + (i % 8) }, () => words[Math.floor(next() * words.length)]).join(' ')},${classes[i % classes.length]}`);
      writeFileSync(path.join(ws, 'data', `${name}.csv`), ['text,label', ...rows].join('\n') + '\n');
    }
    // The server and the trainer both read the model cache from here.
    process.env.DATASET_LAB_MODEL_CACHE = cache;
    ({ client } = await TestClient.start({ workspace: ws }));
  });
  after(async () => {
    await client.stop();
    if (savedCache === undefined) delete process.env.DATASET_LAB_MODEL_CACHE;
    else process.env.DATASET_LAB_MODEL_CACHE = savedCache;
    dir.cleanup();
  });

  it('a pretrained model folder: nothing when it is whole; each missing or broken file named, as the trainer names it', async () => {
    const folder = path.join(ws, 'models', 'tiny-bert');
    const fresh = () => {
      rmSync(folder, { recursive: true, force: true });
      cpSync(tinyBert, folder, { recursive: true });
    };
    fresh();
    assert.deepEqual((await check({ encoder: 'pretrained', model: 'models/tiny-bert' })).ds, []);
    const cases: [string, () => void, RegExp][] = [
      ['no config.json', () => rmSync(path.join(folder, 'config.json')), /tiny-bert\/config\.json: file not found$/],
      ['config.json without model_type', () => writeFileSync(path.join(folder, 'config.json'), '{}'), /tiny-bert\/config\.json: has no "model_type"/],
      ['tokenizer.json cut short', () => truncateSync(path.join(folder, 'tokenizer.json'), 500), /tiny-bert\/tokenizer\.json: not valid JSON/],
      ['no ONNX graph', () => rmSync(path.join(folder, 'onnx', 'model.onnx')), /tiny-bert\/onnx\/model\.onnx: file not found/],
      ['an empty ONNX graph', () => truncateSync(path.join(folder, 'onnx', 'model.onnx'), 0), /tiny-bert\/onnx\/model\.onnx: is empty or truncated$/],
      ['a file, not a folder', () => (rmSync(folder, { recursive: true }), writeFileSync(folder, 'x')), /tiny-bert: is not a folder/],
    ];
    for (const [what, breakIt, expected] of cases) {
      fresh();
      breakIt();
      const r = await check({ encoder: 'pretrained', model: 'models/tiny-bert' });
      const trainer = trainerSays(file, ws, 'model');
      assert.match(trainer, expected, what);
      expectOne(r, 'experiment-text-model', 'model', trainer);
    }
    // Mended on disk: the next check of the experiment sees the folder whole again.
    fresh();
    assert.deepEqual((await check({ encoder: 'pretrained', model: 'models/tiny-bert' })).ds, []);
  });

  it('a model folder that is missing, or outside the workspace (also through a link), is an error at the value', async () => {
    const missing = await check({ encoder: 'pretrained', model: './models/none' });
    expectOne(missing, 'experiment-text-model', 'model', trainerSays(file, ws, 'model'));
    assert.match(missing.ds[0].message, /models\/none: model folder not found$/);

    cpSync(tinyBert, path.join(elsewhere, 'tiny-bert'), { recursive: true });
    symlinkSync(path.join(elsewhere, 'tiny-bert'), path.join(ws, 'models', 'linked'));
    const linked = await check({ encoder: 'pretrained', model: 'models/linked' });
    expectOne(linked, 'experiment-text-model', 'model', trainerSays(file, ws, 'model'));
    assert.match(linked.ds[0].message, /through a symbolic link, outside the workspace root .*; model folders must stay inside it$/);

    // Written as a path out of the workspace: the trainer's rule for the text section says so first.
    const up = await check({ encoder: 'layers', model: '../elsewhere/tiny-bert' });
    expectOne(up, 'experiment-text-model', 'model', `text.model: ${trainerSays(file, ws, 'model')}`);
    assert.match(up.ds[0].message, /outside the workspace root .*; model and tokenizer files must stay inside it$/);
  });

  it('a TF.js layers folder: model.json, the weight files its manifest names with the bytes it lists, and tokenizer.json', async () => {
    const folder = path.join(ws, 'encoder');
    const fresh = async () => {
      rmSync(folder, { recursive: true, force: true });
      await saveLayersEncoder(folder);
    };
    await fresh();
    assert.deepEqual((await check({ encoder: 'layers', model: 'encoder' })).ds, []);
    const manifestNames = (name: string) => {
      const json = JSON.parse(readFileSync(path.join(folder, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
      json.weightsManifest[0].paths = [name];
      writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
    };
    const cases: [string, () => void, RegExp][] = [
      ['weights cut short', () => truncateSync(path.join(folder, 'weights.bin'), 100), /encoder\/weights\.bin: holds 100 bytes of weights, but model\.json lists 16080;/],
      ['no model.json', () => rmSync(path.join(folder, 'model.json')), /encoder\/model\.json: file not found$/],
      ['model.json not JSON', () => writeFileSync(path.join(folder, 'model.json'), '{"modelTopology": {'), /encoder\/model\.json: not valid JSON/],
      ['not a layers model', () => writeFileSync(path.join(folder, 'model.json'), '{"format": "graph-model"}'), /encoder\/model\.json: is not a TF\.js layers model/],
      ['a shard the manifest names is missing', () => (manifestNames('group1-shard1of2.bin'), renameSync(path.join(folder, 'weights.bin'), path.join(folder, 'group1-shard2of2.bin'))), /encoder\/group1-shard1of2\.bin: file not found \(a weight file model\.json names\)$/],
      ['a shard outside the folder', () => manifestNames('../data/a.csv'), /encoder\/model\.json: names a weight file outside its folder \("\.\.\/data\/a\.csv"\)$/],
      ['no tokenizer', () => rmSync(path.join(folder, 'tokenizer.json')), /encoder\/tokenizer\.json: file not found$/],
      ['no folder', () => rmSync(folder, { recursive: true }), /encoder: model folder not found \(a layers encoder is a folder/],
    ];
    for (const [what, breakIt, expected] of cases) {
      await fresh();
      breakIt();
      const r = await check({ encoder: 'layers', model: 'encoder', freezeEpochs: 1 });
      const trainer = trainerSays(file, ws, 'model');
      assert.match(trainer, expected, what);
      expectOne(r, 'experiment-text-model', 'model', trainer);
    }
  });

  it('a model id: a hint when it is not in the local cache and downloads are off; nothing once cached; a broken cached copy named', async () => {
    const r = await check({ encoder: 'pretrained', model: 'someone/tiny-bert' });
    const trainer = trainerSays(file, ws, 'model');
    assert.match(trainer, /^someone\/tiny-bert: model id not found in the local model cache \(.*model-cache\/someone\/tiny-bert\) and downloading is off/);
    expectOne(r, 'experiment-text-model-not-cached', 'model', trainer);
    assert.equal(r.ds[0].severity, 4, 'a hint');
    cpSync(tinyBert, path.join(cache, 'someone', 'tiny-bert'), { recursive: true });
    assert.deepEqual((await check({ encoder: 'pretrained', model: 'someone/tiny-bert' })).ds, []);
    rmSync(path.join(cache, 'someone', 'tiny-bert', 'onnx', 'model.onnx'));
    const broken = await check({ encoder: 'pretrained', model: 'someone/tiny-bert' });
    expectOne(broken, 'experiment-text-model', 'model', trainerSays(file, ws, 'model'));
    assert.match(broken.ds[0].message, /model-cache\/someone\/tiny-bert\/onnx\/model\.onnx: file not found/);
  });

  it('with downloads allowed (datasetLab.text.allowModelDownload) an id missing from the cache is no finding', async () => {
    const allowed = await TestClient.start({ workspace: ws, configuration: { text: { allowModelDownload: true } } });
    try {
      const json = JSON.stringify({
        version: 1,
        datasets: [
          { name: 'a', path: 'data/a.csv', label: 'label', features: ['text'] },
          { name: 'b', path: 'data/b.csv', label: 'label', features: ['text'] },
        ],
        text: { encoder: 'pretrained', model: 'someone/other-model' },
      });
      const other = path.join(ws, 'other.experiment.json');
      writeFileSync(other, json);
      await allowed.client.open(fileUri(other), json, 'json');
      const ds = await allowed.client.diagnosticsFor(fileUri(other), 1);
      assert.deepEqual(ds.filter((d) => MODEL_CODES.includes(String(d.code))), []);
      // The same file without the setting: the hint.
      await client.open(fileUri(other), json, 'json');
      assert.deepEqual((await client.diagnosticsFor(fileUri(other), 1)).map((d) => d.code), ['experiment-text-model-not-cached']);
      await client.close(fileUri(other));
    } finally {
      await allowed.client.stop();
    }
  });

  it('the text section by the trainer\'s rules, and a tokenizerFile that is not a tokenizer', async () => {
    const r = await check({ encoder: 'bag', model: 'models/tiny-bert' });
    expectOne(r, 'experiment-schema', 'model', `text.model: ${trainerSays(file, ws, 'model')}`);
    assert.match(r.ds[0].message, /^text\.model: applies to "encoder": "pretrained" or "layers" only/);
    // What the JSON Schema already says (an unknown key, a value out of bounds) is said once.
    const schema = await check({ encoder: 'bag', colour: 'red', maxTokens: 0 });
    assert.deepEqual(schema.ds.map((d) => d.message.replace(/ \(allowed: .*\)$/, '')).sort(), ['text.maxTokens: must be >= 1', 'text: unknown property "colour"'].sort());
    // Also one level down (text.unfreeze of a layers encoder), on the value the path names.
    const nested = await check({ encoder: 'bag', unfreeze: { everyEpochs: 0 } });
    assert.deepEqual(nested.ds.map((d) => d.message).sort(), ['text.unfreeze.everyEpochs: must be >= 1', 'text.unfreeze: applies to "encoder": "layers" only (this encoder is "bag")'].sort());
    const at = nested.json.indexOf('"everyEpochs"');
    const everyEpochs = nested.ds.find((d) => d.message.startsWith('text.unfreeze.everyEpochs'))!;
    assert.equal(everyEpochs.range.start.line, nested.json.slice(0, at).split('\n').length - 1);
    const required = await check({ encoder: 'layers', model: 'encoder', unfreeze: {} });
    assert.deepEqual(required.ds.filter((d) => d.message.includes('unfreeze')).map((d) => d.message), ['text.unfreeze: missing required property "everyEpochs"']);
    writeFileSync(path.join(ws, 'vocab.json'), '{"version": "1.0"}');
    const tok = await check({ encoder: 'bag', tokenizer: 'wordpiece', tokenizerFile: 'vocab.json' });
    expectOne(tok, 'experiment-text-model', 'tokenizerFile', trainerSays(file, ws, 'tokenizerFile'));
    assert.match(tok.ds[0].message, /vocab\.json: has no "model"/);
  });

  it('re-checks the open experiment when a watched model file changes on disk', async () => {
    const folder = path.join(ws, 'encoder');
    rmSync(folder, { recursive: true, force: true });
    await saveLayersEncoder(folder);
    assert.deepEqual((await check({ encoder: 'layers', model: 'encoder' })).ds, []);
    truncateSync(path.join(folder, 'weights.bin'), 64);
    await client.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: fileUri(path.join(folder, 'weights.bin')), type: FileChangeType.Changed }] });
    const ds = await client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'experiment-text-model'));
    assert.match(ds.find((d) => d.code === 'experiment-text-model')!.message, /encoder\/weights\.bin: holds 64 bytes of weights/);
    // The files it re-checks on are the ones the server asks the client to watch.
    const globs = client.registrations
      .filter((r) => r.method === DidChangeWatchedFilesNotification.method)
      .flatMap((r) => (r.registerOptions as DidChangeWatchedFilesRegistrationOptions).watchers.map((w) => w.globPattern))
      .filter((g): g is string => typeof g === 'string');
    for (const name of ['encoder/model.json', 'encoder/group1-shard1of1.bin', 'm/config.json', 'm/tokenizer.json', 'm/tokenizer_config.json', 'm/onnx/model.onnx']) {
      assert.ok(globs.some((g) => path.matchesGlob(name, g)), `${name} is not watched by ${globs.join(' ')}`);
    }
  });
});
