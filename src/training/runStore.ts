/**
 * Run folders: `<root>/.dataset-lab/runs/<run-id>/` with the resolved experiment,
 * environment, split, history.jsonl (appended one line per epoch per model), results.json,
 * and models/<model-id>/ in TF.js layers format plus the fitted preprocessing.
 * Whole-file writes are atomic (temp file, then rename) so a crash never leaves half a file.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { EpochRecord } from '../protocol/training';
import type { TF } from './backend';
import type { ModelMeta } from './engine';
import { datasetNameProblem, isStrictlyInside, realPath } from './experiment';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  // Exclusive create: never open an existing file, or a link someone put at the temp name.
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Sortable, unique enough for one workspace: 20261128-174500-123-x7k2. */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}-${p(now.getUTCMilliseconds(), 3)}`;
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export function runsFolder(root: string): string {
  return join(root, '.dataset-lab', 'runs');
}

/**
 * Model ids may contain "/" (separate/<dataset>); each part becomes a folder. Parts are dataset
 * names validated by the experiment (no "..", no separators), checked again here so no id can
 * lead outside the run folder.
 */
export function modelFolder(runDir: string, modelId: string): string {
  const parts = modelId.split('/');
  const bad = parts.map(datasetNameProblem).find((p) => p !== undefined);
  if (bad) throw new Error(`model id ${JSON.stringify(modelId)} cannot name a folder: ${bad}`);
  return join(runDir, 'models', ...parts);
}

/** The run folder cannot be used (it would lie outside the workspace); a user-facing input error. */
export class RunFolderError extends Error {
  readonly userFacing = true;
  readonly exitCode = 2;
}

export class RunFolder {
  private constructor(
    readonly runId: string,
    readonly dir: string,
    /** `dir` with links resolved: every write must land inside it. */
    private readonly realDir: string,
  ) {}

  /**
   * Creates `<root>/.dataset-lab/runs/<runId>/`, refusing when a link (e.g. `.dataset-lab`
   * pointing elsewhere) would put it outside the workspace root; checked before anything is
   * created and again after, so nothing is written outside.
   */
  static create(root: string, runId = newRunId()): RunFolder {
    const runs = runsFolder(root);
    const dir = join(runs, runId);
    const check = () => {
      const real = realPath(dir);
      if (!isStrictlyInside(realPath(root), real)) {
        throw new RunFolderError(`the run folder ${runs} resolves to ${dirname(real)} through a symbolic link, outside the workspace root ${root}; runs are kept inside it`);
      }
      return real;
    };
    check();
    mkdirSync(dir, { recursive: true });
    return new RunFolder(runId, dir, check());
  }

  /** The path of `rel` in this run, after checking that its folder really is inside the run. */
  private file(rel: string): string {
    const path = join(this.dir, rel);
    const realParent = realPath(dirname(path));
    if (realParent !== this.realDir && !isStrictlyInside(this.realDir, realParent)) {
      throw new RunFolderError(`${path} resolves to ${realParent} through a symbolic link, outside the run folder ${this.dir}`);
    }
    return path;
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(this.file(name), value);
  }

  /** One complete line per call; a killed process leaves every finished epoch intact. */
  appendHistory(record: EpochRecord): void {
    appendFileSync(this.file('history.jsonl'), JSON.stringify(record) + '\n');
  }

  async saveModel(meta: ModelMeta, model: tfjs.LayersModel, tf: TF): Promise<void> {
    const folder = relative(this.dir, modelFolder(this.dir, meta.id));
    mkdirSync(join(this.dir, folder), { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const data = artifacts.weightData;
        const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
        const bytes = Buffer.concat(buffers.map((b) => Buffer.from(b)));
        writeFileAtomic(this.file(join(folder, 'weights.bin')), bytes);
        writeJsonAtomic(this.file(join(folder, 'model.json')), {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        });
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length } };
      }),
    );
    writeJsonAtomic(this.file(join(folder, 'preprocessing.json')), meta);
  }
}

/** Loads a model saved by RunFolder.saveModel (folder holding model.json, weights.bin, preprocessing.json). */
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
