// Gradual unfreezing of a TF.js layers encoder (text.unfreeze): the real engine (runArms) trains
// a multihead model on a layers encoder this test builds (an embedding, a pooling layer without
// weights and two dense layers) and saves in the workspace; after every epoch the test reads the
// encoder's weights from the TF.js engine and says which layers moved in that epoch.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tfjs from '@tensorflow/tfjs';
import { initBackend, type TF } from '../../../../src/training/backend';
import { prepareSources } from '../../../../src/training/data';
import { runArms } from '../../../../src/training/engine';
import { loadExperiment } from '../../../../src/training/experiment';
import type { ModelFile } from '../../../../src/training/modelPlan';
import { readDatasets } from '../../../../src/training/readDatasets';
import { unfrozenLayerCount } from '../../../../src/training/text/textSpec';
import { textExperiment, textWorkspace } from './textData';
import { layersModelFiles } from '../../../../src/training/text/layersEncoder';

const LAYERS = ['enc_embed', 'enc_mid', 'enc_top'] as const;
const VOCAB = 40;

type Weights = Map<string, Map<string, Float32Array>>;

/** A word-level tokenizer.json (Hugging Face format) over the test data's words, and the encoder beside it; returns its weights as saved. */
async function saveEncoder(tf: TF, dir: string): Promise<Weights> {
  const words = ['[PAD]', '[UNK]', ...'the a of and report today people time year work day new great excellent love wonderful happy best awful terrible hate broken worst sad match goal team score league coach bank market price stock loan rate rain storm sunny wind cloud snow'.split(' ')];
  const vocab = Object.fromEntries(words.slice(0, VOCAB).map((w, i) => [w, i]));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
  const m = tf.sequential();
  m.add(tf.layers.embedding({ name: 'enc_embed', inputDim: VOCAB, outputDim: 6, inputLength: 16 }));
  m.add(tf.layers.globalAveragePooling1d({ name: 'enc_pool' }));
  m.add(tf.layers.dense({ name: 'enc_mid', units: 6, activation: 'tanh' }));
  m.add(tf.layers.dense({ name: 'enc_top', units: 4, activation: 'tanh' }));
  const folder = join(dir, 'encoder');
  mkdirSync(folder);
  // The files a run's model folder holds (TF.js layers format), as the trainer writes them.
  for (const file of await layersModelFiles(tf, m, '.')) writeFileSync(join(folder, file.name), file.bytes);
  const saved: Weights = new Map();
  for (const l of LAYERS) saved.set(l, new Map(m.getLayer(l).weights.map((w) => [w.originalName.split('/').pop() as string, Float32Array.from(w.read().dataSync() as Float32Array)])));
  m.dispose();
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(tokenizer));
  return saved;
}

/** The encoder's weights now, per layer and weight, from the variables the engine holds (the run's loaded copy is the only one). */
function layerWeights(tf: TF): Weights {
  const out: Weights = new Map();
  for (const [name, v] of Object.entries(tf.engine().registeredVariables as Record<string, tfjs.Variable>)) {
    // tfjs keeps variable names unique with a suffix: enc_embed/embeddings_1 when loaded a second time.
    const m = /^(enc_[a-z]+)(?:_\d+)?\/([a-z]+)(?:_\d+)?$/.exec(name);
    const layer = LAYERS.find((l) => l === m?.[1]);
    if (!m || !layer || v.isDisposed) continue;
    if (!out.has(layer)) out.set(layer, new Map());
    out.get(layer)?.set(m[2], Float32Array.from(v.dataSync() as Float32Array));
  }
  return out;
}

function changed(a: Weights, b: Weights, layer: string): boolean {
  const x = a.get(layer) as Map<string, Float32Array>;
  const y = b.get(layer) as Map<string, Float32Array>;
  assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort(), `${layer}: the same weights`);
  return [...x].some(([k, v]) => v.some((e, i) => e !== (y.get(k) as Float32Array)[i]));
}

