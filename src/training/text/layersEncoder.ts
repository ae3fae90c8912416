/**
 * A TF.js LayersModel used as a trainable text encoder: a folder with model.json (TF.js layers
 * format), the weight files its manifest names and tokenizer.json (its vocabulary: Hugging Face
 * format). The model maps token ids [batch, length] to a vector [batch, width]. Loaded from the
 * workspace for training (trust required) and from a run's model folder by `predict`; every
 * missing or inconsistent file is a TextModelError naming it.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import type { TF } from '../backend';
import type { ModelFile } from '../modelPlan';
import { checkLayersFolder } from './modelFolder';
import { TextModelError, type PieceTokenizer } from './textTokenizer';

export interface LoadedLayersEncoder {
  readonly model: tfjs.LayersModel;
  readonly tokenizer: PieceTokenizer;
  /** Token ids per cell the model reads. */
  readonly length: number;
  readonly width: number;
}

/** Loads model.json, its weights and tokenizer.json from `folder`; `fallbackLength` when the input length is open. */
export async function loadLayersEncoder(tf: TF, folder: string, fallbackLength: number): Promise<LoadedLayersEncoder> {
  // The files first, as the language server checks them (modelFolder.ts); then the weights' bytes.
  const { file, modelTopology, weightSpecs: specs, weightFiles, tokenizer } = checkLayersFolder(folder);
  const bytes = Buffer.concat(weightFiles.map((w) => readFileSync(w)));
  let model: tfjs.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs: specs as tfjs.io.WeightsManifestEntry[], weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }));
  } catch (e) {
    throw new TextModelError(file, `TF.js cannot build the model (${(e as Error).message.split('\n')[0]})`);
  }
  const inShape = model.inputs[0]?.shape ?? [];
  const outShape = model.outputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || inShape.length !== 2) {
    model.dispose();
    throw new TextModelError(file, `the encoder must take one input of token ids [batch, length]; this model takes ${JSON.stringify(model.inputs.map((i) => i.shape))}`);
  }
  const width = outShape.slice(1).reduce((a: number, b) => a * (b ?? 0), 1);
  if (model.outputs.length !== 1 || !(width > 0)) {
    model.dispose();
    throw new TextModelError(file, `the encoder must give one vector per row [batch, width]; this model gives ${JSON.stringify(model.outputs.map((o) => o.shape))}`);
  }
  return { model, tokenizer, length: inShape[1] ?? fallbackLength, width };
}

/** Token ids of one cell as the encoder reads them: the tokenizer's ids, cut or padded (0) to `length`. */
export function encoderIds(tokenizer: PieceTokenizer, text: string, length: number, out: Float32Array, offset: number): void {
  const ids = tokenizer.ids(text);
  const n = Math.min(length, ids.length);
  for (let j = 0; j < n; j++) out[offset + j] = ids[j];
}

/** The model as files for a run's model folder (TF.js layers format): `<dir>/model.json`, `<dir>/weights.bin`. */
export async function layersModelFiles(tf: TF, model: tfjs.LayersModel, dir: string): Promise<ModelFile[]> {
  const files: ModelFile[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const bytes = Buffer.concat(buffers.map((b) => Buffer.from(b)));
      files.push({ name: `${dir}/weights.bin`, bytes });
      const json = { format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, convertedBy: null, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }] };
      files.push({ name: `${dir}/model.json`, bytes: Buffer.from(JSON.stringify(json)) });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length } };
    }),
  );
  return files;
}
