/**
 * Trained models in a run folder: `models/<model-id>/` holding model.json + weights.bin (TF.js
 * layers format) and preprocessing.json (ModelMeta: the fitted preprocessing and the heads).
 * Written through the run folder's writer (src/protocol/runFolder/write.ts); read by `predict`.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { RUN_FILES } from '../protocol/runFolder/contract';
import { StorageError, writeFileAtomic, writeJsonAtomic, type RunFolder } from '../protocol/runFolder/write';
import type { TF } from './backend';
import { datasetNameProblem } from './experiment';
import type { ModelFile, ModelMeta } from './modelPlan';
import { TREES_FILE, type SavedTreeModel } from './gbm';

/**
 * Model ids may contain "/" (separate/<dataset>); each part becomes a folder. Parts are dataset
 * names validated by the experiment (no "..", no separators), checked again here so no id can
 * lead outside the run folder.
 */
export function modelFolder(runDir: string, modelId: string): string {
  const parts = modelId.split('/');
  const bad = parts.map(datasetNameProblem).find((p) => p !== undefined);
  if (bad) throw new Error(`model id ${JSON.stringify(modelId)} cannot name a folder: ${bad}`);
  return join(runDir, RUN_FILES.models, ...parts);
}

/** A model file name: plain names, one level of subfolder at most, never leaving the model folder. */
const MODEL_FILE_RE = /^([A-Za-z0-9_-]+\/)?[A-Za-z0-9_.-]+$/;

/**
 * Saves a trained model under `models/<id>/` of the run, through the run folder's checked,
 * all-or-nothing writes; `files` (text encoders) go beside model.json.
 */
export async function saveModel(run: RunFolder, meta: ModelMeta, model: tfjs.LayersModel, tf: TF, files: readonly ModelFile[] = []): Promise<void> {
  const folder = relative(run.dir, modelFolder(run.dir, meta.id));
  try {
    mkdirSync(join(run.dir, folder), { recursive: true });
    for (const f of files) {
      if (!MODEL_FILE_RE.test(f.name) || f.name.split('/').some((p) => p.startsWith('.'))) throw new Error(`model file name ${JSON.stringify(f.name)} is not a plain file name`);
      if (f.name.includes('/')) mkdirSync(join(run.dir, folder, dirname(f.name)), { recursive: true });
    }
  } catch (e) {
    throw StorageError.from(join(run.dir, folder), e);
  }
  for (const f of files) writeFileAtomic(run.file(join(folder, f.name)), Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength));
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const bytes = Buffer.concat(buffers.map((b) => Buffer.from(b)));
      writeFileAtomic(run.file(join(folder, 'weights.bin')), bytes);
      writeJsonAtomic(run.file(join(folder, 'model.json')), {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length } };
    }),
  );
  writeJsonAtomic(run.file(join(folder, 'preprocessing.json')), meta);
}

/** Saves a gbm model under `models/<id>/`: trees.json (the binning and the trees) and preprocessing.json. */
export function saveTreeModel(run: RunFolder, meta: ModelMeta, trees: SavedTreeModel): void {
  const folder = relative(run.dir, modelFolder(run.dir, meta.id));
  try {
    mkdirSync(join(run.dir, folder), { recursive: true });
  } catch (e) {
    throw StorageError.from(join(run.dir, folder), e);
  }
  writeJsonAtomic(run.file(join(folder, TREES_FILE)), trees);
  writeJsonAtomic(run.file(join(folder, 'preprocessing.json')), meta);
}

/** Loads a gbm model saved by saveTreeModel. */
export function loadTreeModel(folder: string): { trees: SavedTreeModel; meta: ModelMeta } {
  const trees = JSON.parse(readFileSync(join(folder, TREES_FILE), 'utf8')) as SavedTreeModel;
  if (trees.format !== 'dataset-lab-trees') throw new Error(`${TREES_FILE} is not a Dataset Lab tree model`);
  const meta = JSON.parse(readFileSync(join(folder, 'preprocessing.json'), 'utf8')) as ModelMeta;
  return { trees, meta };
}

/** Loads a model saved by saveModel (folder holding model.json, weights.bin, preprocessing.json). */
export async function loadSavedModel(tf: TF, folder: string): Promise<{ model: tfjs.LayersModel; meta: ModelMeta }> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buf = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(folder, p)))));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
  const meta = JSON.parse(readFileSync(join(folder, 'preprocessing.json'), 'utf8')) as ModelMeta;
  return { model, meta };
}
