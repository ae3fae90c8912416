#!/usr/bin/env node
// `npm run test:package`: the packaged extension as a user gets it. Packages the .vsix
// (`npm run package`, or --vsix FILE to reuse one), unpacks it into a temporary folder with no
// node_modules anywhere above it, and runs the packaged CLI (extension/dist/cli.js, which forks
// the packaged dist/trainer.js) on a small text experiment with "encoder": "pretrained" and the
// tiny BERT fixture copied into the workspace. Nothing may touch the network: a preload
// (NODE_OPTIONS, inherited by the trainer) records every attempt at fetch, http(s), net or
// dns, and the check fails on any. Checks: the run trains on ONNX Runtime's WebAssembly build
// (the log names it); asking for native ONNX Runtime says what to install; with the .wasm
// removed, the message names both runtimes and what to do; `predict` with the trained run works
// from the package too; and, when the test host is installed, the unpacked extension runs the
// integration suite's pretrained tests in code-server (Run Experiment on the WebAssembly
// runtime). Run it under the UI lock on a shared machine. Prints the .vsix size.
// Usage: node test/package/vsixPretrained.mjs [--vsix dataset-lab.vsix] [--keep]
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInstalled } from '../../scripts/test-host/install.mjs';
import { runExtensionTests } from '../../scripts/test-host/runExtensionTests.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const at = argv.indexOf('--vsix');
let vsix = at >= 0 ? resolve(argv[at + 1]) : join(repo, 'dataset-lab.vsix');
if (at < 0) {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  vsix = join(repo, 'dataset-lab.vsix');
}
assert.ok(existsSync(vsix), `${vsix} not found`);

