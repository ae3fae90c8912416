/**
 * Writes a starting experiment from a set of CSV files: labels, shared features (columns
 * present in every dataset, minus labels, identifiers and constants; text and datetime columns
 * are kept), tasks, defaults, and the arms of the kind asked for that the labels allow
 * (src/protocol/armRule.ts: no merged arm for label columns that measure different things).
 */
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { isIdentifierLike } from '../core/columnKind';
import type { Column, DataTable } from '../core/table';
import { columnByName, isStringColumn } from '../core/table';
import { inferTask, unusableFeature } from './data';
import type { Task } from '../protocol/runFolder/contract';
import { DATETIME_PARTS, datasetNameKey, toDatasetName, type ExperimentFileV1 } from './experiment';
import { armsFor, EXPERIMENT_KIND_TITLES, type ExperimentKind } from '../protocol/armRule';

export class ScaffoldError extends Error {
  readonly userFacing = true;
  readonly exitCode = 2;
}

export interface ScaffoldInput {
  /** Which arms beside the separate baseline (src/protocol/armRule.ts). */
  readonly mode: ExperimentKind;
  readonly tables: readonly DataTable[];
  /** One label column per table. */
  readonly labels: readonly string[];
  /** Where the experiment will be written (dataset paths are made relative to its folder). */
  readonly outFile: string;
}

export interface ScaffoldResult {
  readonly experiment: ExperimentFileV1;
  /** Why columns were left out, for the user. */
  readonly notes: string[];
}

/** Distinct non-missing values and how many cells hold one. */
function distinct(col: Column): { distinct: number; values: number } {
  if (isStringColumn(col)) {
    const used = new Uint8Array(col.dictionary.length);
    let values = 0;
    for (const c of col.codes) {
      if (c < 0) continue;
      used[c] = 1;
      values++;
    }
    return { distinct: used.reduce((a, b) => a + b, 0), values };
  }
  const s = new Set<number>();
  let values = 0;
  for (const v of col.values) {
    if (Number.isNaN(v)) continue;
    s.add(v);
    values++;
  }
  return { distinct: s.size, values };
}

/** The label values present in a column, as the trainer names classes (numbers as written). */
function labelValues(col: Column): string[] {
  if (isStringColumn(col)) {
    const used = new Set<number>();
    for (const c of col.codes) if (c >= 0) used.add(c);
    return [...used].map((c) => col.dictionary[c]);
  }
  const seen = new Set<number>();
  for (const v of col.values) if (!Number.isNaN(v)) seen.add(v);
  return [...seen].map(String);
}

/** The model init writes (the features it offers are those this model accepts). */
const SCAFFOLD_MODEL = 'mlp';

