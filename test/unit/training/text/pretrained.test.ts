// Pretrained and layers text encoders with real models and the real loading code (build first:
// `run` forks dist/trainer.js). The pretrained model is test/fixtures/models/tiny-bert, a
// BERT-shaped ONNX graph made by scripts/make-tiny-bert.py with Debian's python3-torch, whose
// reference.json holds torch's token ids and mean-pooled embeddings of a few texts. The layers
// encoder is a TF.js model this test builds and trains, saved as model.json + weights.bin.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TrainingRun } from '../../../../src/training/host';
import { PretrainedEncoder } from '../../../../src/training/text/pretrainedEncoder';
import { defaultTextContext } from '../../../../src/training/text/textContext';
import { PieceTokenizer } from '../../../../src/training/text/textTokenizer';
import { cli, readJson, readRows, textExperiment, textWorkspace } from './textData';
import { layersModelFiles } from '../../../../src/training/text/layersEncoder';

const repo = resolve(__dirname, '..', '..', '..', '..', '..');
const fixture = join(repo, 'test', 'fixtures', 'models', 'tiny-bert');
const trainerPath = join(repo, 'dist', 'trainer.js');

interface Reference {
  texts: string[];
  ids: number[][];
  embeddings: number[][];
}

/** A text workspace with the tiny BERT copied to models/tiny-bert. */
function bertWorkspace(rows = 120): string {
  const dir = textWorkspace({ rows });
  cpSync(fixture, join(dir, 'models', 'tiny-bert'), { recursive: true });
  return dir;
}

function pretrainedExperiment(dir: string, model = 'models/tiny-bert', extra: Record<string, unknown> = {}): string {
  return textExperiment(dir, {
    features: ['text'],
    arms: ['separate', 'multihead'],
    text: { encoder: 'pretrained', model, maxTokens: 32 },
    training: { epochs: 8, batchSize: 16, learningRate: 0.02, earlyStopping: { patience: 8 } },
    ...extra,
  });
}

test('the tiny BERT fixture: token ids and sentence embeddings equal torch\'s', async () => {
  const ref = readJson<Reference>(fixture, 'reference.json');
  const tokenizer = new PieceTokenizer(join(fixture, 'tokenizer.json'));
  ref.texts.forEach((t, i) => assert.deepEqual(tokenizer.ids(t), ref.ids[i], JSON.stringify(t)));
  const encoder = await PretrainedEncoder.load({ ref: fixture, folder: fixture, source: 'workspace' }, defaultTextContext(), repo);
  try {
    // Batches of two: texts of different lengths are padded, so the attention mask matters.
    const { values, dim } = await encoder.embed(ref.texts, 2, 128);
    assert.equal(dim, ref.embeddings[0].length);
    ref.embeddings.forEach((row, i) => row.forEach((v, d) => assert.ok(Math.abs(values[i * dim + d] - v) < 1e-5, `${JSON.stringify(ref.texts[i])}[${d}]: ${values[i * dim + d]} vs torch ${v}`)));
  } finally {
    await encoder.dispose();
  }
});

