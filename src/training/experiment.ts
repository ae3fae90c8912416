/**
 * The experiment file (`*.experiment.json`, version 1): types, defaults, validation with
 * JSON-path errors, and path resolution confined to the workspace root.
 * The JSON Schema in schemas/experiment.schema.json describes the same format for editors;
 * this module is what the engine trusts.
 */
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { confinementProblem } from '../core/paths';
import { parseTransformSteps } from '../core/transform/transformSteps';
import type { ArmName, Task } from '../protocol/runFolder/contract';
import { resolveTextSpec, type TextSpec } from './text/textSpec';

export type Scaling = 'standard' | 'minmax' | 'robust' | 'none';
export type NumericImpute = 'mean' | 'median' | 'zero';
export type CategoricalImpute = 'most_frequent' | 'missing_category';
export type Balancing = 'none' | 'oversample' | 'undersample' | 'inverse_size';
export type Mixing = 'proportional' | 'equal' | 'temperature';
export type Weighting = 'static' | 'uncertainty' | 'dwa';
export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'elu';
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

export const ALL_ARMS: readonly ArmName[] = ['separate', 'merged', 'multihead'];

/**
 * Dataset names become folder names in run folders (`models/separate/<name>`) and keys of the
 * results, so they are held to characters that mean nothing to a file system: letters, digits,
 * ".", "_", "-"; a letter or digit first (no "..", no hidden folders), no "." last (Windows
 * drops it), at most 64 characters. The JSON Schema carries the same pattern (a test checks).
 */
export const DATASET_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?$';
const DATASET_NAME_RE = new RegExp(DATASET_NAME_PATTERN);
/** Windows refuses these as file names, with or without an extension. */
const RESERVED_NAME_RE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/** Why `name` cannot be a dataset name, or undefined when it can. */
export function datasetNameProblem(name: string): string | undefined {
  if (!DATASET_NAME_RE.test(name)) {
    return `dataset name ${JSON.stringify(name)} may only contain letters, digits, ".", "_" and "-", must start with a letter or digit, must not end with "." and has at most 64 characters (it names the run's model folder)`;
  }
  if (RESERVED_NAME_RE.test(name)) return `dataset name ${JSON.stringify(name)} is a reserved device name on Windows (it names the run's model folder)`;
  return undefined;
}

/** The key two dataset names share a folder under: case-insensitive file systems (macOS, Windows) fold letter case. */
export function datasetNameKey(name: string): string {
  return name.toLowerCase();
}

/** A valid dataset name made from any text (e.g. a file name), for scaffolding experiments. */
export function toDatasetName(text: string): string {
  let name = text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64).replace(/\.+$/, '');
  if (name === '') name = 'dataset';
  if (RESERVED_NAME_RE.test(name)) name = `${name.replace(/\./g, '_')}_data`;
  return name;
}

export interface DatasetSpec {
  name: string;
  path: string;
  label: string;
  task?: Task;
  features?: string[];
  exclude?: string[];
  /**
   * Steps applied to the table after reading it and before anything else (src/core/transform):
   * rename, derive, filter, recode, select, as written in the file (expressions are arquero
   * expressions in strings, parsed here and evaluated only by the trainer and `predict`).
   */
  transform?: unknown[];
}

/** The file as written (optional fields may be absent). */
export interface ExperimentFileV1 {
  $schema?: string;
  version: 1;
  name?: string;
  datasets: DatasetSpec[];
  features?: string[];
  arms?: ArmName[];
  preprocessing?: Partial<PreprocessingSpec>;
  split?: Partial<SplitSpec>;
  merged?: Partial<MergedSpec>;
  multihead?: Partial<MultiheadSpec>;
  model?: Partial<ModelSpec> & { type: ModelSpec['type'] };
  training?: Partial<Omit<TrainingSpec, 'earlyStopping'>> & { earlyStopping?: Partial<EarlyStoppingSpec> };
  evaluation?: Partial<EvaluationSpec>;
  /** How text feature columns are tokenized and encoded (text/textSpec.ts). */
  text?: Partial<TextSpec>;
}

