/**
 * A model on a TF.js LayersModel encoder from the workspace (layersEncoder.ts), trained with the
 * heads: for the first `freezeEpochs` epochs only the trunk and heads learn (the encoder's
 * gradient is cut, textEncoders.ts), then everything does, or (`unfreeze: {everyEpochs: K}`)
 * the encoder's top layer first and one more layer every K epochs. The encoder's own tokenizer gives the
 * ids, so no vocabulary is fitted. The trained encoder is saved under the model folder's
 * encoder/ with a copy of its tokenizer, so `predict` does not depend on the workspace's copy.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { confinementProblem } from '../../core/paths';
import type { TF } from '../backend';
import { SPLIT_TRAIN, splitPositions, type PreparedData } from '../data';
import type { ResolvedExperiment } from '../experiment';
import { registerWasmSegmentSum } from '../kernels/segmentSum';
import type { SplitData } from '../modelData';
import type { ModelMeta, ModelPlan } from '../modelPlan';
import { fitPreprocessing } from '../preprocess';
import { trainNetworkModel, type EngineHooks, type TrainedModel } from '../trainModel';
import { encoderIds, layersModelFiles, loadLayersEncoder } from './layersEncoder';
import { requireTrust } from './pretrainedEncoder';
import { defaultTextContext } from './textContext';
import { TextEncoders, type EncodedColumn, type TextLayout } from './textEncoders';
import { LAYERS_ENCODER_DIR, TEXT_MODEL_FILE, type SavedTextModel } from './textModelStore';
import { TextNetwork } from './textNetwork';
import { textSplits } from './textSplits';
import type { TextSpec } from './textSpec';
import { TextModelError } from './textTokenizer';
import { columnByName, categoryAt, isStringColumn, type DataTable } from '../../core/table';

/** A cell's text as the encoder's tokenizer reads it ('' when missing). */
export function cellText(table: DataTable, column: string, r: number): string {
  const col = columnByName(table, column);
  if (!col) throw new Error(`text column "${column}" not found in ${table.path}`);
  if (isStringColumn(col)) return categoryAt(col, r) ?? '';
  return col.type === 'numeric' && !Number.isNaN(col.values[r]) ? String(col.values[r]) : '';
}

export async function trainLayersModel(plan: ModelPlan, exp: ResolvedExperiment, data: PreparedData, tf: TF, hooks: EngineHooks, spec: TextSpec): Promise<TrainedModel> {
  const ctx = hooks.text ?? defaultTextContext();
  const ref = spec.model as string;
  requireTrust(ctx, ref);
  const folder = resolve(dirname(exp.file), ref);
  const outside = confinementProblem(exp.root, folder, ref);
  if (outside) throw new TextModelError(ref, `${outside}; model folders must stay inside it`);
  registerWasmSegmentSum(tf);
  const encoder = await loadLayersEncoder(tf, folder, spec.maxTokens);
  const trainSets = plan.sources.map((s) => ({ table: s.table, rows: Int32Array.from(splitPositions(s, SPLIT_TRAIN), (k) => s.rows[k]) }));
  const prep = fitPreprocessing(trainSets, data.features, exp.preprocessing);
  const textColumns = data.features.filter((f) => f.type === 'text').map((f) => f.name);
  const dense = prep.outputs.length;
  let offset = dense;
  const columns: EncodedColumn[] = textColumns.map((name) => {
    const c: EncodedColumn = { name, encoder: 'layers', offset, maxTokens: encoder.length, outWidth: encoder.width, ids: 0, embedding: 0, kernelSize: 0 };
    offset += encoder.length;
    return c;
  });
  const layout: TextLayout = { dense, columns, inputs: offset, features: dense + columns.length * encoder.width };
  const pack = (split: SplitData, which: number): SplitData => {
    const x = new Float32Array(split.n * layout.inputs);
    let i = 0;
    for (const s of plan.sources) {
      for (const k of splitPositions(s, which)) {
        const r = s.rows[k];
        for (let j = 0; j < dense; j++) x[i * layout.inputs + j] = split.x[i * dense + j];
        for (const c of columns) encoderIds(encoder.tokenizer, cellText(s.table, c.name, r), c.maxTokens, x, i * layout.inputs + c.offset);
        i++;
      }
    }
    return { ...split, x, d: layout.inputs };
  };
  const { train, validation, test } = textSplits(plan, exp, prep, trainSets.map((t) => t.rows.length), pack);
  const meta: ModelMeta = { format: 'dataset-lab-model', version: 1, arm: plan.arm, id: plan.id, kind: 'mlp', preprocessing: prep, heads: plan.heads };
  // Every text column reads through the one encoder (its weights are shared).
  const models = new Map(textColumns.map((name) => [name, { model: encoder.model, freezeEpochs: spec.freezeEpochs, unfreeze: spec.unfreeze ?? 'all' }]));
  const encoders = new TextEncoders(tf, layout, exp.training.seed, models);
  return trainNetworkModel(plan, exp, { train, validation, test }, tf, hooks, {
    stepper: 'tfjs',
    network: (netSpec) => new TextNetwork(tf, netSpec, exp.training.seed, encoders),
    afterEpoch: (epoch) => {
      encoders.epoch = epoch + 1;
    },
    save: async (network, scales) => {
      const saved: SavedTextModel = {
        format: 'dataset-lab-text',
        version: 1,
        spec,
        layout,
        columns: [],
        weights: [],
        tokenizer: 'wordpiece',
        layers: { model: ref, columns: textColumns },
        denseOutputs: dense,
      };
      const files = [
        { name: TEXT_MODEL_FILE, bytes: Buffer.from(JSON.stringify(saved, null, 1)) },
        ...(await layersModelFiles(tf, encoder.model, LAYERS_ENCODER_DIR)),
        { name: `${LAYERS_ENCODER_DIR}/tokenizer.json`, bytes: readFileSync(encoder.tokenizer.file) },
      ];
      const layers = network.toLayersModel(scales);
      try {
        await hooks.saveModel?.(meta, layers, files);
      } finally {
        layers.dispose();
      }
    },
  });
}

