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
import { fewOddCells, DEFAULT_KIND_TOLERANCE } from '../core/columnKind';
import { epochUnitOf, isPatternFormat } from '../core/dates/inferDates';
import { problemLocation } from '../protocol/format';
import { columnByName, type Column, type DataTable, type Problem } from '../core/table';
import { initBackend } from './backend';
import { primaryScore } from './metrics';
import { transformRows, type FittedDatetime, type FittedFeature } from './preprocess';
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
  /**
   * Lines for stderr about how the rows were read: cells read as missing (`file:line:column:
   * ...`), empty feature columns imputed, dates read in an inferred format (`note: ...`).
   */
  readonly warnings: string[];
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

/** A model folder's preprocessing.json, or undefined when it cannot be read (loadModel reports that, with the folder). */
function readMeta(dir: string): ModelMeta | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8')) as ModelMeta;
    return Array.isArray(meta?.preprocessing?.features) ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Every feature column the saved models in these folders read (from their preprocessing.json). */
function neededFeatureColumns(dirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of dirs) {
    const meta = readMeta(dir);
    if (!meta) continue;
    for (const f of meta.preprocessing.features) names.add(f.name);
    try {
      for (const name of textModelColumns(dir)) names.add(name);
    } catch {
      // An unreadable text model is reported where it is loaded (scoreFolder), with the folder.
    }
  }
  return [...names];
}

/**
 * The format a model's date feature was read in at training (FittedDatetime.format; with
 * datasets that wrote it differently, `dataset`'s), when a reader can read new text in it: a
 * strftime pattern or `epoch <unit>`. Undefined for runs saved before formats were kept,
 * typed timestamps (`native`) and datasets that disagree without `dataset` saying whose.
 */
export function trainingDateFormat(f: FittedDatetime, dataset: string | undefined): string | undefined {
  const format = f.format ?? (dataset !== undefined ? f.formats?.[dataset] : undefined);
  return format !== undefined && (isPatternFormat(format) || epochUnitOf(format) !== undefined) ? format : undefined;
}

/** Why a date feature's format is inferred from the new file rather than the training one (for a note). */
function inferredWhy(f: FittedDatetime): string {
  if (f.format === 'native') return 'the training data held typed timestamps (Parquet or Arrow), not text';
  if (f.formats) return `the training datasets wrote it in different formats (${Object.entries(f.formats).map(([d, x]) => `${d}: ${x}`).join(', ')}); say whose with --dataset NAME`;
  return 'the run did not record its training date format (saved by an earlier version)';
}

const isDatetime = (f: FittedFeature): f is FittedDatetime => f.kind === 'datetime';

/**
 * The file's column that becomes feature `name` after the transform: followed back through
 * renames (select and filter keep it); undefined when a step writes it (derive, recode), so
 * its training format cannot be imposed on any column of the file.
 */
export function sourceColumn(steps: unknown[] | undefined, name: string): string | undefined {
  return sourceColumns(steps)(name);
}

/** sourceColumn for every feature of one transform, its steps parsed once. */
function sourceColumns(steps: unknown[] | undefined): (name: string) => string | undefined {
  if (!steps) return (name) => name;
  const parsed = parseTransformSteps(steps, 'transform').steps;
  return (name) => {
    let current = name;
    for (let i = parsed.length - 1; i >= 0; i--) {
      const step = parsed[i];
      if (step.kind === 'rename') {
        const from = Object.entries(step.map).find(([, to]) => to === current)?.[0];
        if (from !== undefined) current = from;
        else if (Object.prototype.hasOwnProperty.call(step.map, current)) return undefined;
      } else if (step.kind === 'derive') {
        if (step.exprs.some((e) => e.name === current)) return undefined;
      } else if (step.kind === 'recode') {
        if (Object.prototype.hasOwnProperty.call(step.columns, current)) return undefined;
      }
    }
    return current;
  };
}

/**
 * The date formats to read the new file with, by the file's column names: every folder's, from
 * its training data, on the column its transform renames to the feature.
 */
function knownDateFormats(metas: readonly { meta: ModelMeta | undefined; dataset: string | undefined; source: (name: string) => string | undefined }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { meta, dataset, source: sourceOf } of metas) {
    for (const f of meta?.preprocessing.features.filter(isDatetime) ?? []) {
      const format = trainingDateFormat(f, dataset);
      const source = sourceOf(f.name);
      if (format !== undefined && source !== undefined) out.set(source, format);
    }
  }
  return out;
}

/** How a training-format date column's unreadable cells are shown: their problems, located. */
function located(p: Problem): string {
  return `${problemLocation(p)}: ${p.message}`;
}

