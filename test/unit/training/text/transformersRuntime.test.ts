// The two ONNX Runtimes pretrained encoders run on (build first: the WebAssembly one is
// dist/transformers-wasm.js with ONNX Runtime's .wasm beside it, and `run` forks dist/trainer.js):
// onnxruntime-node (native) and ONNX Runtime's WebAssembly build bundled with Dataset Lab. Both load
// test/fixtures/models/tiny-bert (scripts/make-tiny-bert.py; reference.json holds torch's
// embeddings) and must give the same sentence embeddings. The packaged extension, unpacked without
// node_modules, is checked by test/package/vsixPretrained.mjs.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { PretrainedEncoder } from '../../../../src/training/text/pretrainedEncoder';
import { defaultTextContext } from '../../../../src/training/text/textContext';
import { bundledTransformersScript, loadTransformers, ORT_WASM_BINARY } from '../../../../src/training/text/transformersRuntime';
import { cli, readJson, textExperiment, textWorkspace } from './textData';

const repo = resolve(__dirname, '..', '..', '..', '..', '..');
const fixture = join(repo, 'test', 'fixtures', 'models', 'tiny-bert');
const model = { ref: fixture, folder: fixture, source: 'workspace' as const };

interface Reference {
  texts: string[];
  embeddings: number[][];
}

async function embedWith(runtime: 'native' | 'wasm', texts: readonly string[], batchSize: number, maxTokens: number) {
  const encoder = await PretrainedEncoder.load(model, defaultTextContext(), repo, runtime);
  try {
    return { ...(await encoder.embed(texts, batchSize, maxTokens)), runtime: encoder.runtime };
  } finally {
    await encoder.dispose();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the bundled WebAssembly runtime is dist/transformers-wasm.js with ONNX Runtime\'s .wasm beside it, pointed at that folder (never a CDN)', () => {
  const script = bundledTransformersScript();
  assert.equal(script, join(repo, 'dist', 'transformers-wasm.js'));
  assert.ok(existsSync(join(repo, 'dist', ORT_WASM_BINARY)));
  const { hf, runtime } = loadTransformers(repo, 'wasm');
  assert.equal(runtime, 'wasm');
  assert.equal(hf.env.backends.onnx.wasm?.wasmPaths, `file://${join(repo, 'dist')}/`);
  assert.match(hf.env.backends.onnx.versions?.web ?? '', /^\d+\.\d+\.\d+/);
  // The native library is another module: asking for it does not return the bundled copy.
  const native = loadTransformers(repo, 'native');
  assert.equal(native.runtime, 'native');
  assert.notEqual(native.hf, hf);
  assert.match(native.hf.env.backends.onnx.versions?.node ?? '', /^\d+\.\d+\.\d+/);
});

test('WebAssembly and native ONNX Runtime give the same sentence embeddings (max abs difference < 1e-5), and both equal torch\'s', async () => {
  const ref = readJson<Reference>(fixture, 'reference.json');
  // Texts of many lengths in padded batches, some truncated at 16 tokens: the attention mask and truncation matter.
  const texts = [...ref.texts, ...readFileSync(join(repo, 'examples', 'text', 'spam.csv'), 'utf8').split('\n').slice(1, 41)];
  for (const [batch, maxTokens] of [[2, 128], [16, 16]] as const) {
    const native = await embedWith('native', texts, batch, maxTokens);
    const wasm = await embedWith('wasm', texts, batch, maxTokens);
    assert.match(native.runtime, /^ONNX Runtime \d+\.\d+\.\d+\S* \(native\)$/);
    assert.match(wasm.runtime, /^ONNX Runtime Web \d+\.\d+\.\d+\S* \(WebAssembly, \d+ threads?\)$/);
    assert.equal(wasm.dim, native.dim);
    const diff = maxAbsDiff(wasm.values, native.values);
    assert.ok(diff < 1e-5, `batch ${batch}, maxTokens ${maxTokens}: max abs difference ${diff}`);
    if (maxTokens === 128) {
      const torch = ref.embeddings.flat();
      assert.ok(maxAbsDiff(wasm.values.subarray(0, torch.length), torch) < 1e-5);
      assert.ok(maxAbsDiff(native.values.subarray(0, torch.length), torch) < 1e-5);
    }
  }
});

test('DATASET_LAB_ONNX_RUNTIME: an unknown value is refused with the values it takes', () => {
  assert.throws(() => loadTransformers(repo, 'gpu'), /DATASET_LAB_ONNX_RUNTIME: "gpu" is not an ONNX Runtime for pretrained encoders: use native or wasm/);
});

test('a run on the WebAssembly runtime trains and says which runtime embedded the texts', async () => {
  const dir = textWorkspace({ rows: 60 });
  cpSync(fixture, join(dir, 'models', 'tiny-bert'), { recursive: true });
  const file = textExperiment(dir, { features: ['text'], arms: ['multihead'], text: { encoder: 'pretrained', model: 'models/tiny-bert', maxTokens: 32 }, training: { epochs: 4, batchSize: 16, learningRate: 0.02 } });
  const saved = process.env.DATASET_LAB_ONNX_RUNTIME;
  process.env.DATASET_LAB_ONNX_RUNTIME = 'wasm';
  try {
    const r = await cli(['run', file, '--json'], dir);
    assert.equal(r.code, 0, r.err);
    const lines = r.err.split('\n').filter((l) => l.startsWith('embedded '));
    assert.equal(lines.length, 2, r.err);
    for (const l of lines) assert.match(l, /^embedded 60 texts of [ab]\/text with models\/tiny-bert: [\d,.]+ texts\/s on ONNX Runtime Web \S+ \(WebAssembly, \d+ threads?\)$/);
    assert.equal(JSON.parse(r.out).arms[0].arm, 'multihead');
  } finally {
    if (saved === undefined) delete process.env.DATASET_LAB_ONNX_RUNTIME;
    else process.env.DATASET_LAB_ONNX_RUNTIME = saved;
  }
});
