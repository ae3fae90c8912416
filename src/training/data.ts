/**
 * Turns loaded tables into training sources: checks the label and feature columns (errors
 * name the dataset and column), infers tasks, encodes labels and splits each dataset into
 * train / validation / test, stratified by label, with a seeded generator.
 */
import type { Column, DataTable } from '../core/table';
import { categoryAt, columnByName, isStringColumn, unknownKind } from '../core/table';
import type { Task } from '../protocol/runFolder/contract';
import { ExperimentError, type ExperimentIssue, type ResolvedExperiment } from './experiment';
import { Rng } from '../core/random';

export const SPLIT_TRAIN = 0;
export const SPLIT_VALIDATION = 1;
export const SPLIT_TEST = 2;
export type SplitName = 'train' | 'validation' | 'test';

/**
 * A feature column and how the models read it: numeric and categorical columns through
 * preprocess.ts, text columns (src/core/table.ts, TextColumn) through a text encoder
 * (text/, the experiment's `text` section), datetime columns through the inputs preprocess.ts
 * derives from them (`preprocessing.datetimeFeatures`; gradient-boosted trees split on the
 * instant itself).
 */
export interface FeatureInfo {
  readonly name: string;
  readonly type: 'numeric' | 'categorical' | 'text' | 'datetime';
}

/** One dataset ready for training: labelled rows only, with their split assignment. */
export interface Source {
  readonly name: string;
  readonly index: number;
  readonly table: DataTable;
  readonly label: string;
  readonly task: Task;
  /** Classification: sorted class names; y holds indices into it. */
  readonly classes: readonly string[];
  /** Table row index of each labelled row. */
  readonly rows: Int32Array;
  /** Label per labelled row: class index (classification) or value (regression). */
  readonly y: Float64Array;
  /** SPLIT_TRAIN / SPLIT_VALIDATION / SPLIT_TEST per labelled row. */
  readonly split: Uint8Array;
  /** Rows dropped because their label was missing. */
  readonly unlabelled: number;
}

export interface PreparedData {
  readonly sources: readonly Source[];
  readonly features: readonly FeatureInfo[];
}

/** Classification when the label holds strings (or dates), or is numeric with at most 20 distinct integers. */
export function inferTask(column: Column): Task {
  if (column.type !== 'numeric') return 'classification';
  const seen = new Set<number>();
  for (const v of column.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return 'regression';
    seen.add(v);
    if (seen.size > 20) return 'regression';
  }
  return 'classification';
}

/**
 * Why a column cannot be a feature of this trainer, or undefined when it can: the one rule run
 * (prepareSources) and init (scaffold.ts) share, so init never offers a column the run refuses.
 */
export function unusableFeature(col: Column, model: ResolvedExperiment['model']['type'], datetimeParts: readonly string[]): string | undefined {
  switch (col.type) {
    case 'numeric':
    case 'categorical':
      return undefined;
    case 'text':
      // Text is encoded by a network (text/): trees and the closed-form linear model have none.
      if (model === 'mlp') return undefined;
      return `feature column "${col.name}" is free text (a text column, docs/ingest.md); text features need "model": {"type": "mlp"} (a text encoder feeds the network), not "${model}": change the model, or leave the column out with "exclude" (per dataset) or "features"`;
    case 'datetime':
      if (datetimeParts.length > 0) return undefined;
      return `feature column "${col.name}" holds dates and times, but "preprocessing": {"datetimeFeatures": []} derives no input from dates: list the parts to use (year, month, dayOfWeek, hour, days) or leave the column out of "features"`;
    default:
      return unknownKind(col);
  }
}

function sortClasses(names: string[]): string[] {
  const numeric = names.every((n) => n.trim() !== '' && Number.isFinite(Number(n)));
  return numeric ? names.sort((a, b) => Number(a) - Number(b)) : names.sort();
}

