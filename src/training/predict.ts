/**
 * Scores new CSV rows with a model saved in a run folder: the saved preprocessing (fitted on
 * that run's training split) turns the rows into features, the TF.js model does the rest.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readTable } from '../core/readers/readTable';
import { TransformError, applyTransforms } from '../core/transform/applyTransforms';
import { parseTransformSteps } from '../core/transform/transformSteps';
import { columnByName, type DataTable } from '../core/table';
import { initBackend } from './backend';
import { primaryScore } from './metrics';
import { transformRows } from './preprocess';
import { RUN_FILES, type ArmName, type RunResults } from '../protocol/runFolder/contract';
import { describeRunStatus, readRunStatus } from '../protocol/runFolder/read';
import { loadSavedModel, loadTreeModel, modelFolder } from './modelStore';
import { TREES_FILE, predictTrees } from './gbm';
import type { ModelMeta } from './modelPlan';
import { textModelColumns, textScorer } from './text/predictText';
import { TEXT_MODEL_FILE } from './text/textModelStore';
import { TextModelError } from './text/textTokenizer';

export class PredictError extends Error {
  readonly userFacing = true;
  readonly exitCode = 2;
}

export interface PredictOptions {
  readonly arm?: ArmName;
  /** For the separate arm (which model) and multihead (which head); default: all. */
  readonly dataset?: string;
  /** Use the models of a run that did not complete (failed, cancelled, interrupted). */
  readonly allowIncomplete?: boolean;
}

export interface PredictionTable {
  readonly arm: ArmName;
  readonly header: string[];
  readonly rows: string[][];
}

function availableArms(runDir: string): ArmName[] {
  const dir = join(runDir, RUN_FILES.models);
  if (!existsSync(dir)) return [];
  return (['separate', 'merged', 'multihead'] as ArmName[]).filter((a) => existsSync(join(dir, a)));
}

/** Default arm: the one with the best pooled test score in results.json. */
function bestArm(runDir: string, arms: ArmName[]): ArmName {
  try {
    const results = JSON.parse(readFileSync(join(runDir, RUN_FILES.results), 'utf8')) as RunResults;
    // A diverged arm has no scores (and maybe no complete models): never the default.
    const scored = results.arms.flatMap((a) => (arms.includes(a.arm) && a.pooled && !a.diverged ? [{ arm: a.arm, score: primaryScore(a.pooled) }] : []));
    const ranked = scored.sort((a, b) => b.score - a.score);
    if (ranked.length) return ranked[0].arm;
  } catch {
    // no results.json (e.g. a cancelled run): fall through
  }
  return arms[0];
}

/** A saved model as far as it can be read; a file the run never finished writing is a PredictError, not a crash. */
async function loadModel(tf: Awaited<ReturnType<typeof initBackend>>['tf'], dir: string): ReturnType<typeof loadSavedModel> {
  try {
    return await loadSavedModel(tf, dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' && err.path ? `${basename(err.path)} is missing` : e instanceof SyntaxError ? `a file is not valid JSON (${err.message.split('\n')[0]})` : (err.message ?? String(e)).split('\n')[0];
    throw new PredictError(`${dir}: the saved model cannot be read: ${why}; the run may not have finished writing it`);
  }
}

/** Every feature column the saved models in these folders read (from their preprocessing.json). */
function neededFeatureColumns(dirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of dirs) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8')) as ModelMeta;
      for (const f of meta.preprocessing.features) names.add(f.name);
      for (const name of textModelColumns(dir)) names.add(name);
    } catch {
      // Unreadable metadata is reported by loadModel below, with the folder.
    }
  }
  return [...names];
}

/**
 * A saved model's outputs on every row of `table`, per head (probabilities row by row, or
 * values): a gbm model's trees (trees.json), else the TF.js model, whose backend starts only
 * then. The feature checks run before `outputs()` is called.
 */