/** Trains the multihead arm; per epoch, the encoder layers whose weights changed in it. */
async function movedPerEpoch(text: Record<string, unknown>, epochs: number): Promise<{ moved: string[][]; saved: readonly ModelFile[] }> {
  const { tf } = await initBackend();
  const dir = textWorkspace({ rows: 80 });
  let before = await saveEncoder(tf, dir);
  const file = textExperiment(dir, {
    features: ['text'],
    arms: ['multihead'],
    text: { encoder: 'layers', model: 'encoder', ...text },
    training: { epochs, batchSize: 16, learningRate: 0.02, seed: 5, earlyStopping: { patience: 1000 } },
  });
  const exp = loadExperiment(join(dir, file));
  const data = prepareSources(exp, await readDatasets(exp));
  const moved: string[][] = [];
  let saved: readonly ModelFile[] = [];
  const res = await runArms(exp, data, ['multihead'], tf, {
    onEpoch: (r) => {
      const now = layerWeights(tf);
      assert.deepEqual([...now.keys()].sort(), [...LAYERS].sort(), `epoch ${r.epoch}: the encoder's variables`);
      moved.push(LAYERS.filter((l) => changed(before, now, l)));
      before = now;
    },
    saveModel: async (_meta, _model, files) => {
      saved = files ?? [];
    },
  });
  assert.equal(res.arms[0].epochs, epochs, 'every epoch ran');
  return { moved, saved };
}

test('unfrozenLayerCount: none while frozen, then all at once, or the top layer and one more every K epochs', () => {
  assert.deepEqual([1, 2, 3, 4].map((e) => unfrozenLayerCount(e, 2, 'all', 3)), [0, 0, 3, 3]);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((e) => unfrozenLayerCount(e, 1, { everyEpochs: 2 }, 3)), [0, 1, 1, 2, 2, 3, 3, 3]);
  assert.deepEqual([1, 2, 3].map((e) => unfrozenLayerCount(e, 0, { everyEpochs: 1 }, 2)), [1, 2, 2]);
});

test('gradual unfreezing: after the frozen epoch the top layer learns alone, then one more layer every 2 epochs, down to the embedding', async () => {
  const { moved, saved } = await movedPerEpoch({ freezeEpochs: 1, unfreeze: { everyEpochs: 2 } }, 7);
  const top = ['enc_top'];
  const two = ['enc_mid', 'enc_top'];
  const all = ['enc_embed', 'enc_mid', 'enc_top'];
  assert.deepEqual(moved, [[], top, top, two, two, all, all]);
  savedTrainable(saved);
});

/**
 * The saved encoder's layers are all trainable: the schedule marks weights, not layers (a layer
 * saved as not trainable would stay frozen for whoever loads the model next).
 */
function savedTrainable(saved: readonly ModelFile[]): void {
  const modelJson = saved.find((f) => f.name === 'encoder/model.json');
  assert.ok(modelJson, `saved files: ${saved.map((f) => f.name).join(', ')}`);
  const topology = JSON.parse(modelJson.bytes.toString()).modelTopology;
  const layers = (topology.model_config ?? topology).config.layers as { config: { name: string; trainable: boolean } }[];
  assert.deepEqual(layers.map((l) => l.config.name), ['enc_embed', 'enc_pool', 'enc_mid', 'enc_top']);
  for (const l of layers) assert.equal(l.config.trainable, true, `${l.config.name} saved as not trainable`);
}

test('unfreeze "all" (the default): every layer learns from the first epoch after freezeEpochs', async () => {
  const { moved } = await movedPerEpoch({ freezeEpochs: 2 }, 4);
  assert.deepEqual(moved, [[], [], [...LAYERS], [...LAYERS]]);
});

test('an encoder frozen for the whole run does not move, and is saved with its layers trainable', async () => {
  const { moved, saved } = await movedPerEpoch({ freezeEpochs: 10, unfreeze: { everyEpochs: 1 } }, 2);
  assert.deepEqual(moved, [[], []]);
  savedTrainable(saved);
});