export interface PreprocessingSpec {
  numericImpute: NumericImpute;
  categoricalImpute: CategoricalImpute;
  scaling: Scaling;
  maxCategories: number;
  /**
   * The inputs derived from each datetime feature (docs/training.md, "Dates"); [] leaves datetime
   * columns out of the features (naming one in `features` is then an error).
   */
  datetimeFeatures: DatetimePart[];
}
/** Inputs derived from a datetime feature: year, cyclic month / day of week / hour, days since the training split's first date. */
export type DatetimePart = 'year' | 'month' | 'dayOfWeek' | 'hour' | 'days';
export const DATETIME_PARTS: readonly DatetimePart[] = ['year', 'month', 'dayOfWeek', 'hour', 'days'];
export interface SplitSpec {
  test: number;
  validation: number;
  seed: number;
}
export type EvaluationMethod = 'holdout' | 'cv' | 'repeated-cv';
/** How scores are estimated (docs/training.md, "Evaluation"): one test split, or k-fold cross-validation. */
export interface EvaluationSpec {
  method: EvaluationMethod;
  /** Folds per repeat (cv, repeated-cv). */
  folds: number;
  /** Repeats with fresh folds (repeated-cv; 1 for cv). */
  repeats: number;
  /** Coverage of every interval; comparisons are significant at 1 - confidence after Holm's correction. */
  confidence: number;
  /** Bootstrap resamples for holdout intervals and paired tests. */
  bootstrap: number;
  /** Seed of the folds and the bootstrap (default: split.seed). */
  seed: number;
}
export interface MergedSpec {
  balancing: Balancing;
}
export interface MultiheadSpec {
  mixing: Mixing;
  temperature: number;
  weighting: Weighting;
  weights: Record<string, number>;
  dwaTemperature: number;
}
/** model.trees: the gbm model's boosting (scikit-learn's HistGradientBoosting names in parentheses). */
export interface TreeSpec {
  /** Boosting iterations (max_iter). */
  iterations: number;
  learningRate: number;
  /** Leaves per tree, grown best-first (max_leaf_nodes). */
  maxLeafNodes: number;
  /** null: no depth limit (max_depth). */
  maxDepth: number | null;
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (l2_regularization). */
  l2: number;
  /** Bins per numeric feature, categories per categorical feature (max_bins). */
  maxBins: number;
}
export interface ModelSpec {
  type: 'mlp' | 'linear' | 'gbm';
  hidden: number[];
  headHidden: number[];
  activation: Activation;
  dropout: number;
  l2: number;
  trees: TreeSpec;
}
export interface EarlyStoppingSpec {
  patience: number;
  restoreBestWeights: boolean;
}
export interface TrainingSpec {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  earlyStopping: EarlyStoppingSpec;
  seed: number;
}

/** A dataset with its path made absolute (checked to lie inside the root). */
export interface ResolvedDataset extends DatasetSpec {
  absPath: string;
}

/** Every default filled in; what the engine runs and what a run folder records. */
export interface ResolvedExperiment {
  version: 1;
  name: string;
  file: string;
  root: string;
  datasets: ResolvedDataset[];
  features?: string[];
  arms: ArmName[];
  preprocessing: PreprocessingSpec;
  split: SplitSpec;
  merged: MergedSpec;
  multihead: MultiheadSpec;
  model: ModelSpec;
  training: TrainingSpec;
  evaluation: EvaluationSpec;
  /** The `text` section as written, with defaults; absent when the file has none (defaults then apply to text features). */
  text?: TextSpec;
}