async function scoreFolder(dir: string, table: DataTable, all: Int32Array): Promise<{ meta: ModelMeta; outputs: () => ArrayLike<number>[]; dispose: () => void }> {
  if (existsSync(join(dir, TREES_FILE))) {
    let loaded: ReturnType<typeof loadTreeModel>;
    try {
      loaded = loadTreeModel(dir);
    } catch (e) {
      throw new PredictError(`${dir}: the saved trees cannot be read: ${(e as Error).message.split('\n')[0]}; the run may not have finished writing them`);
    }
    const { trees, meta } = loaded;
    return { meta, outputs: () => predictTrees(trees, table, (h) => Math.max(1, meta.heads[h].classes.length)), dispose: () => {} };
  }
  const { tf } = await initBackend();
  const { model, meta } = await loadModel(tf, dir);
  if (existsSync(join(dir, TEXT_MODEL_FILE))) {
    let scorer: Awaited<ReturnType<typeof textScorer>>;
    try {
      scorer = await textScorer(tf, dir, meta, model, table);
    } catch (e) {
      model.dispose();
      throw new PredictError(e instanceof TextModelError ? `${e.message}; the text model cannot be read` : `${table.path}: ${(e as Error).message.split('\n')[0]}`);
    }
    return { meta, outputs: () => scorer.outputs(), dispose: () => (scorer.dispose(), model.dispose()) };
  }
  const tensors: tfjs.Tensor[] = [];
  return {
    meta,
    outputs: () => {
      const x = transformRows(meta.preprocessing, table, all);
      const input = tf.tensor2d(x, [table.rows, meta.preprocessing.outputs.length]);
      const raw = model.predict(input) as tfjs.Tensor | tfjs.Tensor[];
      const outs = Array.isArray(raw) ? raw : [raw];
      tensors.push(input, ...outs);
      return outs.map((o) => o.dataSync());
    },
    dispose: () => {
      tf.dispose(tensors);
      model.dispose();
    },
  };
}

/** Each dataset's `transform` steps as the run recorded them (experiment.json), for the datasets that have some. */
function runTransforms(runDir: string): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  try {
    const exp = JSON.parse(readFileSync(join(runDir, RUN_FILES.experiment), 'utf8')) as { datasets?: { name: string; transform?: unknown[] }[] };
    for (const d of exp.datasets ?? []) if (Array.isArray(d.transform) && d.transform.length) out.set(d.name, d.transform);
  } catch {
    // A run folder without experiment.json (older runs) had no transforms.
  }
  return out;
}

/**
 * Whose transform applies to the rows a model scores: a separate model's dataset; for merged and
 * multihead models, the one transform every dataset shares, else `--dataset NAME`'s.
 */
function datasetOfModel(id: string, transforms: ReadonlyMap<string, unknown[]>, chosen: string | undefined, runDir: string): string | undefined {
  if (transforms.size === 0) return undefined;
  if (id.startsWith('separate/')) return id.slice('separate/'.length);
  if (chosen) return chosen;
  const distinct = new Set([...transforms.values()].map((t) => JSON.stringify(t)));
  const names = [...transforms.keys()];
  // Datasets without a transform count as one more distinct (empty) transform.
  const exp = (() => {
    try {
      return (JSON.parse(readFileSync(join(runDir, RUN_FILES.experiment), 'utf8')) as { datasets: { name: string }[] }).datasets.map((d) => d.name);
    } catch {
      return names;
    }
  })();
  if (distinct.size === 1 && exp.every((n) => transforms.has(n))) return names[0];
  throw new PredictError(`${runDir}: the datasets of the ${id} model transform their rows differently (${exp.map((n) => `${n}: ${transforms.has(n) ? 'transform' : 'none'}`).join(', ')}); say whose transform applies to the new rows with --dataset NAME`);
}

/** The rows after `dataset`'s transform as predict applies it (filters skipped: every row is scored). */
function transformedFor(raw: DataTable, transforms: ReadonlyMap<string, unknown[]>, dataset: string | undefined, file: string): DataTable {
  const steps = dataset === undefined ? undefined : transforms.get(dataset);
  if (!steps) return raw;
  const parsed = parseTransformSteps(steps, `transform of dataset "${dataset}"`);
  if (parsed.issues.length) throw new PredictError(`${file}: ${parsed.issues[0].path}: ${parsed.issues[0].message}`);
  try {
    return applyTransforms(raw, parsed.steps, { forPrediction: true });
  } catch (e) {
    if (e instanceof TransformError) throw new PredictError(`${file}: the transform of dataset "${dataset}" (${e.path.replace(/^transform of dataset "[^"]*"/, 'transform')}) cannot apply: ${e.reason}`);
    throw e;
  }
}