export function scaffoldExperiment(input: ScaffoldInput): ScaffoldResult {
  const { tables, labels, mode } = input;
  const notes: string[] = [];
  const outDir = dirname(resolve(input.outFile));
  // Names: file names without extension, held to the dataset-name rules, unique ignoring case.
  const names: string[] = [];
  for (const t of tables) {
    const base = toDatasetName(basename(t.path, extname(t.path)).slice(0, 60));
    let name = base;
    for (let k = 2; names.some((n) => datasetNameKey(n) === datasetNameKey(name)); k++) name = `${base}-${k}`;
    names.push(name);
  }
  const tasks: Task[] = tables.map((t, i) => {
    const col = columnByName(t, labels[i]);
    if (!col) throw new ScaffoldError(`${t.path}: label column "${labels[i]}" not found (columns: ${t.columns.map((c) => c.name).join(', ')})`);
    return inferTask(col);
  });
  const labelSet = new Set(labels);
  const shared = tables[0].columns.map((c) => c.name).filter((n) => !labelSet.has(n) && tables.every((t) => columnByName(t, n)));
  const features: string[] = [];
  for (const name of shared) {
    const cols = tables.map((t) => columnByName(t, name) as Column);
    if (new Set(cols.map((c) => c.type)).size > 1) {
      notes.push(`left out "${name}": its kind differs between files (${cols.map((c, i) => `${c.type} in ${tables[i].path}`).join(', ')})`);
      continue;
    }
    const counts = cols.map(distinct);
    if (counts.every((c) => c.distinct <= 1)) {
      notes.push(`left out "${name}": constant`);
      continue;
    }
    if (cols.some((c, i) => c.type === 'categorical' && isIdentifierLike(counts[i].distinct, counts[i].values))) {
      notes.push(`left out "${name}": categories with mostly distinct values (an identifier)`);
      continue;
    }
    // Offered only when the trainer takes it with the experiment written below (an mlp, every date part).
    const refused = unusableFeature(cols[0], SCAFFOLD_MODEL, DATETIME_PARTS);
    if (refused !== undefined) {
      notes.push(`left out "${name}": ${refused}`);
      continue;
    }
    if (cols[0].type === 'text') notes.push(`kept "${name}" as a text feature (free text: docs/ingest.md)`);
    if (cols[0].type === 'datetime') notes.push(`kept "${name}" as a date feature: year, month, day of week${cols.some((c) => c.type === 'datetime' && !c.dateOnly) ? ', hour' : ''} and days since the first training date (preprocessing.datetimeFeatures, docs/training.md)`);
    features.push(name);
  }
  if (features.length === 0) throw new ScaffoldError(`no usable feature columns are shared by ${tables.map((t) => t.path).join(', ')}`);
  for (const t of tables) {
    const extra = t.columns.map((c) => c.name).filter((n) => !shared.includes(n) && !labelSet.has(n));
    if (extra.length) notes.push(`${t.path}: not in every file, left out: ${extra.join(', ')}`);
  }

  // The arms follow the data: no merged arm for labels that do not measure the same thing.
  const labelInfo = tables.map((t, i) => {
    const col = columnByName(t, labels[i]) as Column;
    return { dataset: names[i], column: labels[i], task: tasks[i], ...(tasks[i] === 'classification' ? { classes: labelValues(col) } : {}) };
  });
  const chosen = armsFor(mode, labelInfo);
  if (chosen.refused) throw new ScaffoldError(chosen.refused);
  notes.push(...chosen.notes);
  const arms = chosen.arms;

  const datasets = tables.map((t, i) => {
    const abs = resolve(t.path);
    const rel = relative(outDir, abs);
    if (rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel)) {
      throw new ScaffoldError(`${t.path} is outside ${outDir}; write the experiment in a folder that contains every CSV (dataset paths must stay inside the experiment's folder)`);
    }
    return { name: names[i], path: rel.split(sep).join('/'), label: labels[i], task: tasks[i] };
  });
  const rows = Math.min(...tables.map((t) => t.rows));
  const evaluation = chooseEvaluation(tables, labels, names, 0.2);
  notes.push(evaluation.note);
  const experiment: ExperimentFileV1 = {
    version: 1,
    // Named for what it trains, so a run of it reads as such ("merged vs separate: a + b").
    name: `${EXPERIMENT_KIND_TITLES[mode] === EXPERIMENT_KIND_TITLES.all ? arms.join(', ') : EXPERIMENT_KIND_TITLES[mode]}: ${names.join(' + ')}`,
    datasets,
    features,
    arms,
    // With a date feature, the date inputs are written out: the place to leave some out.
    preprocessing: { numericImpute: 'median', categoricalImpute: 'most_frequent', scaling: 'standard', maxCategories: 32, ...(features.some((n) => columnByName(tables[0], n)?.type === 'datetime') ? { datetimeFeatures: [...DATETIME_PARTS] } : {}) },
    split: { test: 0.2, validation: 0.1, seed: 42 },
    merged: { balancing: arms.includes('merged') ? 'inverse_size' : 'none' },
    multihead: { mixing: 'proportional', weighting: 'static' },
    model: { type: SCAFFOLD_MODEL, hidden: rows < 2000 ? [32, 16] : [64, 32], headHidden: [], activation: 'relu', dropout: 0, l2: 1e-4 },
    training: { epochs: 50, batchSize: 64, optimizer: 'adam', learningRate: 0.003, earlyStopping: { patience: 8, restoreBestWeights: true }, seed: 42 },
    evaluation: evaluation.spec,
  };
  return { experiment, notes };
}

/** Below this many test rows, a dataset's one test split gives intervals too wide to tell arms apart. */
export const MIN_HOLDOUT_TEST_ROWS = 200;

/**
 * Holdout when every dataset's test split (`test` of its labelled rows) would hold at least
 * MIN_HOLDOUT_TEST_ROWS rows; otherwise 5-fold cross-validation, which tests every row once.
 * The note says which and why (init prints it).
 */
export function chooseEvaluation(tables: readonly DataTable[], labels: readonly string[], names: readonly string[], test: number): { spec: ExperimentFileV1['evaluation'] & object; note: string } {
  const testRows = tables.map((t, i) => {
    const col = columnByName(t, labels[i]);
    return Math.round((t.rows - (col?.missing ?? 0)) * test);
  });
  const smallest = testRows.indexOf(Math.min(...testRows));
  if (testRows[smallest] < MIN_HOLDOUT_TEST_ROWS) {
    return {
      spec: { method: 'cv', folds: 5 },
      note: `evaluation: 5-fold cross-validation, because ${names[smallest]}'s test split would have only ${testRows[smallest]} rows (under ${MIN_HOLDOUT_TEST_ROWS}): one small test split gives intervals too wide to tell the arms apart; every row is tested once across the folds`,
    };
  }
  return { spec: { method: 'holdout' }, note: `evaluation: holdout on a ${Math.round(test * 100)}% test split (the smallest, ${names[smallest]}'s, has ${testRows[smallest]} rows, at least ${MIN_HOLDOUT_TEST_ROWS})` };
}