/** Property names each object of the format accepts (the JSON Schema lists the same; a test checks). */
export const EXPERIMENT_KEYS = {
  $: ['$schema', 'version', 'name', 'datasets', 'features', 'arms', 'preprocessing', 'split', 'merged', 'multihead', 'model', 'training', 'evaluation', 'text'],
  dataset: ['name', 'path', 'label', 'task', 'features', 'exclude', 'transform'],
  preprocessing: ['numericImpute', 'categoricalImpute', 'scaling', 'maxCategories', 'datetimeFeatures'],
  split: ['test', 'validation', 'seed'],
  merged: ['balancing'],
  multihead: ['mixing', 'temperature', 'weighting', 'weights', 'dwaTemperature'],
  model: ['type', 'hidden', 'headHidden', 'activation', 'dropout', 'l2', 'trees'],
  trees: ['iterations', 'learningRate', 'maxLeafNodes', 'maxDepth', 'minSamplesLeaf', 'l2', 'maxBins'],
  training: ['epochs', 'batchSize', 'optimizer', 'learningRate', 'earlyStopping', 'seed'],
  earlyStopping: ['patience', 'restoreBestWeights'],
  evaluation: ['method', 'folds', 'repeats', 'confidence', 'bootstrap', 'seed'],
} as const;

export interface ExperimentIssue {
  readonly file: string;
  /** JSON path of the offending value, e.g. `$.datasets[1].label`. */
  readonly path: string;
  readonly message: string;
  readonly dataset?: string;
  readonly column?: string;
}

/** The experiment (or the data it names) cannot be used; lists every issue found. */
export class ExperimentError extends Error {
  constructor(readonly issues: readonly ExperimentIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ExperimentError';
  }
}