export async function predictFile(runDir: string, csvPath: string, options: PredictOptions = {}): Promise<PredictionTable> {
  const arms = availableArms(runDir);
  if (arms.length > 0 || existsSync(join(runDir, RUN_FILES.status))) {
    const status = readRunStatus(runDir);
    if (status.state !== 'completed' && !options.allowIncomplete) {
      throw new PredictError(`${runDir}: ${describeRunStatus(status)}; its models may be missing or incomplete (add --allow-incomplete to use what it saved)`);
    }
  }
  if (arms.length === 0) throw new PredictError(`${runDir}: no saved models (expected ${join(runDir, 'models')}/); is this a finished run folder?`);
  const arm = options.arm ?? bestArm(runDir, arms);
  if (!arms.includes(arm)) throw new PredictError(`${runDir}: no ${arm} model in this run (it has ${arms.join(', ')})`);
  let folders: { id: string; dir: string }[];
  if (arm === 'separate') {
    const names = readdirSync(join(runDir, 'models', 'separate'));
    const chosen = options.dataset ? names.filter((n) => n === options.dataset) : names;
    if (chosen.length === 0) throw new PredictError(`${runDir}: no separate model for dataset "${options.dataset}" (have ${names.join(', ')})`);
    folders = chosen.map((n) => ({ id: `separate/${n}`, dir: modelFolder(runDir, `separate/${n}`) }));
  } else folders = [{ id: arm, dir: modelFolder(runDir, arm) }];

  const transforms = runTransforms(runDir);
  // Only the models' feature columns are read (Parquet, Arrow and JSON Lines skip the others),
  // unless a dataset's transform may read any column.
  const raw = await readTable(csvPath, transforms.size ? {} : { columns: neededFeatureColumns(folders.map((f) => f.dir)) });
  const all = Int32Array.from({ length: raw.rows }, (_, i) => i);
  const header = ['row'];
  const columns: string[][] = [];
  for (const f of folders) {
    const table = transformedFor(raw, transforms, datasetOfModel(f.id, transforms, options.dataset, runDir), csvPath);
    const { meta, outputs, dispose } = await scoreFolder(f.dir, table, all);
    for (const feat of meta.preprocessing.features) {
      const col = columnByName(table, feat.name);
      if (!col) throw new PredictError(`${csvPath}: column "${feat.name}" is missing; the ${meta.id} model needs ${meta.preprocessing.features.map((x) => x.name).join(', ')}`);
      if (feat.kind === 'numeric' && col.type !== 'numeric') throw new PredictError(`${csvPath}: column "${feat.name}" must be numeric for the ${meta.id} model`);
      if (feat.kind === 'datetime' && col.type !== 'datetime' && col.missing < table.rows) throw new PredictError(`${csvPath}: column "${feat.name}" must hold dates for the ${meta.id} model (it is read as ${col.type})`);
    }
    const outs = outputs();
    meta.heads.forEach((head, h) => {
      if (options.dataset && arm === 'multihead' && head.name !== options.dataset) return;
      const values = outs[h];
      const suffix = folders.length > 1 || meta.heads.length > 1 ? `_${head.name}` : '';
      if (head.task === 'classification') {
        const k = head.classes.length;
        const pred: string[] = [];
        const prob: string[] = [];
        for (let i = 0; i < table.rows; i++) {
          let best = 0;
          for (let c = 1; c < k; c++) if (values[i * k + c] > values[i * k + best]) best = c;
          pred.push(head.classes[best]);
          prob.push(values[i * k + best].toFixed(6));
        }
        header.push(`prediction${suffix}`, `probability${suffix}`);
        columns.push(pred, prob);
      } else {
        header.push(`prediction${suffix}`);
        columns.push(Array.from(values, (v) => String(v)));
      }
    });
    if (options.dataset && arm === 'multihead' && !meta.heads.some((h) => h.name === options.dataset)) {
      throw new PredictError(`${runDir}: the multihead model has no head "${options.dataset}" (heads: ${meta.heads.map((h) => h.name).join(', ')})`);
    }
    dispose();
  }
  const rows = Array.from({ length: raw.rows }, (_, i) => [String(i + 1), ...columns.map((c) => c[i])]);
  return { arm, header, rows };
}

/** A cell a spreadsheet would read as a formula (OWASP "CSV injection"): these first characters... */
const FORMULA_START = /^[=+\-@\t\r]/;
/** ...unless the whole cell is a number, which spreadsheets read as the number it is. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?Infinity$/;

/**
 * Class names come from training data anyone may have written: a label `=HYPERLINK(...)` must
 * not become a live formula when the predictions are opened in a spreadsheet. Such cells get a
 * leading single quote, which spreadsheets show as text (OWASP's advice); numbers are kept.
 */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) && !NUMBER.test(cell) ? `'${cell}` : cell;
}

export interface CsvOptions {
  /** Write cells exactly as they are, formulas included (`predict --raw`). */
  readonly raw?: boolean;
}

export function toCsv(t: PredictionTable, options: CsvOptions = {}): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const cell = options.raw ? quote : (s: string) => quote(neutraliseFormula(s));
  return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