/** String form of a numeric class value, as it appears in results. */
function numericClassName(v: number): string {
  return String(v);
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Feature columns of one dataset before intersecting: explicit list, or all but label/excluded. */
function candidateFeatures(exp: ResolvedExperiment, i: number, table: DataTable): string[] {
  const d = exp.datasets[i];
  if (d.features) return d.features;
  const excluded = new Set(d.exclude ?? []);
  const labels = new Set(exp.datasets.map((x) => x.label));
  // With no input derived from dates, datetime columns are not offered as features at all.
  const noDates = exp.preprocessing.datetimeFeatures.length === 0;
  return table.columns.filter((c) => !(noDates && c.type === 'datetime')).map((c) => c.name).filter((n) => !labels.has(n) && !excluded.has(n));
}

/**
 * Validates the tables against the experiment and builds the sources. `tables` are in the
 * experiment's dataset order. Throws ExperimentError naming dataset and column.
 */
export function prepareSources(exp: ResolvedExperiment, tables: readonly DataTable[]): PreparedData {
  const issues: ExperimentIssue[] = [];
  const add = (i: number, message: string, column?: string, path = `$.datasets[${i}]`) => {
    const issue: ExperimentIssue = { file: exp.file, path, message, dataset: exp.datasets[i].name };
    issues.push(column === undefined ? issue : { ...issue, column });
  };

  // Features: the explicit shared list, else the columns every dataset offers as a feature.
  let featureNames: string[];
  if (exp.features) featureNames = exp.features;
  else {
    const lists = tables.map((t, i) => candidateFeatures(exp, i, t));
    featureNames = lists[0].filter((n) => lists.every((l) => l.includes(n)));
  }
  const features: FeatureInfo[] = [];
  for (const name of featureNames) {
    let type: Column['type'] | undefined;
    let firstDs = -1;
    let refused = false;
    tables.forEach((t, i) => {
      const col = columnByName(t, name);
      if (!col) {
        add(i, `feature column "${name}" not found in ${exp.datasets[i].path}`, name, exp.features ? '$.features' : `$.datasets[${i}].features`);
        return;
      }
      const unusable = unusableFeature(col, exp.model.type, exp.preprocessing.datetimeFeatures);
      if (unusable !== undefined && !refused) {
        refused = true;
        add(i, unusable, name, exp.features ? '$.features' : `$.datasets[${i}]`);
      }
      if (type === undefined) {
        type = col.type;
        firstDs = i;
      } else if (col.type !== type) {
        // Free text in one file and short strings (read as categories) in another: both tokenize.
        if ((col.type === 'text' && type === 'categorical') || (col.type === 'categorical' && type === 'text')) {
          type = 'text';
          const unusableText = exp.model.type === 'mlp' ? undefined : unusableFeature(col.type === 'text' ? col : (columnByName(tables[firstDs], name) as Column), exp.model.type, exp.preprocessing.datetimeFeatures);
          if (unusableText !== undefined && !refused) {
            refused = true;
            add(i, unusableText, name, exp.features ? '$.features' : `$.datasets[${i}]`);
          }
        } else add(i, `feature column "${name}" is ${col.type} here but ${type} in dataset "${exp.datasets[firstDs].name}"`, name);
      }
    });
    if ((type === 'numeric' || type === 'categorical' || type === 'text' || type === 'datetime') && !refused) features.push({ name, type });
  }
  if (featureNames.length === 0) {
    issues.push({ file: exp.file, path: '$.features', message: 'no feature columns are shared by all datasets; list them in "features"' });
  }

  const sources: Source[] = [];
  tables.forEach((table, i) => {
    const d = exp.datasets[i];
    const col = columnByName(table, d.label);
    if (!col) {
      add(i, `label column "${d.label}" not found in ${d.path} (columns: ${table.columns.map((c) => c.name).join(', ')})`, d.label, `$.datasets[${i}].label`);
      return;
    }
    if (col.type === 'datetime') {
      add(i, `label "${d.label}" holds dates and times; use a numeric or categorical column as the label`, d.label, `$.datasets[${i}].label`);
      return;
    }
    const task = d.task ?? inferTask(col);
    const rowsList: number[] = [];
    let yList: number[] = [];
    let classes: string[] = [];
    if (task === 'regression') {
      if (col.type !== 'numeric') {
        const sample = col.dictionary.slice(0, 3).map((s) => `"${s}"`).join(', ');
        add(i, `regression label "${d.label}" holds text values (e.g. ${sample}); use a numeric column or "task": "classification"`, d.label, `$.datasets[${i}].label`);
        return;
      }
      for (let r = 0; r < table.rows; r++) {
        const v = col.values[r];
        if (!Number.isNaN(v)) {
          rowsList.push(r);
          yList.push(v);
        }
      }
    } else {
      const raw: string[] = [];
      for (let r = 0; r < table.rows; r++) {
        let s: string | undefined;
        if (isStringColumn(col)) s = categoryAt(col, r);
        else s = Number.isNaN(col.values[r]) ? undefined : numericClassName(col.values[r]);
        if (s !== undefined) {
          rowsList.push(r);
          raw.push(s);
        }
      }
      classes = sortClasses([...new Set(raw)]);
      const index = new Map(classes.map((c, k) => [c, k]));
      yList = raw.map((s) => index.get(s) as number);
      if (classes.length < 2) {
        add(i, `label "${d.label}" has ${classes.length === 0 ? 'no values' : `only one class ("${classes[0]}")`}; classification needs at least two`, d.label, `$.datasets[${i}].label`);
        return;
      }
    }
    const rows = Int32Array.from(rowsList);
    const y = Float64Array.from(yList);
    const split = splitRows(y, task, classes.length, exp.split.test, exp.split.validation, exp.split.seed ^ hashString(d.name));
    const counts = [0, 0, 0];
    for (const s of split) counts[s]++;
    const needed: [number, SplitName][] = [[SPLIT_TRAIN, 'train'], [SPLIT_TEST, 'test']];
    if (exp.split.validation > 0) needed.push([SPLIT_VALIDATION, 'validation']);
    for (const [k, name] of needed) {
      if (counts[k] === 0) {
        add(i, `has 0 rows in the ${name} split (${rows.length} labelled rows of ${table.rows}, label "${d.label}"); add rows or change "split"`, d.label, '$.split');
        return;
      }
    }
    sources.push({ name: d.name, index: i, table, label: d.label, task, classes, rows, y, split, unlabelled: table.rows - rows.length });
  });

  if (issues.length) throw new ExperimentError(issues);
  const tasks = new Set(sources.map((s) => s.task));
  if (exp.arms.includes('merged') && tasks.size > 1) {
    throw new ExperimentError([
      {
        file: exp.file,
        path: '$.arms',
        message: `the merged arm needs one task for all datasets, but ${sources.map((s) => `"${s.name}" is ${s.task}`).join(', ')}; drop "merged" from arms`,
      },
    ]);
  }
  return { sources, features };
}

/**
 * Assigns each row to a split. Classification: per class, shuffle then take round(n*test)
 * test rows and round(n*validation) validation rows; regression: the same over all rows.
 */
export function splitRows(y: Float64Array, task: Task, nClasses: number, test: number, validation: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(y.length);
  const groups: number[][] = task === 'classification' ? Array.from({ length: nClasses }, () => []) : [[]];
  for (let r = 0; r < y.length; r++) groups[task === 'classification' ? y[r] : 0].push(r);
  for (const g of groups) {
    rng.shuffle(g);
    const nTest = Math.round(g.length * test);
    const nVal = Math.round(g.length * validation);
    // Keep at least one training row per class when the class has any.
    const t = Math.min(nTest, Math.max(0, g.length - 1));
    const v = Math.min(nVal, Math.max(0, g.length - 1 - t));
    for (let k = 0; k < g.length; k++) out[g[k]] = k < t ? SPLIT_TEST : k < t + v ? SPLIT_VALIDATION : SPLIT_TRAIN;
  }
  return out;
}

/** Positions (into source.rows) of the rows in one split. */
export function splitPositions(source: Source, which: number): Int32Array {
  const out: number[] = [];
  for (let k = 0; k < source.split.length; k++) if (source.split[k] === which) out.push(k);
  return Int32Array.from(out);
}

/**
 * Cross-validation folds of one source: per repeat, the fold (0..k-1) of every labelled row.
 * Classification folds are stratified: each class's rows are shuffled and dealt to the folds
 * in turn, the dealer going on from class to class, so every fold gets each class in
 * proportion and the folds differ in size by at most one row. Regression rows are shuffled and
 * dealt the same way. Repeat r uses the seed mixed with r, so repeats have fresh folds.
 */
export function assignFolds(source: Pick<Source, 'y' | 'task' | 'classes'>, folds: number, repeats: number, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let r = 0; r < repeats; r++) {
    const rng = new Rng(seed ^ Math.imul(r + 1, 0x9e3779b1));
    const fold = new Uint8Array(source.y.length);
    const groups: number[][] = source.task === 'classification' ? source.classes.map(() => []) : [[]];
    for (let i = 0; i < source.y.length; i++) groups[source.task === 'classification' ? source.y[i] : 0].push(i);
    let dealer = 0;
    for (const g of groups) {
      rng.shuffle(g);
      for (const i of g) {
        fold[i] = dealer;
        dealer = (dealer + 1) % folds;
      }
    }
    out.push(fold);
  }
  return out;
}

