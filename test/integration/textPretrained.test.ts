// A pretrained text encoder trained from the editor: Run Experiment in the real extension host
// (trusted window) on an experiment whose text encoder is the tiny BERT fixture
// (test/fixtures/models/tiny-bert: an ONNX graph run by @huggingface/transformers in the
// training child). What the user would see: the run completes with results per dataset and
// arm; the workspace's trust reaches the trainer (it loads the workspace's model, which it
// refuses untrusted); the embedding progress the trainer reports reaches the extension (its
// notification, status bar and output channel; TrainingManager.onDidEncode); and the
// datasetLab.text.allowModelDownload setting decides whether a model id missing from the local
// model cache fails with a clear message or is downloaded (from a Hugging Face-style mirror this
// test serves: HF_ENDPOINT). test/package/vsixPretrained.mjs runs this file again with the
// extension unpacked from the .vsix (no node_modules: the WebAssembly ONNX Runtime).
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DashboardResults } from '../../src/protocol/dashboard';
import type { EncodingMessage } from '../../src/protocol/training';
import type { TrainingOutcome } from '../../src/extension/training';
import { api, EXTENSION_ID } from './helpers';

const ROWS = 30;
const WORDS: Record<string, string[]> = {
  good: ['great', 'excellent', 'love', 'wonderful', 'happy', 'best'],
  bad: ['awful', 'terrible', 'hate', 'broken', 'worst', 'sad'],
  sport: ['match', 'goal', 'team', 'score', 'league', 'coach'],
  money: ['bank', 'market', 'price', 'stock', 'loan', 'rate'],
  weather: ['rain', 'storm', 'sunny', 'wind', 'cloud', 'snow'],
};
const SHARED = ['the', 'a', 'of', 'and', 'report', 'today', 'people', 'time'];

function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

/** `ROWS` rows over `classes`, each three of its class's words among shared ones (deterministic). */
function textCsv(classes: readonly string[]): string {
  const lines = ['text,label'];
  for (let i = 0; i < ROWS; i++) {
    const c = classes[i % classes.length];
    const w = WORDS[c];
    lines.push(`${w[i % 6]} ${SHARED[i % 8]} ${w[(i + 2) % 6]} ${SHARED[(i + 3) % 8]} ${w[(i + 4) % 6]},${c}`);
  }
  return `${lines.join('\n')}\n`;
}

/** An experiment on the two text files with a pretrained encoder named `model`. */
function experiment(name: string, model: string, extra: object = {}): vscode.Uri {
  const path = join(ws(), name);
  writeFileSync(
    path,
    JSON.stringify(
      {
        version: 1,
        name: name.replace(/\.experiment\.json$/, ''),
        datasets: [
          { name: 'reviews', path: 'text-data/reviews.csv', label: 'label' },
          { name: 'news', path: 'text-data/news.csv', label: 'label' },
        ],
        features: ['text'],
        arms: ['separate', 'multihead'],
        text: { encoder: 'pretrained', model, maxTokens: 32 },
        model: { type: 'mlp', hidden: [] },
        training: { epochs: 3, batchSize: 16, learningRate: 0.02 },
        ...extra,
      },
      null,
      2,
    ),
  );
  return vscode.Uri.file(path);
}

const fixture = () => join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test', 'fixtures', 'models', 'tiny-bert');