/** The type-mismatch problems the reader raised about column `name`. */
function problemsOf(table: DataTable, name: string): Problem[] {
  return table.problems.filter((p) => p.code === 'type-mismatch' && p.message.includes(`"${name}"`));
}

const MAX_CELL_WARNINGS = 5;

/**
 * The table a model scores, checked against its features: each feature column present and of
 * the kind the model was trained on. A feature column that is empty in the new file is all
 * missing values, imputed as training imputes them (a warning says so). A date column read in
 * the training format (FittedDatetime.format) with cells that format cannot read: those cells
 * are missing values, as at training, each named in a warning, unless they are too many by the
 * rule that makes a training column dates (src/core/columnKind.ts): then a PredictError naming
 * the first one's line and column and the format.
 */
function checkedTable(table: DataTable, meta: ModelMeta, file: string, dataset: string | undefined, warnings: string[], fileColumn: (feature: string) => string = (f) => f): DataTable {
  const replaced = new Map<string, Column>();
  const names = meta.preprocessing.features.map((x) => x.name).join(', ');
  for (const feat of meta.preprocessing.features) {
    const col = columnByName(table, feat.name);
    if (!col) throw new PredictError(`${file}: column "${feat.name}" is missing; the ${meta.id} model needs ${names}`);
    const empty = table.rows > 0 && col.missing === table.rows;
    if (feat.kind === 'numeric' && col.type !== 'numeric') {
      if (!empty) throw new PredictError(`${file}: column "${feat.name}" must be numeric for the ${meta.id} model`);
      replaced.set(feat.name, { name: feat.name, type: 'numeric', values: new Float64Array(table.rows).fill(NaN), missing: table.rows, typeErrors: 0 });
    }
    if (empty) {
      const how =
        meta.kind === 'gbm'
          ? "the trees' branch for missing values, as in training"
          : feat.kind === 'numeric'
            ? `the training ${meta.preprocessing.spec.numericImpute === 'zero' ? 'fill 0' : `${meta.preprocessing.spec.numericImpute} ${feat.fill}`}, as training imputes missing values`
            : feat.kind === 'datetime'
              ? `the training ${meta.preprocessing.spec.numericImpute === 'zero' ? 'first date' : 'median date'} ${new Date(feat.fill).toISOString().slice(0, 10)}, as training imputes missing dates`
              : `"${feat.fill}", as training imputes missing categories`;
      warnings.push(`warning: ${file}: column "${feat.name}" is empty (all ${table.rows} values missing); the ${meta.id} model imputes it with ${how}`);
      continue;
    }
    if (feat.kind !== 'datetime') continue;
    if (col.type !== 'datetime') throw new PredictError(`${file}: column "${feat.name}" must hold dates for the ${meta.id} model (it is read as ${col.type})`);
    const format = trainingDateFormat(feat, dataset);
    if (format === undefined || col.format !== format) {
      if (isPatternFormat(col.format)) warnings.push(`note: ${file}: column "${feat.name}": ${format === undefined ? inferredWhy(feat) : `a transform step writes it, so its training format ${format} is not imposed on the file`}; its dates are read in the format inferred from this file, ${col.format}`);
      continue;
    }
    if (col.typeErrors === 0) continue;
    const present = table.rows - col.missing;
    const inFile = fileColumn(feat.name);
    const problems = problemsOf(table, inFile);
    const named = inFile === feat.name ? `column "${feat.name}"` : `column "${inFile}" (the feature "${feat.name}")`;
    if (!fewOddCells(col.typeErrors, col.typeErrors, present, DEFAULT_KIND_TOLERANCE)) {
      const first = problems[0] ? `${located(problems[0]).replace(/; read as missing$/, '')}: ` : `${file}: `;
      throw new PredictError(`${first}${col.typeErrors} of ${present} values of ${named} are not dates in the format the ${meta.id} model was trained on (${format}); too many to read as missing: write the dates as in the training data`);
    }
    for (const p of problems.slice(0, MAX_CELL_WARNINGS)) warnings.push(`${located(p)}; read as missing, imputed as training imputes missing dates`);
    if (col.typeErrors > MAX_CELL_WARNINGS) warnings.push(`warning: ${file}: ${col.typeErrors} values of ${named} in all are not dates in the training format ${format}; read as missing`);
  }
  return replaced.size === 0 ? table : { ...table, columns: table.columns.map((c) => replaced.get(c.name) ?? c) };
}

/**
 * A saved model's outputs on every row of `table`, per head (probabilities row by row, or
 * values): a gbm model's trees (trees.json), else the TF.js model, whose backend starts only
 * then. `prepare` checks the rows against the saved features (checkedTable) once the model's
 * metadata is loaded, and gives the table it scores.
 */