test('a pretrained encoder trains heads on embeddings computed once per run, cached by content hash and standardised on the training split; predict embeds new rows', async () => {
  const dir = bertWorkspace();
  const file = pretrainedExperiment(dir);
  const first = await cli(['run', file, '--json'], dir);
  assert.equal(first.code, 0, first.err);
  // Three models read each dataset's texts: each column is embedded once, then read from memory.
  const embedded = first.err.split('\n').filter((l) => l.startsWith('embedded '));
  assert.deepEqual(embedded.map((l) => l.replace(/: .*$/, '')), ['embedded 120 texts of a/text with models/tiny-bert', 'embedded 120 texts of b/text with models/tiny-bert']);
  assert.doesNotMatch(first.err, /embedding cache/);
  const results = JSON.parse(first.out);
  for (const arm of results.arms) for (const [name, m] of Object.entries(arm.bySource) as [string, { accuracy: number }][]) assert.ok(m.accuracy > 0.6, `${arm.arm}/${name}: ${m.accuracy}`);
  assert.equal(readdirSync(join(dir, '.dataset-lab', 'cache', 'embeddings')).length, 2);

  // The standardisation of each embedding dimension: the training rows' mean and spread.
  const runDir = join(dir, '.dataset-lab', 'runs', results.runId);
  const split = readJson<Record<string, { train: number[] }>>(runDir, 'split.json');
  const saved = readJson<{ pretrained: { model: string; columns: { name: string; width: number; center: number[]; scale: number[] }[] } }>(runDir, 'models', 'multihead', 'text.json');
  assert.equal(saved.pretrained.model, 'models/tiny-bert');
  const trainTexts = ['a', 'b'].flatMap((s) => split[s].train.map((k) => readRows(join(dir, 'data', `${s}.csv`))[k].text));
  const encoder = await PretrainedEncoder.load({ ref: fixture, folder: fixture, source: 'workspace' }, defaultTextContext(), repo);
  const { values, dim } = await encoder.embed(trainTexts, 32, 32);
  await encoder.dispose();
  const col = saved.pretrained.columns[0];
  assert.equal(col.width, dim);
  for (let d = 0; d < dim; d++) {
    let mean = 0;
    for (let i = 0; i < trainTexts.length; i++) mean += values[i * dim + d] / trainTexts.length;
    let v = 0;
    for (let i = 0; i < trainTexts.length; i++) v += (values[i * dim + d] - mean) ** 2 / trainTexts.length;
    assert.ok(Math.abs(col.center[d] - mean) < 1e-5 && Math.abs(col.scale[d] - Math.sqrt(v)) < 1e-5, `dimension ${d}: ${col.center[d]}, ${col.scale[d]} vs ${mean}, ${Math.sqrt(v)}`);
  }

  // A second run reads the embeddings from the workspace's cache; the model is not run.
  const second = await cli(['run', file, '--json'], dir);
  assert.equal(second.code, 0, second.err);
  assert.deepEqual(second.err.split('\n').filter((l) => l.includes('embed')), ['embeddings of a/text with models/tiny-bert: 120 texts from the embedding cache', 'embeddings of b/text with models/tiny-bert: 120 texts from the embedding cache']);

  const p = await cli(['predict', runDir, 'data/b.csv', '--arm', 'multihead', '--dataset', 'b'], dir);
  assert.equal(p.code, 0, p.err);
  const predicted = p.out.trim().split('\n').slice(1).map((l) => l.split(',')[1]);
  const labels = readRows(join(dir, 'data', 'b.csv')).map((r) => r.label);
  assert.ok(predicted.filter((v, i) => v === labels[i]).length / labels.length > 0.6);
  // The model changed after training: predict refuses rather than scoring with another model.
  const config = join(dir, 'models', 'tiny-bert', 'config.json');
  writeFileSync(config, readFileSync(config, 'utf8').replace('"hidden_act"', '"note": "edited", "hidden_act"'));
  const changed = await cli(['predict', runDir, 'data/b.csv', '--arm', 'multihead'], dir);
  assert.equal(changed.code, 2);
  assert.match(changed.err, /tiny-bert: the model's files changed since the run was trained/);
});

test('a model id resolves from the local model cache only; downloads stay off unless allowed', async () => {
  const dir = bertWorkspace(40);
  const cache = mkdtempSync(join(tmpdir(), 'dl-models-'));
  const saved = process.env.DATASET_LAB_MODEL_CACHE;
  process.env.DATASET_LAB_MODEL_CACHE = cache;
  try {
    const missing = await cli(['run', pretrainedExperiment(dir, 'someone/tiny-bert')], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /at \$\.text\.model: someone\/tiny-bert: model id not found in the local model cache \(.*someone\/tiny-bert\) and downloading is off/);
    cpSync(fixture, join(cache, 'someone', 'tiny-bert'), { recursive: true });
    const found = await cli(['run', pretrainedExperiment(dir, 'someone/tiny-bert', { arms: ['multihead'] }), '--json'], dir);
    assert.equal(found.code, 0, found.err);
    assert.match(found.err, /embedded 40 texts of a\/text with someone\/tiny-bert/);
  } finally {
    if (saved === undefined) delete process.env.DATASET_LAB_MODEL_CACHE;
    else process.env.DATASET_LAB_MODEL_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  }
});

test('a missing or corrupt file of a pretrained model folder is named in the message', async () => {
  const cases: [string, (folder: string) => void, RegExp][] = [
    ['no config.json', (f) => rmSync(join(f, 'config.json')), /tiny-bert\/config\.json: file not found/],
    ['config.json not JSON', (f) => writeFileSync(join(f, 'config.json'), '{"model_type": "bert",'), /tiny-bert\/config\.json: not valid JSON/],
    ['config.json without model_type', (f) => writeFileSync(join(f, 'config.json'), '{}'), /tiny-bert\/config\.json: has no "model_type"/],
    ['tokenizer.json cut short', (f) => truncateSync(join(f, 'tokenizer.json'), 500), /tiny-bert\/tokenizer\.json: not valid JSON/],
    ['no ONNX graph', (f) => rmSync(join(f, 'onnx', 'model.onnx')), /tiny-bert\/onnx\/model\.onnx: file not found/],
    ['ONNX graph cut short', (f) => truncateSync(join(f, 'onnx', 'model.onnx'), 5000), /tiny-bert\/onnx\/model\.onnx: the model cannot be loaded by ONNX Runtime/],
    ['a file, not a folder', (f) => (rmSync(f, { recursive: true }), writeFileSync(f, 'x')), /tiny-bert: is not a folder/],
  ];
  for (const [what, breakIt, expected] of cases) {
    const dir = bertWorkspace(30);
    breakIt(join(dir, 'models', 'tiny-bert'));
    const r = await cli(['run', pretrainedExperiment(dir, 'models/tiny-bert', { arms: ['multihead'] })], dir);
    assert.equal(r.code, 2, `${what}: ${r.err}`);
    assert.match(r.err, expected, what);
    assert.match(r.err, /at \$\.text\.model/, what);
  }
});

/** A small TF.js text encoder (token ids -> 8 numbers), trained briefly here and saved with the fixture's tokenizer. */
async function layersEncoder(dir: string): Promise<string> {
  const vocab = Object.keys(readJson<{ model: { vocab: Record<string, number> } }>(fixture, 'tokenizer.json').model.vocab).length;
  await tf.setBackend('cpu');
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: vocab, outputDim: 12, inputLength: 24 }));
  m.add(tf.layers.globalAveragePooling1d());
  m.add(tf.layers.dense({ units: 8, activation: 'tanh' }));
  m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const x = tf.randomUniform([64, 24], 0, vocab, 'int32', 3);
  const y = tf.randomNormal([64, 8], 0, 1, 'float32', 4);
  await m.fit(x, y, { epochs: 2, verbose: 0 });
  const folder = join(dir, 'encoder');
  mkdirSync(folder);
  // The files a run's model folder holds (TF.js layers format), as the trainer writes them.
  for (const file of await layersModelFiles(tf, m, '.')) writeFileSync(join(folder, file.name), file.bytes);
  tf.dispose([x, y]);
  m.dispose();
  cpSync(join(fixture, 'tokenizer.json'), join(folder, 'tokenizer.json'));
  return folder;
}

