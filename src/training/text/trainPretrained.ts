/**
 * A model on a pretrained encoder's sentence embeddings: the encoder stays frozen, so each text
 * column's embeddings are computed once (pretrainedFeatures.ts) and become dense features,
 * standardised per dimension with the training rows' mean and spread; the trunk (model.hidden,
 * optional) and the per-dataset heads train on them through trainModel.ts's network path (the
 * fused WASM step applies: the features are dense). text.json records the model, its
 * fingerprint and the standardisation, which `predict` uses on new rows.
 */
import type { TF } from '../backend';
import { SPLIT_TRAIN, splitPositions, type PreparedData } from '../data';
import type { ResolvedExperiment } from '../experiment';
import type { SplitData } from '../modelData';
import type { ModelMeta, ModelPlan } from '../modelPlan';
import { fitPreprocessing } from '../preprocess';
import { trainNetworkModel, type EngineHooks, type TrainedModel } from '../trainModel';
import { modelFingerprint, resolvePretrained } from './pretrainedEncoder';
import { columnEmbeddings, encoderFor, type ColumnEmbeddings } from './pretrainedFeatures';
import { defaultTextContext } from './textContext';
import { TEXT_MODEL_FILE, type SavedPretrainedColumn, type SavedTextModel } from './textModelStore';
import type { TextSpec } from './textSpec';
import { textSplits } from './textSplits';

/** Standardisation of embedding dimensions from the training rows only. */
export function fitEmbeddingScale(rows: readonly Float32Array[], dim: number): { center: number[]; scale: number[] } {
  const center = new Array<number>(dim).fill(0);
  const scale = new Array<number>(dim).fill(0);
  for (const v of rows) for (let d = 0; d < dim; d++) center[d] += v[d];
  for (let d = 0; d < dim; d++) center[d] /= Math.max(1, rows.length);
  for (const v of rows) for (let d = 0; d < dim; d++) scale[d] += (v[d] - center[d]) ** 2;
  for (let d = 0; d < dim; d++) {
    const sd = Math.sqrt(scale[d] / Math.max(1, rows.length));
    scale[d] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return { center, scale };
}

export async function trainPretrainedModel(plan: ModelPlan, exp: ResolvedExperiment, data: PreparedData, tf: TF, hooks: EngineHooks, spec: TextSpec): Promise<TrainedModel> {
  const ctx = hooks.text ?? defaultTextContext();
  const model = resolvePretrained(spec.model as string, exp.file, exp.root, ctx);
  // A model to download has no files yet: load it first (the download), then fingerprint what came.
  const fingerprint = model.source === 'download' ? (await encoderFor(model, ctx, exp.root)).fingerprint : modelFingerprint(model.folder);
  const trainSets = plan.sources.map((s) => ({ table: s.table, rows: Int32Array.from(splitPositions(s, SPLIT_TRAIN), (k) => s.rows[k]) }));
  const prep = fitPreprocessing(trainSets, data.features, exp.preprocessing);
  const textColumns = data.features.filter((f) => f.type === 'text').map((f) => f.name);
  // Per source, per text column.
  const embeddings: ColumnEmbeddings[][] = [];
  for (const s of plan.sources) {
    const perColumn: ColumnEmbeddings[] = [];
    for (const name of textColumns) perColumn.push(await columnEmbeddings(model, fingerprint, s.table, s.name, name, spec.maxTokens, spec.batchSize, exp.root, ctx));
    embeddings.push(perColumn);
  }
  const dense = prep.outputs.length;
  let offset = dense;
  const columns: SavedPretrainedColumn[] = textColumns.map((name, k) => {
    const dim = embeddings[0][k].dim;
    const train = plan.sources.flatMap((_, si) => Array.from(trainSets[si].rows, (r) => embeddings[si][k].row(r)));
    const c = { name, offset, width: dim, ...fitEmbeddingScale(train, dim) };
    offset += dim;
    return c;
  });
  const width = offset;
  const widen = (split: SplitData, which: number): SplitData => {
    const x = new Float32Array(split.n * width);
    let i = 0;
    plan.sources.forEach((s, si) => {
      for (const k of splitPositions(s, which)) {
        const r = s.rows[k];
        for (let j = 0; j < dense; j++) x[i * width + j] = split.x[i * dense + j];
        columns.forEach((c, ci) => {
          const v = embeddings[si][ci].row(r);
          for (let d = 0; d < c.width; d++) x[i * width + c.offset + d] = (v[d] - c.center[d]) / c.scale[d];
        });
        i++;
      }
    });
    return { ...split, x, d: width };
  };
  const { train, validation, test } = textSplits(plan, exp, prep, trainSets.map((t) => t.rows.length), widen);
  const meta: ModelMeta = { format: 'dataset-lab-model', version: 1, arm: plan.arm, id: plan.id, kind: 'mlp', preprocessing: prep, heads: plan.heads };
  return trainNetworkModel(plan, exp, { train, validation, test }, tf, hooks, {
    save: async (network, scales) => {
      const saved: SavedTextModel = {
        format: 'dataset-lab-text',
        version: 1,
        spec,
        layout: { dense: width, columns: [], inputs: width, features: width },
        columns: [],
        weights: [],
        tokenizer: 'wordpiece',
        pretrained: { model: model.ref, folder: model.folder, fingerprint, columns },
        denseOutputs: dense,
      };
      const layers = network.toLayersModel(scales);
      try {
        await hooks.saveModel?.(meta, layers, [{ name: TEXT_MODEL_FILE, bytes: Buffer.from(JSON.stringify(saved, null, 1)) }]);
      } finally {
        layers.dispose();
      }
    },
  });
}