async function scoreFolder(
  dir: string,
  read: DataTable,
  all: Int32Array,
  prepare: (meta: ModelMeta) => DataTable,
): Promise<{ meta: ModelMeta; table: DataTable; outputs: () => ArrayLike<number>[]; dispose: () => void }> {
  if (existsSync(join(dir, TREES_FILE))) {
    let loaded: ReturnType<typeof loadTreeModel>;
    try {
      loaded = loadTreeModel(dir);
    } catch (e) {
      throw new PredictError(`${dir}: the saved trees cannot be read: ${(e as Error).message.split('\n')[0]}; the run may not have finished writing them`);
    }
    const { trees, meta } = loaded;
    const table = prepare(meta);
    return { meta, table, outputs: () => predictTrees(trees, table, (h) => Math.max(1, meta.heads[h].classes.length)), dispose: () => {} };
  }
  const { tf } = await initBackend();
  const { model, meta } = await loadModel(tf, dir);
  let table = read;
  try {
    table = prepare(meta);
  } catch (e) {
    model.dispose();
    throw e;
  }
  if (existsSync(join(dir, TEXT_MODEL_FILE))) {
    let scorer: Awaited<ReturnType<typeof textScorer>>;
    try {
      scorer = await textScorer(tf, dir, meta, model, table);
    } catch (e) {
      model.dispose();
      throw new PredictError(e instanceof TextModelError ? `${e.message}; the text model cannot be read` : `${table.path}: ${(e as Error).message.split('\n')[0]}`);
    }
    return { meta, table, outputs: () => scorer.outputs(), dispose: () => (scorer.dispose(), model.dispose()) };
  }
  const tensors: tfjs.Tensor[] = [];
  return {
    meta,
    table,
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
  if (arms.length === 0) {
    const models = join(runDir, RUN_FILES.models);
    if (existsSync(models) && readdirSync(models).some((f) => f.endsWith('.pt'))) {
      throw new PredictError(`${runDir}: this run was trained by an exported PyTorch project (train.py); its models are PyTorch files (${join(models, '*.pt')}) that dataset-lab predict does not read: load them with torch, or train the experiment with dataset-lab run for models predict reads`);
    }
    throw new PredictError(`${runDir}: no saved models (expected ${join(runDir, 'models')}/); is this a finished run folder?`);
  }
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
  /** Whose data a model's rows are like: its transform, and its date formats when the datasets' differ. */
  const datasetOf = (id: string) => (id.startsWith('separate/') ? id.slice('separate/'.length) : options.dataset);
  const metas = folders.map((f) => {
    const transform = datasetOfModel(f.id, transforms, options.dataset, runDir);
    return { ...f, meta: readMeta(f.dir), dataset: datasetOf(f.id), transform, source: sourceColumns(transform === undefined ? undefined : transforms.get(transform)) };
  });
  // Only the models' feature columns are read (Parquet, Arrow and JSON Lines skip the others),
  // unless a dataset's transform may read any column. Date columns are read in the format
  // training read them in (a separate model per dataset may each have its own: one read per format set).
  const reads = new Map<string, Promise<DataTable>>();
  const readFor = (formats: Map<string, string>): Promise<DataTable> => {
    const key = JSON.stringify([...formats].sort());
    let read = reads.get(key);
    if (!read) {
      read = readTable(csvPath, { ...(transforms.size ? {} : { columns: neededFeatureColumns(folders.map((f) => f.dir)) }), ...(formats.size ? { dateFormats: formats } : {}) });
      reads.set(key, read);
    }
    return read;
  };
  const first = await readFor(knownDateFormats(metas));
  const all = Int32Array.from({ length: first.rows }, (_, i) => i);
  const header = ['row'];
  const columns: string[][] = [];
  const warnings: string[] = [];
  for (const f of metas) {
    // One read for every folder unless their training formats disagree on a column.
    const own = knownDateFormats([f]);
    const shared = knownDateFormats(metas);
    const raw = [...own].every(([k, v]) => shared.get(k) === v) ? first : await readFor(own);
    const table = transformedFor(raw, transforms, f.transform, csvPath);
    const { meta, outputs, dispose } = await scoreFolder(f.dir, table, all, (m) => checkedTable(table, m, csvPath, f.dataset, warnings, (name) => f.source(name) ?? name));
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
  const rows = Array.from({ length: first.rows }, (_, i) => [String(i + 1), ...columns.map((c) => c[i])]);
  return { arm, header, rows, warnings: [...new Set(warnings)] };
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

export function toCsv(t: Pick<PredictionTable, 'header' | 'rows'>, options: CsvOptions = {}): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const cell = options.raw ? quote : (s: string) => quote(neutraliseFormula(s));
  return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