test('a TF.js layers encoder from the workspace trains with the heads after its frozen epochs; a broken folder is named', async () => {
  const dir = textWorkspace({ rows: 120 });
  const folder = await layersEncoder(dir);
  const original = readFileSync(join(folder, 'weights.bin'));
  const layers = (freezeEpochs: number, epochs: number) =>
    textExperiment(dir, { features: ['text'], arms: ['multihead'], text: { encoder: 'layers', model: 'encoder', freezeEpochs }, training: { epochs, batchSize: 16, learningRate: 0.02, earlyStopping: { patience: 20 } } });
  // Frozen for every epoch: the saved encoder is the workspace's, byte for byte.
  const frozen = await cli(['run', layers(50, 3), '--json'], dir);
  assert.equal(frozen.code, 0, frozen.err);
  const frozenDir = join(dir, '.dataset-lab', 'runs', JSON.parse(frozen.out).runId, 'models', 'multihead');
  assert.deepEqual(readdirSync(join(frozenDir, 'encoder')).sort(), ['model.json', 'tokenizer.json', 'weights.bin']);
  assert.ok(readFileSync(join(frozenDir, 'encoder', 'weights.bin')).equals(original), 'a frozen encoder moved');
  // Two frozen epochs, then the encoder learns with the heads.
  const tuned = await cli(['run', layers(2, 12), '--json'], dir);
  assert.equal(tuned.code, 0, tuned.err);
  const results = JSON.parse(tuned.out);
  const tunedDir = join(dir, '.dataset-lab', 'runs', results.runId, 'models', 'multihead');
  assert.ok(!readFileSync(join(tunedDir, 'encoder', 'weights.bin')).equals(original), 'the encoder never learned after its frozen epochs');
  for (const [name, m] of Object.entries(results.arms[0].bySource) as [string, { accuracy: number }][]) assert.ok(m.accuracy > 0.6, `${name}: ${m.accuracy}`);
  // predict reads the trained encoder from the run, not the workspace's copy.
  rmSync(folder, { recursive: true });
  const p = await cli(['predict', join(dir, '.dataset-lab', 'runs', results.runId), 'data/a.csv', '--dataset', 'a'], dir);
  assert.equal(p.code, 0, p.err);
  assert.equal(p.out.trim().split('\n').length, 121);

  const broken: [string, (f: string) => void, RegExp][] = [
    ['weights cut short', (f) => truncateSync(join(f, 'weights.bin'), 100), /encoder\/weights\.bin: holds 100 bytes of weights, but model\.json lists \d+/],
    ['no model.json', (f) => rmSync(join(f, 'model.json')), /encoder\/model\.json: file not found/],
    ['no weights', (f) => rmSync(join(f, 'weights.bin')), /encoder\/weights\.bin: file not found/],
    ['no tokenizer', (f) => rmSync(join(f, 'tokenizer.json')), /encoder\/tokenizer\.json: file not found/],
    ['no folder', (f) => rmSync(f, { recursive: true }), /encoder: model folder not found/],
  ];
  for (const [what, breakIt, expected] of broken) {
    if (existsSync(folder)) rmSync(folder, { recursive: true });
    await layersEncoder(dir);
    breakIt(folder);
    const r = await cli(['run', layers(1, 2)], dir);
    assert.equal(r.code, 2, `${what}: ${r.err}`);
    assert.match(r.err, expected, what);
  }
});