/**
 * The split of one fold: its rows are the test split; of the others, `validation` of each
 * class (stratified, seeded) are held out for early stopping and the rest train. With
 * `testFold` -1 no row is tested: the split of the final refit on every labelled row.
 */
export function foldSplit(source: Pick<Source, 'y' | 'task' | 'classes'>, fold: Uint8Array, testFold: number, validation: number, seed: number): Uint8Array {
  const rest: number[] = [];
  const split = new Uint8Array(source.y.length);
  for (let i = 0; i < split.length; i++) {
    if (fold[i] === testFold) split[i] = SPLIT_TEST;
    else rest.push(i);
  }
  const y = Float64Array.from(rest, (i) => source.y[i]);
  const inner = splitRows(y, source.task, source.classes.length, 0, validation, seed);
  rest.forEach((i, k) => {
    split[i] = inner[k] === SPLIT_VALIDATION ? SPLIT_VALIDATION : SPLIT_TRAIN;
  });
  return split;
}

/** The same data with each source's split replaced (a fold of cross-validation, or the refit). */
export function withSplits(data: PreparedData, splits: ReadonlyMap<string, Uint8Array>): PreparedData {
  return { ...data, sources: data.sources.map((s) => ({ ...s, split: splits.get(s.name) ?? s.split })) };
}

/** Seed of a source's folds: the evaluation seed mixed with the dataset's name, as splits are. */
export function sourceSeed(seed: number, name: string): number {
  return seed ^ hashString(name);
}