describe('pretrained text encoder through Run Experiment', function () {
  this.timeout(180_000);

  before(() => {
    mkdirSync(join(ws(), 'text-data'), { recursive: true });
    writeFileSync(join(ws(), 'text-data', 'reviews.csv'), textCsv(['good', 'bad']));
    writeFileSync(join(ws(), 'text-data', 'news.csv'), textCsv(['sport', 'money', 'weather']));
    cpSync(fixture(), join(ws(), 'models', 'tiny-bert'), { recursive: true });
  });

  it('trains on the workspace model in a trusted window: results per dataset and arm, embedding progress reported', async () => {
    assert.equal(vscode.workspace.isTrusted, true, 'this window is trusted');
    const a = await api();
    const encoding: EncodingMessage[] = [];
    const sub = a.training.onDidEncode((m) => encoding.push(m));
    let outcome: TrainingOutcome | undefined;
    try {
      outcome = (await vscode.commands.executeCommand('datasetLab.runExperiment', experiment('bert.experiment.json', 'models/tiny-bert'))) as TrainingOutcome | undefined;
    } finally {
      sub.dispose();
    }
    assert.ok(outcome, 'an outcome');
    assert.equal(outcome.state, 'completed', outcome.error);
    const results = outcome.results as DashboardResults;
    assert.deepEqual(results.textFeatures, ['text']);
    assert.deepEqual(results.arms.map((x) => x.arm).sort(), ['multihead', 'separate']);
    for (const arm of results.arms) {
      assert.deepEqual(Object.keys(arm.bySource).sort(), ['news', 'reviews'], `${arm.arm}: a result per dataset`);
      for (const [source, m] of Object.entries(arm.bySource)) {
        assert.ok(m.task === 'classification' && m.n > 0 && Number.isFinite(m.accuracy) && Number.isFinite(m.macroF1), `${arm.arm}/${source}: ${JSON.stringify(m)}`);
        assert.deepEqual(Object.keys(m.perClass).sort(), source === 'news' ? ['money', 'sport', 'weather'] : ['bad', 'good'], `${arm.arm}/${source}: per-class F1`);
      }
    }
    // The trainer loaded the workspace's model (it refuses to in an untrusted workspace): trust reached it.
    assert.ok(outcome.runDir, 'a run folder');
    const saved = JSON.parse(readFileSync(join(outcome.runDir, 'models', 'multihead', 'text.json'), 'utf8')) as { pretrained?: { model: string } };
    assert.equal(saved.pretrained?.model, 'models/tiny-bert');
    // Each dataset's texts were embedded once, progress reported up to every text, none from the cache (a fresh workspace).
    for (const dataset of ['reviews', 'news']) {
      const mine = encoding.filter((m) => m.dataset === dataset);
      assert.ok(mine.length > 0, `no embedding progress for ${dataset}: ${JSON.stringify(encoding)}`);
      const last = mine[mine.length - 1];
      assert.deepEqual([last.column, last.model, last.cached, last.done], ['text', 'models/tiny-bert', false, last.total], JSON.stringify(last));
      assert.ok(last.total > 0 && last.total <= ROWS, JSON.stringify(last));
      assert.ok(mine.every((m, i) => i === 0 || m.done >= mine[i - 1].done), `progress only goes forward: ${JSON.stringify(mine)}`);
      // Which ONNX Runtime embedded them: native from a clone (node_modules beside the extension);
      // the bundled WebAssembly build from an unpacked .vsix (test/package/vsixPretrained.mjs sets this).
      const runtime = process.env.DATASET_LAB_TEST_ONNX_RUNTIME === 'wasm' ? /^ONNX Runtime Web \S+ \(WebAssembly, \d+ threads?\)$/ : /^ONNX Runtime \S+ \(native\)$/;
      assert.match(last.runtime ?? '', runtime, JSON.stringify(last));
    }
  });

  it('a model id missing from the local cache fails with a clear message while datasetLab.text.allowModelDownload is off, and is downloaded when it is on', async () => {
    // A Hugging Face-style mirror on this machine serving the fixture as someone/tiny-bert.
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const m = /^\/someone\/tiny-bert\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      const file = m ? join(fixture(), decodeURIComponent(m[1])) : '';
      if (!m || m[1].includes('..') || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end();
        return;
      }
      const bytes = readFileSync(file);
      res.writeHead(200, { 'content-length': bytes.length, 'content-type': 'application/octet-stream' }).end(bytes);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    // The training child inherits the extension host's environment: an empty model cache, the mirror.
    const cache = mkdtempSync(join(tmpdir(), 'dl-it-models-'));
    const env = { cache: process.env.DATASET_LAB_MODEL_CACHE, endpoint: process.env.HF_ENDPOINT };
    process.env.DATASET_LAB_MODEL_CACHE = cache;
    process.env.HF_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = () => vscode.workspace.getConfiguration('datasetLab');
    const before = config().inspect<boolean>('text.allowModelDownload')?.globalValue;
    try {
      const file = experiment('bert-id.experiment.json', 'someone/tiny-bert', { arms: ['multihead'], training: { epochs: 1, batchSize: 16 } });
      await config().update('text.allowModelDownload', false, vscode.ConfigurationTarget.Global);
      assert.equal(config().get('text.allowModelDownload'), false);
      const off = (await vscode.commands.executeCommand('datasetLab.runExperiment', file)) as TrainingOutcome | undefined;
      assert.equal(off?.state, 'failed', JSON.stringify(off));
      assert.match(off?.error ?? '', /^bad input: .*someone\/tiny-bert: model id not found in the local model cache \(.*someone[\\/]tiny-bert\) and downloading is off/);
      assert.equal(requests.length, 0, `nothing may be fetched while downloads are off: ${requests.join(' ')}`);

      await config().update('text.allowModelDownload', true, vscode.ConfigurationTarget.Global);
      const on = (await vscode.commands.executeCommand('datasetLab.runExperiment', file)) as TrainingOutcome | undefined;
      assert.equal(on?.state, 'completed', on?.error);
      for (const f of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) {
        assert.ok(requests.includes(`/someone/tiny-bert/resolve/main/${f}`), `${f} was not fetched: ${requests.join(' ')}`);
        assert.ok(readFileSync(join(cache, 'someone', 'tiny-bert', f)).equals(readFileSync(join(fixture(), f))), `${f} in the cache`);
      }
    } finally {
      await config().update('text.allowModelDownload', before, vscode.ConfigurationTarget.Global);
      server.close();
      for (const [k, v] of [['DATASET_LAB_MODEL_CACHE', env.cache], ['HF_ENDPOINT', env.endpoint]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