test('an untrusted workspace loads no model, pretrained or layers, whatever the download setting', async () => {
  const dir = bertWorkspace(30);
  await layersEncoder(dir);
  for (const text of [{ encoder: 'pretrained', model: 'models/tiny-bert' }, { encoder: 'layers', model: 'encoder' }]) {
    const file = textExperiment(dir, { features: ['text'], arms: ['multihead'], text });
    const run = TrainingRun.start({ experimentPath: join(dir, file), trainerPath, text: { trusted: false, allowModelDownload: true } });
    const out = await run.done;
    assert.equal(out.status, 'failed');
    assert.ok(out.status === 'failed' && out.error.kind === 'input' && /models are not loaded in an untrusted workspace \(Restricted Mode\)/.test(out.error.message), JSON.stringify(out));
  }
  assert.ok(!existsSync(join(dir, '.dataset-lab', 'cache')), 'an untrusted run computed embeddings');
});

test('a model id missing from the cache is downloaded only when allowed and trusted (HF_ENDPOINT: a local mirror), then read from the cache', async () => {
  // A Hugging Face-style mirror on this machine serving the fixture as someone/tiny-bert.
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/someone\/tiny-bert\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    const file = m ? join(fixture, decodeURIComponent(m[1])) : '';
    if (!m || m[1].includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const bytes = readFileSync(file);
    res.writeHead(200, { 'content-length': bytes.length, 'content-type': 'application/octet-stream' }).end(bytes);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const dir = bertWorkspace(40);
  const cache = mkdtempSync(join(tmpdir(), 'dl-models-'));
  const saved = { cache: process.env.DATASET_LAB_MODEL_CACHE, endpoint: process.env.HF_ENDPOINT };
  process.env.DATASET_LAB_MODEL_CACHE = cache;
  process.env.HF_ENDPOINT = `http://127.0.0.1:${port}`;
  try {
    const file = pretrainedExperiment(dir, 'someone/tiny-bert', { arms: ['multihead'] });
    const off = await cli(['run', file], dir);
    assert.equal(off.code, 2);
    assert.match(off.err, /someone\/tiny-bert: model id not found in the local model cache .* and downloading is off/);
    const untrusted = await TrainingRun.start({ experimentPath: join(dir, file), trainerPath, text: { trusted: false, allowModelDownload: true } }).done;
    assert.ok(untrusted.status === 'failed' && /untrusted workspace/.test(untrusted.error.message), JSON.stringify(untrusted));
    assert.equal(requests.length, 0, `nothing may be fetched unless downloads are allowed in a trusted workspace: ${requests.join(' ')}`);
    const on = await cli(['run', file, '--json', '--allow-model-download'], dir);
    assert.equal(on.code, 0, on.err);
    assert.match(on.err, /embedded 40 texts of a\/text with someone\/tiny-bert/);
    for (const f of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) {
      assert.ok(requests.includes(`/someone/tiny-bert/resolve/main/${f}`), `${f} was not fetched: ${requests.join(' ')}`);
      assert.ok(readFileSync(join(cache, 'someone', 'tiny-bert', f)).equals(readFileSync(join(fixture, f))), `${f} in the cache`);
    }
    // Now in the cache: a run without downloads uses it and fetches nothing more.
    const fetched = requests.length;
    rmSync(join(dir, '.dataset-lab', 'cache'), { recursive: true });
    const again = await cli(['run', file, '--json'], dir);
    assert.equal(again.code, 0, again.err);
    assert.equal(requests.length, fetched);
  } finally {
    server.close();
    for (const [k, v] of [['DATASET_LAB_MODEL_CACHE', saved.cache], ['HF_ENDPOINT', saved.endpoint]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(cache, { recursive: true, force: true });
  }
});

test('the packaged extension (no node_modules) embeds on its bundled WebAssembly ONNX Runtime; a workspace install of @huggingface/transformers (native) comes first; with neither, the message says what to do', async () => {
  // The training child as a packaged extension has it: dist/ in a folder with no node_modules above.
  const packaged = mkdtempSync(join(tmpdir(), 'dl-packaged-'));
  mkdirSync(join(packaged, 'dist'));
  const copy = (pred: (f: string) => boolean) => {
    for (const f of readdirSync(join(repo, 'dist'))) if (pred(f)) cpSync(join(repo, 'dist', f), join(packaged, 'dist', f));
  };
  copy((f) => f === 'trainer.js' || f === 'gradientWorker.js' || f.endsWith('.wasm') || f.endsWith('.mjs'));
  const dir = bertWorkspace(30);
  const file = join(dir, pretrainedExperiment(dir, 'models/tiny-bert', { arms: ['multihead'] }));
  // Unset (empty): the runtime is chosen as for a user.
  const env = { DATASET_LAB_ONNX_RUNTIME: '' };
  /** A run from the packaged trainer with the embedding cache emptied; the runtime its encoding messages name. */
  const runPackaged = async () => {
    rmSync(join(dir, '.dataset-lab', 'cache'), { recursive: true, force: true });
    const run = TrainingRun.start({ experimentPath: file, trainerPath: join(packaged, 'dist', 'trainer.js'), env });
    const runtimes = new Set<string>();
    run.onMessage((m) => {
      if (m.type === 'encoding' && m.runtime) runtimes.add(m.runtime);
    });
    return { outcome: await run.done, runtimes: [...runtimes] };
  };
  try {
    // Without the bundled copy of the library (dist/transformers-wasm.js) and without a workspace install.
    const neither = await runPackaged();
    assert.ok(neither.outcome.status === 'failed' && neither.outcome.error.kind === 'input', JSON.stringify(neither.outcome));
    const ws = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(neither.outcome.status === 'failed' ? neither.outcome.error.message : '', new RegExp(`@huggingface/transformers: cannot be loaded: onnxruntime-node does not load \\(Cannot find module '@huggingface/transformers'.*\\) and the WebAssembly runtime bundled with Dataset Lab does not load \\(transformers-wasm\\.js is not next to Dataset Lab's bundles .*\\); pretrained encoders need one of them: reinstall Dataset Lab, or npm install @huggingface/transformers in ${ws}$`));
    // The packaged extension as built: the bundled WebAssembly runtime.
    copy((f) => f === 'transformers-wasm.js');
    const wasm = await runPackaged();
    assert.equal(wasm.outcome.status, 'completed', JSON.stringify(wasm.outcome));
    assert.equal(wasm.runtimes.length, 1);
    assert.match(wasm.runtimes[0], /^ONNX Runtime Web \S+ \(WebAssembly, \d+ threads?\)$/);
    // Installed in the workspace (here: linked to this repository's copy): native ONNX Runtime comes first.
    mkdirSync(join(dir, 'node_modules', '@huggingface'), { recursive: true });
    symlinkSync(join(repo, 'node_modules', '@huggingface', 'transformers'), join(dir, 'node_modules', '@huggingface', 'transformers'), 'dir');
    const native = await runPackaged();
    assert.equal(native.outcome.status, 'completed', JSON.stringify(native.outcome));
    assert.deepEqual(native.runtimes.map((r) => r.replace(/\d+\.\d+\.\d+\S*/, 'X')), ['ONNX Runtime X (native)']);
  } finally {
    rmSync(packaged, { recursive: true, force: true });
  }
});
