/**
 * Trains one model of a plan whose features include text columns. Everything fitted comes from
 * the plan's training rows alone: the numeric and categorical preprocessing (preprocess.ts), the
 * vocabularies and idf of scratch encoders (textFeatures.ts), the standardisation of pretrained
 * embeddings (pretrainedEncoder.ts). Rows are packed (dense features, then each text column's
 * tokens), the network is the MLP behind a text front end (textNetwork.ts), and training,
 * evaluation and saving are trainModel.ts's network path.
 */
import { dirname, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { TF } from '../backend';
import { SPLIT_TRAIN, splitPositions, type PreparedData } from '../data';
import type { ResolvedExperiment } from '../experiment';
import type { SplitData } from '../modelData';
import type { ModelFile, ModelMeta, ModelPlan } from '../modelPlan';
import { fitPreprocessing } from '../preprocess';
import { trainNetworkModel, type EngineHooks, type TrainedModel } from '../trainModel';
import { registerWasmSegmentSum } from '../kernels/segmentSum';
import { TextEncoders, type EncodedColumn, type TextLayout } from './textEncoders';
import { FIRST_TOKEN_ID, TextPacker, TokenCache, fitTextColumn, packedWidth, type FittedTextColumn } from './textFeatures';
import { ENCODER_WEIGHTS_FILE, TEXT_MODEL_FILE, TOKENIZER_COPY_FILE, encoderBytes, type SavedTextModel } from './textModelStore';
import { TextNetwork } from './textNetwork';
import { DEFAULT_TEXT_SPEC, type TextSpec } from './textSpec';
import { PieceTokenizer, TextModelError, wordTokenizer, type TextTokenizer } from './textTokenizer';
import { ExperimentError } from '../experiment';
import { trainPretrainedModel } from './trainPretrained';
import { trainLayersModel } from './trainLayers';
import { textSplits } from './textSplits';

/** The experiment's text settings, defaults filled in. */
export function textSpecOf(exp: ResolvedExperiment): TextSpec {
  return exp.text ?? DEFAULT_TEXT_SPEC;
}

/** Whether the prepared data has text features (trainModel sends such plans here). */
export function hasTextFeatures(data: PreparedData): boolean {
  return data.features.some((f) => f.type === 'text');
}

/** The tokenizer of scratch encoders: the word tokenizer, or the experiment's tokenizer.json. */
export function scratchTokenizer(exp: ResolvedExperiment, spec: TextSpec): TextTokenizer {
  if (spec.tokenizer === 'word' || spec.tokenizerFile === undefined) return wordTokenizer;
  return new PieceTokenizer(resolve(dirname(exp.file), spec.tokenizerFile));
}

/** One split's rows packed: each row's dense features, then each text column's packed tokens. */
export function packSplit(plan: ModelPlan, split: SplitData, which: number, layout: TextLayout, packers: readonly TextPacker[], cache: TokenCache): SplitData {
  const x = new Float32Array(split.n * layout.inputs);
  let i = 0;
  plan.sources.forEach((s) => {
    for (const k of splitPositions(s, which)) {
      const r = s.rows[k];
      const at = i * layout.inputs;
      for (let j = 0; j < split.d; j++) x[at + j] = split.x[i * split.d + j];
      layout.columns.forEach((c, ci) => packers[ci].pack(cache.tokens(s.table, c.name, r), x, at + c.offset));
      i++;
    }
  });
  return { ...split, x, d: layout.inputs };
}

export async function trainTextModel(plan: ModelPlan, exp: ResolvedExperiment, data: PreparedData, tf: TF, hooks: EngineHooks): Promise<TrainedModel> {
  const spec = textSpecOf(exp);
  try {
    if (spec.encoder === 'pretrained') return await trainPretrainedModel(plan, exp, data, tf, hooks, spec);
    if (spec.encoder === 'layers') return await trainLayersModel(plan, exp, data, tf, hooks, spec);
    return await trainScratchModel(plan, exp, data, tf, hooks, spec);
  } catch (e) {
    // A model or tokenizer file the experiment names is input: reported at $.text like the rest of the file.
    if (e instanceof TextModelError) throw new ExperimentError([{ file: exp.file, path: spec.encoder === 'bag' || spec.encoder === 'conv' ? '$.text.tokenizerFile' : '$.text.model', message: e.message }]);
    throw e;
  }
}

async function trainScratchModel(plan: ModelPlan, exp: ResolvedExperiment, data: PreparedData, tf: TF, hooks: EngineHooks, spec: TextSpec): Promise<TrainedModel> {
  if (spec.encoder !== 'bag' && spec.encoder !== 'conv') throw new Error(`not a scratch encoder: ${spec.encoder}`);
  registerWasmSegmentSum(tf);
  const trainSets = plan.sources.map((s) => ({ table: s.table, rows: Int32Array.from(splitPositions(s, SPLIT_TRAIN), (k) => s.rows[k]) }));
  const prep = fitPreprocessing(trainSets, data.features, exp.preprocessing);
  const textColumns = data.features.filter((f) => f.type === 'text').map((f) => f.name);
  const tokenizer = scratchTokenizer(exp, spec);
  const cache = new TokenCache(tokenizer);
  const fitted: FittedTextColumn[] = textColumns.map((name) => fitTextColumn(name, trainSets, cache, spec));
  const encoder = spec.encoder;
  // A convolution needs at least one full window per cell.
  const maxTokens = encoder === 'conv' ? Math.max(spec.maxTokens, spec.kernelSize) : spec.maxTokens;
  const dense = prep.outputs.length;
  let offset = dense;
  const columns: EncodedColumn[] = fitted.map((f) => {
    const c: EncodedColumn = { name: f.name, encoder, offset, maxTokens, outWidth: encoder === 'conv' ? spec.filters : spec.embedding, ids: f.vocabulary.length + FIRST_TOKEN_ID, embedding: spec.embedding, kernelSize: spec.kernelSize };
    offset += packedWidth(encoder, maxTokens);
    return c;
  });
  const layout: TextLayout = { dense, columns, inputs: offset, features: dense + columns.reduce((a, c) => a + c.outWidth, 0) };
  const packers = fitted.map((f) => new TextPacker(f, encoder, spec.pooling, maxTokens));

  const { train, validation, test } = textSplits(plan, exp, prep, trainSets.map((t) => t.rows.length), (split, which) => packSplit(plan, split, which, layout, packers, cache));

  const meta: ModelMeta = { format: 'dataset-lab-model', version: 1, arm: plan.arm, id: plan.id, kind: 'mlp', preprocessing: prep, heads: plan.heads };
  let encoders: TextEncoders | undefined;
  return trainNetworkModel(plan, exp, { train, validation, test }, tf, hooks, {
    stepper: 'tfjs',
    network: (netSpec) => {
      encoders = new TextEncoders(tf, layout, exp.training.seed);
      return new TextNetwork(tf, netSpec, exp.training.seed, encoders);
    },
    save: async (network, scales) => {
      const enc = encoders as TextEncoders;
      const weights = enc.weights();
      const saved: SavedTextModel = {
        format: 'dataset-lab-text',
        version: 1,
        spec,
        layout,
        columns: fitted,
        weights: weights.map((w) => w.spec),
        tokenizer: tokenizer.kind,
        denseOutputs: dense,
      };
      const files: ModelFile[] = [
        { name: TEXT_MODEL_FILE, bytes: Buffer.from(JSON.stringify(saved, null, 1)) },
        { name: ENCODER_WEIGHTS_FILE, bytes: encoderBytes(weights.map((w) => w.variable.dataSync() as Float32Array)) },
      ];
      if (tokenizer instanceof PieceTokenizer) files.push({ name: TOKENIZER_COPY_FILE, bytes: readFileSync(tokenizer.file) });
      const model = network.toLayersModel(scales);
      try {
        await hooks.saveModel?.(meta, model, files);
      } finally {
        model.dispose();
      }
    },
  });
}