const tmp = mkdtempSync(join(tmpdir(), 'dl-vsix-'));
const failures = [];
try {
  // A .vsix is a zip whose extension/ folder is what VS Code installs.
  execFileSync('unzip', ['-q', vsix, '-d', join(tmp, 'installed')]);
  const ext = join(tmp, 'installed', 'extension');
  const entries = [];
  const walk = (d) => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? (assert.notEqual(n, 'node_modules', `${join(d, n)} in the .vsix`), walk(join(d, n))) : entries.push(join(d, n))));
  walk(ext);
  for (const f of ['dist/cli.js', 'dist/trainer.js', 'dist/transformers-wasm.js', 'dist/ort-wasm-simd-threaded.wasm', 'dist/ort-wasm-simd-threaded.mjs']) assert.ok(existsSync(join(ext, f)), `${f} missing from the .vsix`);
  for (let d = tmp; dirname(d) !== d; d = dirname(d)) assert.ok(!existsSync(join(d, 'node_modules')), `${join(d, 'node_modules')} would be found by require`);

  // Offline: every way out of the process is recorded (and refused).
  const attempts = join(tmp, 'network-attempts.log');
  const offline = join(tmp, 'offline.cjs');
  writeFileSync(
    offline,
    `const fs = require('node:fs');
const refuse = (what) => function () { fs.appendFileSync(${JSON.stringify(attempts)}, what + ' ' + String(arguments[0]).slice(0, 200) + '\\n'); throw new Error('network access in an offline check: ' + what); };
globalThis.fetch = refuse('fetch');
for (const m of ['http', 'https']) { const mod = require('node:' + m); mod.request = refuse(m + '.request'); mod.get = refuse(m + '.get'); }
const net = require('node:net'); net.connect = net.createConnection = refuse('net.connect');
const dns = require('node:dns'); dns.lookup = refuse('dns.lookup');
`,
  );

  // A workspace: two small text datasets (seeded words per class) and the tiny BERT.
  const ws = join(tmp, 'workspace');
  mkdirSync(join(ws, 'data'), { recursive: true });
  cpSync(join(repo, 'test', 'fixtures', 'models', 'tiny-bert'), join(ws, 'models', 'tiny-bert'), { recursive: true });
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pools = { good: ['great', 'love', 'happy', 'best'], bad: ['awful', 'hate', 'broken', 'sad'], sport: ['match', 'goal', 'team', 'coach'], money: ['bank', 'market', 'price', 'loan'] };
  const shared = ['the', 'a', 'of', 'and', 'today', 'people', 'year'];
  const dataset = (classes) => ['text,label', ...Array.from({ length: 80 }, (_, i) => {
    const c = classes[i % classes.length];
    return `${Array.from({ length: 6 + Math.floor(rand() * 6) }, () => (rand() < 0.5 ? pools[c] : shared)[Math.floor(rand() * 4)]).join(' ')},${c}`;
  })].join('\n') + '\n';
  writeFileSync(join(ws, 'data', 'a.csv'), dataset(['good', 'bad']));
  writeFileSync(join(ws, 'data', 'b.csv'), dataset(['sport', 'money']));
  writeFileSync(
    join(ws, 'text.experiment.json'),
    JSON.stringify({
      version: 1,
      datasets: [
        { name: 'a', path: 'data/a.csv', label: 'label' },
        { name: 'b', path: 'data/b.csv', label: 'label' },
      ],
      features: ['text'],
      arms: ['separate', 'multihead'],
      text: { encoder: 'pretrained', model: 'models/tiny-bert', maxTokens: 32 },
      model: { type: 'mlp', hidden: [] },
      training: { epochs: 8, batchSize: 16, learningRate: 0.02 },
    }),
  );

  const env = { ...process.env, NODE_OPTIONS: `--require ${offline}`, DATASET_LAB_MODEL_CACHE: join(tmp, 'model-cache') };
  for (const k of ['NODE_PATH', 'DATASET_LAB_ONNX_RUNTIME', 'DATASET_LAB_BACKEND']) delete env[k];
  const run = (extraEnv = {}) => {
    rmSync(join(ws, '.dataset-lab'), { recursive: true, force: true });
    const started = Date.now();
    const p = spawnSync(process.execPath, [join(ext, 'dist', 'cli.js'), 'run', 'text.experiment.json', '--json'], { cwd: ws, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { code: p.status, out: p.stdout, err: p.stderr, seconds: (Date.now() - started) / 1000 };
  };
  const check = (name, fn) => {
    try {
      fn();
      console.log(`ok   ${name}`);
    } catch (e) {
      failures.push(name);
      console.log(`FAIL ${name}\n${e.message}`);
    }
  };

  check('the offline preload records an attempt (so an empty record means none)', () => {
    spawnSync(process.execPath, ['-e', "require('node:https').get('https://huggingface.co/')"], { env, encoding: 'utf8' });
    assert.match(readFileSync(attempts, 'utf8'), /^https\.get https:\/\/huggingface\.co\//);
    rmSync(attempts);
  });

  const auto = run();
  check('the packaged CLI trains a pretrained-encoder experiment on the bundled WebAssembly ONNX Runtime', () => {
    assert.equal(auto.code, 0, auto.err);
    const lines = auto.err.split('\n').filter((l) => l.startsWith('embedded '));
    assert.equal(lines.length, 2, auto.err);
    for (const l of lines) assert.match(l, /^embedded 80 texts of [ab]\/text with models\/tiny-bert: [\d,.]+ texts\/s on ONNX Runtime Web \S+ \(WebAssembly, \d+ threads?\)$/);
    const results = JSON.parse(auto.out);
    assert.deepEqual(results.arms.map((a) => a.arm).sort(), ['multihead', 'separate']);
    for (const arm of results.arms) for (const [ds, m] of Object.entries(arm.bySource)) assert.ok(m.accuracy > 0.6, `${arm.arm}/${ds}: accuracy ${m.accuracy}`);
    console.log(`     ${lines[0]} (whole run ${auto.seconds.toFixed(1)} s)`);
  });

  check('the packaged CLI predicts with the trained run, embedding the new rows on the same runtime', () => {
    const runDir = join(ws, '.dataset-lab', 'runs', JSON.parse(auto.out).runId);
    // New rows (the generator goes on), so their embeddings are computed, not read from the cache.
    writeFileSync(join(ws, 'data', 'new.csv'), dataset(['sport', 'money']));
    const cache = join(ws, '.dataset-lab', 'cache', 'embeddings');
    const before = readdirSync(cache).length;
    const p = spawnSync(process.execPath, [join(ext, 'dist', 'cli.js'), 'predict', runDir, 'data/new.csv', '--arm', 'multihead', '--dataset', 'b'], { cwd: ws, env, encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    assert.equal(readdirSync(cache).length, before + 1, 'predict embedded the new texts');
    const predicted = p.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    const labels = readFileSync(join(ws, 'data', 'new.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    assert.equal(predicted.length, labels.length);
    assert.ok(predicted.filter((v, i) => v === labels[i]).length / labels.length > 0.6, p.stdout.slice(0, 500));
  });

  const native = run({ DATASET_LAB_ONNX_RUNTIME: 'native' });
  check('asking the packaged extension for native ONNX Runtime says what to install', () => {
    assert.equal(native.code, 2, native.err);
    assert.match(native.err, /@huggingface\/transformers: onnxruntime-node cannot be loaded \(Cannot find module '@huggingface\/transformers'.*\); DATASET_LAB_ONNX_RUNTIME=native asks for it: npm install @huggingface\/transformers in .*workspace, or unset DATASET_LAB_ONNX_RUNTIME/);
  });

  // In VS Code: the extension unpacked from the .vsix runs the integration suite's pretrained
  // tests (Run Experiment, the download setting) in code-server, expecting the WebAssembly runtime.
  if (isInstalled()) {
    const testsPath = join(repo, 'out', 'test', 'integration', 'index.js');
    // The tests read the model fixture from the extension's folder, which a .vsix does not carry.
    cpSync(join(repo, 'test', 'fixtures', 'models', 'tiny-bert'), join(ext, 'test', 'fixtures', 'models', 'tiny-bert'), { recursive: true });
    let code = 1;
    if (existsSync(testsPath)) {
      code = await runExtensionTests({
        extensionPath: ext,
        testsPath,
        workspace: join(repo, 'test', 'fixtures', 'workspace'),
        timeoutMs: 4 * 60_000,
        env: { DATASET_LAB_TEST_GREP: 'pretrained text encoder through Run Experiment', DATASET_LAB_TEST_ONNX_RUNTIME: 'wasm' },
      });
    }
    check('in VS Code, the extension unpacked from the .vsix trains a pretrained-encoder experiment through Run Experiment on the WebAssembly runtime', () => {
      assert.ok(existsSync(testsPath), `${testsPath} missing: run "node esbuild.mjs --tests" first`);
      assert.equal(code, 0, 'the integration tests above failed');
    });
    rmSync(join(ext, 'test'), { recursive: true, force: true });
  } else console.log('skip the VS Code check: no test host (node scripts/test-host/install.mjs installs it)');

  rmSync(join(ext, 'dist', 'ort-wasm-simd-threaded.wasm'));
  const neither = run();
  check('with neither runtime loadable, the message names both reasons and what to do', () => {
    assert.equal(neither.code, 2, neither.err);
    assert.match(neither.err, /@huggingface\/transformers: cannot be loaded: onnxruntime-node does not load \(Cannot find module '@huggingface\/transformers'.*\) and the WebAssembly runtime bundled with Dataset Lab does not load \(.*ort-wasm-simd-threaded\.wasm is missing\); pretrained encoders need one of them: reinstall Dataset Lab, or npm install @huggingface\/transformers in .*workspace/);
  });

  check('nothing tried the network', () => {
    assert.equal(existsSync(attempts) ? readFileSync(attempts, 'utf8') : '', '');
  });
  console.log(`${vsix}: ${(statSync(vsix).size / 1e6).toFixed(2)} MB, ${entries.length} files`);
} finally {
  if (!argv.includes('--keep')) rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