export function formatIssue(i: ExperimentIssue): string {
  const where = i.path ? ` at ${i.path}` : '';
  const ctx = [i.dataset !== undefined ? `dataset "${i.dataset}"` : '', i.column !== undefined ? `column "${i.column}"` : '']
    .filter(Boolean)
    .join(', ');
  return `${i.file}${where}: ${ctx ? ctx + ': ' : ''}${i.message}`;
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly issues: ExperimentIssue[] = [];
  constructor(readonly file: string) {}
  add(path: string, message: string, extra: { dataset?: string; column?: string } = {}): void {
    this.issues.push({ file: this.file, path, message, ...extra });
  }
  /** Reports properties not in `allowed`. */
  keys(obj: Record<string, Json>, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.add(`${path}.${k}`, `unknown property "${k}" (allowed: ${allowed.join(', ')})`);
    }
  }
  enumOf<T extends string>(obj: Record<string, Json>, key: string, path: string, values: readonly T[], dflt: T): T {
    const v = obj[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.add(`${path}.${key}`, `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v as T;
  }
  num(
    obj: Record<string, Json>,
    key: string,
    path: string,
    dflt: number,
    opts: { min?: number; max?: number; exclMin?: number; exclMax?: number; integer?: boolean } = {},
  ): number {
    const v = obj[key];
    if (v === undefined) return dflt;
    const p = `${path}.${key}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(p, `must be a number, got ${JSON.stringify(v)}`);
      return dflt;
    }
    if (opts.integer && !Number.isInteger(v)) this.add(p, `must be an integer, got ${v}`);
    else if (opts.min !== undefined && v < opts.min) this.add(p, `must be >= ${opts.min}, got ${v}`);
    else if (opts.max !== undefined && v > opts.max) this.add(p, `must be <= ${opts.max}, got ${v}`);
    else if (opts.exclMin !== undefined && v <= opts.exclMin) this.add(p, `must be > ${opts.exclMin}, got ${v}`);
    else if (opts.exclMax !== undefined && v >= opts.exclMax) this.add(p, `must be < ${opts.exclMax}, got ${v}`);
    else return v;
    return dflt;
  }
  bool(obj: Record<string, Json>, key: string, path: string, dflt: boolean): boolean {
    const v = obj[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') {
      this.add(`${path}.${key}`, `must be true or false, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  }
  strings(v: Json, path: string): string[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this.add(path, 'must be an array of strings');
      return undefined;
    }
    const seen = new Set<string>();
    v.forEach((s: string, i) => {
      if (seen.has(s)) this.add(`${path}[${i}]`, `duplicate entry "${s}"`);
      seen.add(s);
    });
    return v as string[];
  }
  ints(v: Json, path: string, dflt: number[]): number[] {
    if (v === undefined) return dflt;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 1)) {
      this.add(path, 'must be an array of positive integers');
      return dflt;
    }
    return v as number[];
  }
  section(root: Record<string, Json>, key: string, allowed: readonly string[]): Record<string, Json> {
    const v = root[key];
    if (v === undefined) return {};
    if (!isObj(v)) {
      this.add(`$.${key}`, 'must be an object');
      return {};
    }
    this.keys(v, `$.${key}`, allowed);
    return v;
  }
}

/** `preprocessing.datetimeFeatures`: a subset of DATETIME_PARTS, all of them by default. */
function datetimeParts(c: Checker, pre: Record<string, Json>): DatetimePart[] {
  const list = c.strings(pre.datetimeFeatures, '$.preprocessing.datetimeFeatures');
  if (list === undefined) return [...DATETIME_PARTS];
  const bad = list.findIndex((p) => !DATETIME_PARTS.includes(p as DatetimePart));
  if (bad >= 0) {
    c.add(`$.preprocessing.datetimeFeatures[${bad}]`, `must be one of ${DATETIME_PARTS.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(list[bad])}`);
    return [...DATETIME_PARTS];
  }
  // In the canonical order, so the model's inputs do not depend on how the list was written.
  return DATETIME_PARTS.filter((p) => list.includes(p));
}

/** The gbm model's settings from `model.trees` (defaults: scikit-learn's HistGradientBoosting). */
function resolveTrees(c: Checker, model: Record<string, Json>): TreeSpec {
  let t: Record<string, Json> = {};
  if (model.trees !== undefined) {
    if (!isObj(model.trees)) c.add('$.model.trees', 'must be an object');
    else {
      t = model.trees;
      c.keys(t, '$.model.trees', EXPERIMENT_KEYS.trees);
      if (model.type !== 'gbm') c.add('$.model.trees', `applies to "model.type": "gbm" only (this model is ${JSON.stringify(model.type ?? 'mlp')})`);
    }
  }
  let maxDepth: number | null = null;
  if (t.maxDepth !== undefined && t.maxDepth !== null) maxDepth = c.num(t, 'maxDepth', '$.model.trees', 0, { integer: true, min: 1 }) || null;
  return {
    iterations: c.num(t, 'iterations', '$.model.trees', 100, { integer: true, min: 1, max: 100000 }),
    learningRate: c.num(t, 'learningRate', '$.model.trees', 0.1, { exclMin: 0, max: 1 }),
    maxLeafNodes: c.num(t, 'maxLeafNodes', '$.model.trees', 31, { integer: true, min: 2, max: 65536 }),
    maxDepth,
    minSamplesLeaf: c.num(t, 'minSamplesLeaf', '$.model.trees', 20, { integer: true, min: 1 }),
    l2: c.num(t, 'l2', '$.model.trees', 0, { min: 0 }),
    maxBins: c.num(t, 'maxBins', '$.model.trees', 255, { integer: true, min: 2, max: 255 }),
  };
}

export interface ResolveOptions {
  /**
   * Workspace root that dataset paths must stay inside. Defaults to the experiment file's
   * folder. Runs are stored under `<root>/.dataset-lab/runs/`.
   */
  root?: string;
}

/**
 * Validates a parsed experiment document and fills in defaults. Throws ExperimentError
 * listing every issue (file + JSON path) rather than stopping at the first.
 */
export function resolveExperiment(doc: Json, file: string, options: ResolveOptions = {}): ResolvedExperiment {
  const absFile = resolve(file);
  const root = resolve(options.root ?? dirname(absFile));
  const c = new Checker(file);
  if (!isObj(doc)) throw new ExperimentError([{ file, path: '$', message: 'the experiment must be a JSON object' }]);
  c.keys(doc, '$', EXPERIMENT_KEYS.$);
  if (doc.version !== 1) c.add('$.version', `must be 1 (this build reads experiment format version 1), got ${JSON.stringify(doc.version)}`);
  if (doc.name !== undefined && typeof doc.name !== 'string') c.add('$.name', 'must be a string');

  const datasets: ResolvedDataset[] = [];
  if (!Array.isArray(doc.datasets) || doc.datasets.length === 0) {
    c.add('$.datasets', 'must be a non-empty array of datasets');
  } else {
    const names = new Map<string, { name: string; index: number }>();
    doc.datasets.forEach((d: Json, i: number) => {
      const p = `$.datasets[${i}]`;
      if (!isObj(d)) {
        c.add(p, 'must be an object with name, path and label');
        return;
      }
      c.keys(d, p, EXPERIMENT_KEYS.dataset);
      const bad = (k: string) => typeof d[k] !== 'string' || (d[k] as string).length === 0;
      for (const k of ['name', 'path', 'label']) if (bad(k)) c.add(`${p}.${k}`, `"${k}" is required and must be a non-empty string`);
      let badName = bad('name');
      if (!badName) {
        const name = d.name as string;
        const problem = datasetNameProblem(name);
        const first = names.get(datasetNameKey(name));
        if (problem) c.add(`${p}.name`, problem);
        else if (first?.name === name) c.add(`${p}.name`, `duplicate dataset name "${name}"`, { dataset: name });
        else if (first) {
          c.add(`${p}.name`, `dataset name "${name}" differs from "${first.name}" ($.datasets[${first.index}].name) only in letter case; both would share one model folder`, { dataset: name });
        } else names.set(datasetNameKey(name), { name, index: i });
        badName = problem !== undefined;
      }
      if (badName || bad('path') || bad('label')) return;
      const name = d.name as string;
      const task = d.task === undefined ? undefined : c.enumOf<Task>(d, 'task', p, ['classification', 'regression'], 'classification');
      const features = c.strings(d.features, `${p}.features`);
      const exclude = c.strings(d.exclude, `${p}.exclude`);
      if (d.transform !== undefined) {
        for (const issue of parseTransformSteps(d.transform, `${p}.transform`).issues) c.add(issue.path, issue.message, { dataset: d.name as string });
      }
      const rel = d.path as string;
      const absPath = resolve(dirname(absFile), rel);
      const outside = confinementProblem(root, absPath, rel);
      if (outside) c.add(`${p}.path`, `${outside}; dataset paths must stay inside it`, { dataset: name });
      const ds: ResolvedDataset = { name, path: rel, label: d.label as string, absPath };
      if (task) ds.task = task;
      if (features) ds.features = features;
      if (exclude) ds.exclude = exclude;
      if (Array.isArray(d.transform)) ds.transform = d.transform;
      if (features?.includes(ds.label)) c.add(`${p}.features`, `the label column "${ds.label}" cannot also be a feature`, { dataset: name, column: ds.label });
      datasets.push(ds);
    });
  }
  const features = c.strings(doc.features, '$.features');

  let arms: ArmName[] = [...ALL_ARMS];
  if (doc.arms !== undefined) {
    if (!Array.isArray(doc.arms) || doc.arms.length === 0) c.add('$.arms', 'must be a non-empty array of "separate", "merged", "multihead"');
    else {
      arms = [];
      doc.arms.forEach((a: Json, i: number) => {
        if (typeof a !== 'string' || !ALL_ARMS.includes(a as ArmName)) c.add(`$.arms[${i}]`, `unknown arm ${JSON.stringify(a)} (use separate, merged, multihead)`);
        else if (arms.includes(a as ArmName)) c.add(`$.arms[${i}]`, `duplicate arm "${a}"`);
        else arms.push(a as ArmName);
      });
    }
  }

  const pre = c.section(doc, 'preprocessing', EXPERIMENT_KEYS.preprocessing);
  const preprocessing: PreprocessingSpec = {
    numericImpute: c.enumOf<NumericImpute>(pre, 'numericImpute', '$.preprocessing', ['mean', 'median', 'zero'], 'median'),
    categoricalImpute: c.enumOf<CategoricalImpute>(pre, 'categoricalImpute', '$.preprocessing', ['most_frequent', 'missing_category'], 'most_frequent'),
    scaling: c.enumOf<Scaling>(pre, 'scaling', '$.preprocessing', ['standard', 'minmax', 'robust', 'none'], 'standard'),
    maxCategories: c.num(pre, 'maxCategories', '$.preprocessing', 32, { integer: true, min: 1, max: 1000 }),
    datetimeFeatures: datetimeParts(c, pre),
  };
  const sp = c.section(doc, 'split', EXPERIMENT_KEYS.split);
  const split: SplitSpec = {
    test: c.num(sp, 'test', '$.split', 0.2, { exclMin: 0, exclMax: 1 }),
    validation: c.num(sp, 'validation', '$.split', 0.1, { min: 0, exclMax: 1 }),
    seed: c.num(sp, 'seed', '$.split', 42, { integer: true }),
  };
  if (split.test + split.validation >= 1) c.add('$.split', `test + validation must leave rows for training (got ${split.test} + ${split.validation})`);
  const me = c.section(doc, 'merged', EXPERIMENT_KEYS.merged);
  const merged: MergedSpec = {
    balancing: c.enumOf<Balancing>(me, 'balancing', '$.merged', ['none', 'oversample', 'undersample', 'inverse_size'], 'none'),
  };
  const mh = c.section(doc, 'multihead', EXPERIMENT_KEYS.multihead);
  const weights: Record<string, number> = {};
  if (mh.weights !== undefined) {
    if (!isObj(mh.weights)) c.add('$.multihead.weights', 'must be an object mapping dataset names to weights');
    else
      for (const [k, v] of Object.entries(mh.weights)) {
        if (typeof v !== 'number' || !(v >= 0)) c.add(`$.multihead.weights.${k}`, 'must be a number >= 0');
        else if (!datasets.some((d) => d.name === k)) c.add(`$.multihead.weights.${k}`, `no dataset is named "${k}"`, { dataset: k });
        else weights[k] = v;
      }
  }
  const multihead: MultiheadSpec = {
    mixing: c.enumOf<Mixing>(mh, 'mixing', '$.multihead', ['proportional', 'equal', 'temperature'], 'proportional'),
    temperature: c.num(mh, 'temperature', '$.multihead', 2, { exclMin: 0 }),
    weighting: c.enumOf<Weighting>(mh, 'weighting', '$.multihead', ['static', 'uncertainty', 'dwa'], 'static'),
    weights,
    dwaTemperature: c.num(mh, 'dwaTemperature', '$.multihead', 2, { exclMin: 0 }),
  };
  const mo = c.section(doc, 'model', EXPERIMENT_KEYS.model);
  const model: ModelSpec = {
    type: c.enumOf<ModelSpec['type']>(mo, 'type', '$.model', ['mlp', 'linear', 'gbm'], 'mlp'),
    hidden: c.ints(mo.hidden, '$.model.hidden', [64, 32]),
    headHidden: c.ints(mo.headHidden, '$.model.headHidden', []),
    activation: c.enumOf<Activation>(mo, 'activation', '$.model', ['relu', 'tanh', 'sigmoid', 'elu'], 'relu'),
    dropout: c.num(mo, 'dropout', '$.model', 0, { min: 0, exclMax: 1 }),
    l2: c.num(mo, 'l2', '$.model', 1e-4, { min: 0 }),
    trees: resolveTrees(c, mo),
  };
  if (model.type === 'linear' && arms.includes('multihead')) {
    c.add('$.arms', 'the multihead arm needs an MLP (a shared trunk); with "model.type": "linear" use separate and merged only');
  }
  const tr = c.section(doc, 'training', EXPERIMENT_KEYS.training);
  let es: Record<string, Json> = {};
  if (tr.earlyStopping !== undefined) {
    if (!isObj(tr.earlyStopping)) c.add('$.training.earlyStopping', 'must be an object');
    else {
      es = tr.earlyStopping;
      c.keys(es, '$.training.earlyStopping', EXPERIMENT_KEYS.earlyStopping);
    }
  }
  const training: TrainingSpec = {
    epochs: c.num(tr, 'epochs', '$.training', 50, { integer: true, min: 1 }),
    batchSize: c.num(tr, 'batchSize', '$.training', 64, { integer: true, min: 1 }),
    optimizer: c.enumOf<OptimizerName>(tr, 'optimizer', '$.training', ['adam', 'sgd', 'rmsprop'], 'adam'),
    learningRate: c.num(tr, 'learningRate', '$.training', 1e-3, { exclMin: 0 }),
    earlyStopping: {
      patience: c.num(es, 'patience', '$.training.earlyStopping', 10, { integer: true, min: 1 }),
      restoreBestWeights: c.bool(es, 'restoreBestWeights', '$.training.earlyStopping', true),
    },
    seed: c.num(tr, 'seed', '$.training', 42, { integer: true }),
  };
  const ev = c.section(doc, 'evaluation', EXPERIMENT_KEYS.evaluation);
  const method = c.enumOf<EvaluationMethod>(ev, 'method', '$.evaluation', ['holdout', 'cv', 'repeated-cv'], 'holdout');
  const evaluation: EvaluationSpec = {
    method,
    folds: c.num(ev, 'folds', '$.evaluation', 5, { integer: true, min: 2, max: 20 }),
    repeats: c.num(ev, 'repeats', '$.evaluation', method === 'repeated-cv' ? 3 : 1, { integer: true, min: 1, max: 20 }),
    confidence: c.num(ev, 'confidence', '$.evaluation', 0.95, { exclMin: 0.5, exclMax: 1 }),
    bootstrap: c.num(ev, 'bootstrap', '$.evaluation', 2000, { integer: true, min: 200, max: 100000 }),
    seed: c.num(ev, 'seed', '$.evaluation', split.seed, { integer: true }),
  };
  if (method === 'cv' && evaluation.repeats !== 1) c.add('$.evaluation.repeats', `"cv" runs the folds once; use "method": "repeated-cv" for ${evaluation.repeats} repeats`);
  if (method === 'holdout' && (ev.folds !== undefined || ev.repeats !== undefined)) {
    c.add(`$.evaluation.${ev.folds !== undefined ? 'folds' : 'repeats'}`, 'folds and repeats apply to "method": "cv" or "repeated-cv"; holdout uses split.test');
  }
  const text = resolveTextSpec(doc.text, (path, message) => c.add(path, message), file, root);
  if (c.issues.length) throw new ExperimentError(c.issues);
  const out: ResolvedExperiment = {
    version: 1,
    name: typeof doc.name === 'string' ? doc.name : absFile.replace(/^.*[\\/]/, '').replace(/\.experiment\.json$|\.json$/, ''),
    file: absFile,
    root,
    datasets,
    arms,
    preprocessing,
    split,
    merged,
    multihead,
    model,
    training,
    evaluation,
  };
  if (features) out.features = features;
  if (text) out.text = text;
  return out;
}

/** Reads, parses and validates an experiment file. */
export function loadExperiment(file: string, options: ResolveOptions = {}): ResolvedExperiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExperimentError([{ file, path: '', message: `cannot read the experiment file (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // JSON.parse does not always say where; jsonc-parser reports the offset.
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
    let where = '';
    if (errors.length) {
      const before = text.slice(0, errors[0].offset).split('\n');
      where = ` (line ${before.length}, column ${before[before.length - 1].length + 1}: ${printParseErrorCode(errors[0].error)})`;
    }
    throw new ExperimentError([{ file, path: '', message: `not valid JSON${where}: ${(e as Error).message.split('\n')[0]}` }]);
  }
  return resolveExperiment(doc, file, options);
}
