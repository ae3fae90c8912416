/**
 * `dataset-lab export torch`: an experiment as a self-contained PyTorch project. Our engine reads
 * the data, splits it and fits each model's preprocessing on that model's training rows exactly
 * as `dataset-lab run` would (data.ts, modelPlan.ts, preprocess.ts, modelData.ts); the project
 * holds those fitted statistics as JSON, the split, and train.py, which trains the same MLP with
 * DistributedDataParallel and writes a run folder in our format (src/protocol/runFolder/contract.ts).
 * Cross-validation (`evaluation.method` "cv" or "repeated-cv"): the export computes the folds as
 * `dataset-lab run` does (crossValidation.ts planCrossValidation: the same fold assignment,
 * seeds, stratification and validation rows) and fits each fold's preprocessing on that fold's
 * training rows; train.py trains every fold of every arm in one torchrun job and writes
 * folds.json and each fold's test predictions, from which our engine computes the fold means,
 * the corrected-t intervals and the paired tests when the run is read (runEvidence.ts).
 * `--holdout` exports such an experiment's holdout split instead.
 * What has no PyTorch counterpart in train.py (gbm and linear models, text encoders, dates with
 * time zones) is refused before anything is written; a
 * dataset with transform steps is written into the project as our engine transformed it. The
 * project is written to a temporary folder beside the output and renamed into place, so it
 * exists whole or not at all.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { DEFAULT_MISSING_TOKENS } from '../../../core/ingest';
import { columnByName, unknownKind, type DataTable } from '../../../core/table';
import type { SourceLeakage, SplitFile } from '../../../protocol/runFolder/contract';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, prepareSources, splitPositions, withSplits, type PreparedData, type Source } from '../../data';
import { baselines } from '../../evaluation/baseline';
import { crossValidationLeakage, planCrossValidation, type CrossValidationPlan } from '../../evaluation/crossValidation';
import { ExperimentError, loadExperiment, type ExperimentIssue, type ResolvedExperiment } from '../../experiment';
import { findLeakage } from '../../leakage';
import { buildSplit, standardiseTargets } from '../../modelData';
import { plansFor, unionClasses, type ModelPlan } from '../../modelPlan';
import { fitPreprocessing } from '../../preprocess';
import { readDatasets } from '../../readDatasets';
import { rowAccounting } from '../../rowAccounting';
import { exportReadme, kubernetesJob, slurmScript } from './launchFiles';
import { TRAIN_PY } from './trainPy';

export interface ExportOptions {
  /** The project folder to write; must not exist unless `force`. */
  readonly out: string;
  readonly force?: boolean;
  /** Workspace root the dataset paths must stay inside (default: the experiment's folder). */
  readonly root?: string;
  /** Export a cross-validation experiment with its holdout split (otherwise its folds are exported). */
  readonly holdout?: boolean;
}

export interface ExportSummary {
  readonly out: string;
  readonly files: readonly string[];
  readonly models: readonly string[];
  readonly notes: readonly string[];
  /** Cross-validation: the folds exported (folds x repeats); absent for a holdout export. */
  readonly folds?: number;
}

/** The experiment cannot be exported as it is: what and why, naming the JSON path; nothing was written. */
export class ExportRefusedError extends ExperimentError {
  constructor(issues: readonly ExperimentIssue[]) {
    super(issues);
    this.name = 'ExportRefusedError';
  }
}

function dataFormat(path: string): 'csv' | 'parquet' | 'arrow' | 'jsonl' {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.arrow' || ext === '.feather') return 'arrow';
  if (ext === '.jsonl') return 'jsonl';
  return 'csv';
}

/** What train.py cannot do, found from the experiment alone (before any data is read). */
function refusals(exp: ResolvedExperiment): ExperimentIssue[] {
  const issues: ExperimentIssue[] = [];
  const add = (path: string, message: string, dataset?: string) => issues.push({ file: exp.file, path, message, ...(dataset ? { dataset } : {}) });
  if (exp.model.type === 'gbm') {
    add('$.model.type', 'gradient-boosted trees ("gbm") cannot be exported to PyTorch: train.py trains the MLP; use "model": {"type": "mlp"} for the export, or train gbm with dataset-lab run');
  } else if (exp.model.type === 'linear') {
    add('$.model.type', 'the linear model is fitted in closed form / by L-BFGS, which train.py does not do; use "model": {"type": "mlp"} for the export, or train it with dataset-lab run');
  }
  return issues;
}

/**
 * What train.py cannot do, found once the data is read: text features (no exported encoder) and
 * dates written with zones (train.py reads dates with pandas and the format our reader inferred,
 * as wall times; per-cell offsets it does not reproduce).
 */
function featureRefusals(exp: ResolvedExperiment, data: PreparedData, tables: readonly DataTable[]): ExperimentIssue[] {
  const issues: ExperimentIssue[] = [];
  for (const f of data.features) {
    if (f.type === 'text') issues.push({ file: exp.file, path: '$.features', column: f.name, message: `feature column "${f.name}" is free text: text encoders (vocabularies, embeddings, pretrained models) are not exported to PyTorch; leave the column out of "features" for the export, or train with dataset-lab run` });
    if (f.type !== 'datetime') continue;
    tables.forEach((t, i) => {
      const col = columnByName(t, f.name);
      if (col?.type !== 'datetime') return;
      if (col.offsets || /%z|%Z/.test(col.format) || col.format === 'native') {
        issues.push({ file: exp.file, path: `$.datasets[${i}].path`, dataset: exp.datasets[i].name, column: f.name, message: `feature column "${f.name}" holds ${col.format === 'native' ? "a typed file's timestamps" : `dates with time zones (${col.format})`}: train.py reads dates as wall times without zones; leave it out of "features" for the export, or train with dataset-lab run` });
      }
    });
  }
  return issues;
}

/** How transformed tables are written for train.py: dates as ISO wall times (zones are refused before). */
const DATE_ONLY_FORMAT = '%Y-%m-%d';
const DATE_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%f';

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A dataset with `transform` steps, as train.py reads it: the transformed table our engine built
 * (readDatasets.ts applies the steps), its feature and label columns written as CSV. Numbers as
 * JavaScript writes them (they read back exactly), categories as written, missing cells empty,
 * dates as ISO wall times. A category that train.py would read as missing (it equals a missing
 * token) is refused, naming the dataset and column.
 */
function transformedCsv(exp: ResolvedExperiment, i: number, table: DataTable, columns: readonly string[]): { text: string; issues: ExperimentIssue[] } {
  const issues: ExperimentIssue[] = [];
  const tokens = new Set(DEFAULT_MISSING_TOKENS);
  const cols = columns.map((name) => columnByName(table, name));
  const writers = cols.map((col, k): ((row: number) => string) => {
    if (!col) {
      issues.push({ file: exp.file, path: `$.datasets[${i}].transform`, dataset: exp.datasets[i].name, column: columns[k], message: `the transform leaves no column "${columns[k]}"` });
      return () => '';
    }
    switch (col.type) {
      case 'numeric':
        return (row) => (Number.isNaN(col.values[row]) ? '' : String(col.values[row]));
      case 'datetime':
        return (row) => {
          const v = col.values[row];
          if (Number.isNaN(v)) return '';
          const iso = new Date(Math.floor(v)).toISOString();
          return col.dateOnly ? iso.slice(0, 10) : iso.slice(0, 23);
        };
      case 'categorical':
      case 'text': {
        const clash = col.dictionary.find((c, code) => tokens.has(c.trim()) && col.codes.includes(code));
        if (clash !== undefined) issues.push({ file: exp.file, path: `$.datasets[${i}].transform`, dataset: exp.datasets[i].name, column: col.name, message: `the transform makes the category ${JSON.stringify(clash)}, which train.py would read as a missing value; recode it to another name` });
        return (row) => (col.codes[row] < 0 ? '' : csvCell(col.dictionary[col.codes[row]]));
      }
      default:
        return unknownKind(col);
    }
  });
  const lines = [columns.map(csvCell).join(',')];
  for (let row = 0; row < table.rows; row++) lines.push(writers.map((w) => w(row)).join(','));
  return { text: `${lines.join('\n')}\n`, issues };
}

/** The date format our reader inferred for a datetime feature in one table (train.py parses with it). */
function dateFormatOf(table: DataTable, name: string): string | undefined {
  const col = columnByName(table, name);
  return col?.type === 'datetime' ? col.format : undefined;
}

/** Per split, how many rows of each class (classification) or the label sum (regression): train.py checks the data it reads against them. */
function labelChecks(s: Source): { classCounts?: Record<string, number[]>; labelSums?: Record<string, number> } {
  const parts: [string, number][] = [['train', SPLIT_TRAIN], ['validation', SPLIT_VALIDATION], ['test', SPLIT_TEST]];
  if (s.task === 'classification') {
    const classCounts: Record<string, number[]> = {};
    for (const [name, k] of parts) {
      const c = new Array<number>(s.classes.length).fill(0);
      for (const p of splitPositions(s, k)) c[s.y[p]]++;
      classCounts[name] = c;
    }
    return { classCounts };
  }
  const labelSums: Record<string, number> = {};
  for (const [name, k] of parts) {
    let sum = 0;
    for (const p of splitPositions(s, k)) sum += s.y[p];
    labelSums[name] = sum;
  }
  return { labelSums };
}

function modelFileName(id: string): string {
  return id.replace(/\//g, '__');
}

export async function exportTorch(experimentPath: string, options: ExportOptions): Promise<ExportSummary> {
  const exp = loadExperiment(experimentPath, options.root ? { root: options.root } : {});
  const early = refusals(exp);
  if (early.length) throw new ExportRefusedError(early);
  const out = resolve(options.out);
  if (existsSync(out) && !options.force) throw new ExportRefusedError([{ file: out, path: '', message: 'the output folder exists; choose another -o or pass --force to replace it' }]);

  const tables = await readDatasets(exp);
  const data = prepareSources(exp, tables);
  const late = featureRefusals(exp, data, tables);
  if (late.length) throw new ExportRefusedError(late);

  const notes: string[] = [];
  // Cross-validation: the folds of `dataset-lab run` (checked: every fold has training and
  // validation rows), unless --holdout exports the holdout split.
  const plan = exp.evaluation.method !== 'holdout' && !options.holdout ? planCrossValidation(exp, data) : null;
  if (exp.evaluation.method !== 'holdout' && options.holdout) {
    notes.push(`evaluation.method is "${exp.evaluation.method}", exported with --holdout: train.py trains and tests the holdout split (split.test ${exp.split.test}, split.validation ${exp.split.validation}), not the folds; its intervals come from the test rows (bootstrap), not from the folds`);
  }
  const files = new Map<string, string>();
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

  // The split exactly as a run writes it (runner.ts): 0-based data rows of each file.
  // Cross-validation: the split of the final refit on every labelled row (no test rows).
  const main = plan ? withSplits(data, plan.refitSplits) : data;
  const split: SplitFile = {};
  for (const s of main.sources) {
    const part = (k: number) => Array.from(s.rows).filter((_, i) => s.split[i] === k);
    split[s.name] = { train: part(SPLIT_TRAIN), validation: part(SPLIT_VALIDATION), test: part(SPLIT_TEST) };
  }
  files.set('split.json', JSON.stringify(split));

  // Holdout: the models of the split; cross-validation: those of the refit (trained with --save-models).
  const models: unknown[] = [];
  for (const arm of exp.arms) {
    for (const p of plansFor(arm, main)) models.push(modelEntry(exp, p, data.features, files, 'preprocessing'));
  }
  const crossValidation = plan ? foldsEntry(exp, data, plan, files) : undefined;

  const leakage: Record<string, SourceLeakage> = plan ? crossValidationLeakage(data, plan) : findLeakage(data.sources, data.features);
  const baseline = plan ? baselines(data, Array.from({ length: plan.jobs }, (_, j) => plan.splitFor(j))) : baselines(data);
  const transformIssues: ExperimentIssue[] = [];
  const datasets = exp.datasets.map((d, i) => {
    const s = main.sources[i];
    const table = tables[i];
    const labelCol = columnByName(table, d.label);
    const columns = [...new Set([...data.features.map((f) => f.name), d.label])];
    // A transformed dataset: the rows our engine transformed, written into the project.
    let written: string | undefined;
    if (d.transform) {
      written = `data/${String(i + 1).padStart(2, '0')}-${d.name.replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`;
      const { text, issues } = transformedCsv(exp, i, table, columns);
      transformIssues.push(...issues);
      files.set(written, text);
      notes.push(`dataset "${d.name}" has transform steps: the export applied them and wrote the ${table.rows} transformed rows to ${written}, which train.py reads (a --data path for it must hold the transformed rows)`);
    }
    const dateFormat = (name: string) => {
      if (!written) return dateFormatOf(table, name);
      const col = columnByName(table, name);
      return col?.type === 'datetime' && col.dateOnly ? DATE_ONLY_FORMAT : DATE_TIME_FORMAT;
    };
    const features = data.features.map((f) => ({ name: f.name, kind: f.type, ...(f.type === 'datetime' ? { format: dateFormat(f.name) } : {}) }));
    return {
      name: d.name,
      // Relative to the export folder, so the project and the data can move together.
      path: written ?? relative(out, d.absPath),
      format: written ? 'csv' : dataFormat(d.absPath),
      delimiter: written ? ',' : table.delimiter || ',',
      missing: DEFAULT_MISSING_TOKENS,
      columns,
      featureKinds: features,
      label: d.label,
      labelNumeric: labelCol?.type === 'numeric',
      task: s.task,
      classes: s.classes,
      rows: table.rows,
      ...labelChecks(s),
    };
  });
  if (transformIssues.length) throw new ExportRefusedError(transformIssues);
  // As runner.ts writes them; cross-validation tests every labelled row once per repeat.
  const datasetResults = Object.fromEntries(
    main.sources.map((s) => {
      const c = [0, 0, 0];
      for (const k of s.split) c[k]++;
      const b = baseline[s.name];
      return [s.name, { task: s.task, label: s.label, rows: s.table.rows, train: c[SPLIT_TRAIN], validation: c[SPLIT_VALIDATION], test: plan ? s.rows.length : c[SPLIT_TEST], unlabelled: s.unlabelled, leakage: leakage[s.name], accounting: rowAccounting(s, data.features), ...(b ? { baseline: b } : {}) }];
    }),
  );
  const manifest = {
    format: 'dataset-lab-torch-export',
    version: 1,
    experiment: plan ? exp : { ...exp, evaluation: { ...exp.evaluation, method: 'holdout' } },
    arms: exp.arms,
    features: data.features.map((f) => f.name),
    datasets,
    datasetResults,
    allClasses: unionClasses(data.sources),
    network: { hidden: exp.model.hidden, headHidden: exp.model.headHidden, activation: exp.model.activation, dropout: exp.model.dropout, l2: exp.model.l2 },
    training: exp.training,
    validation: exp.split.validation > 0,
    splitSeed: exp.split.seed,
    runIdPrefix: '',
    models,
    ...(crossValidation ? { crossValidation } : {}),
  };
  files.set('export.json', json(manifest));
  files.set('train.py', TRAIN_PY);
  const launch = { name: exp.name, datasets: datasets.map((d) => ({ name: d.name, path: d.path })), models: models.length, ...(plan ? { crossValidation: { method: plan.folds.method, folds: plan.folds.folds, repeats: plan.folds.repeats } } : {}) };
  files.set('README.md', exportReadme(launch, notes));
  files.set('launch/slurm.sbatch', slurmScript(launch));
  files.set('launch/pytorchjob.yaml', kubernetesJob(launch));

  writeProject(out, files, options.force === true);
  return { out, files: [...files.keys()].sort(), models: (models as { id: string }[]).map((m) => m.id), notes, ...(plan ? { folds: plan.jobs } : {}) };
}

/** One model of one arm: its heads, its label mapping, its preprocessing (written to `files`). */
function modelEntry(exp: ResolvedExperiment, plan: ModelPlan, features: PreparedData['features'], files: Map<string, string>, folder: string): unknown {
  const trainSets = plan.sources.map((s) => ({ table: s.table, rows: Int32Array.from(splitPositions(s, SPLIT_TRAIN), (k) => s.rows[k]) }));
  const fitted = fitPreprocessing(trainSets, features, exp.preprocessing);
  const counts = trainSets.map((t) => t.rows.length);
  const total = counts.reduce((a, b) => a + b, 0);
  const inverse = plan.arm === 'merged' && exp.merged.balancing === 'inverse_size';
  const trainWeights = counts.map((n) => (inverse ? total / (plan.sources.length * n) : 1));
  // Regression targets are standardised per head with the training rows' mean and spread (modelData.ts).
  const scales = standardiseTargets(plan, buildSplit(plan, fitted, SPLIT_TRAIN, (slot) => trainWeights[slot]));
  const file = `${folder}/${modelFileName(plan.id)}.json`;
  files.set(file, `${JSON.stringify(fitted, null, 2)}\n`);
  return {
    id: plan.id,
    arm: plan.arm,
    sources: plan.sources.map((s) => s.name),
    headOf: plan.headOf,
    classMap: plan.classMap.map((m) => Array.from(m)),
    heads: plan.heads.map((h, k) => ({ ...h, units: h.task === 'classification' ? h.classes.length : 1, targetScale: scales[k] })),
    trainWeights,
    staticWeights: plan.heads.map((h) => (plan.arm === 'multihead' ? (exp.multihead.weights[h.name] ?? 1) : 1)),
    weighting: plan.arm === 'multihead' ? exp.multihead.weighting : 'static',
    dwaTemperature: exp.multihead.dwaTemperature,
    balancing: plan.arm === 'merged' ? exp.merged.balancing : 'none',
    mixing: plan.arm === 'multihead' ? exp.multihead.mixing : 'proportional',
    temperature: exp.multihead.temperature,
    preprocessing: file,
  };
}

/**
 * The folds of a cross-validation for train.py: folds.json as `dataset-lab run` writes it (each
 * fold's test and validation rows; the training rows are the other labelled rows of split.json),
 * and per fold (j = repeat x folds + fold) every model with its preprocessing fitted on that
 * fold's training rows (preprocessing/fold-NN/<model>.json), as the run fits them.
 */
function foldsEntry(exp: ResolvedExperiment, data: PreparedData, plan: CrossValidationPlan, files: Map<string, string>): unknown {
  files.set('folds.json', JSON.stringify(plan.folds));
  const width = String(plan.jobs).length < 2 ? 2 : String(plan.jobs).length;
  const folds = Array.from({ length: plan.jobs }, (_, j) => {
    const foldData = withSplits(data, plan.splitFor(j));
    const folder = `preprocessing/fold-${String(j + 1).padStart(width, '0')}`;
    return { fold: j + 1, models: exp.arms.flatMap((arm) => plansFor(arm, foldData).map((p) => modelEntry(exp, p, data.features, files, folder))) };
  });
  return { method: plan.folds.method, folds: plan.folds.folds, repeats: plan.folds.repeats, seed: plan.folds.seed, jobs: plan.jobs, foldModels: folds };
}

/** Writes every file under a temporary sibling folder, then renames it to `out`: whole or not at all. */
function writeProject(out: string, files: ReadonlyMap<string, string>, force: boolean): void {
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(out)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const [name, text] of files) {
      const path = join(tmp, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text, name.endsWith('.py') || name.endsWith('.sbatch') ? { mode: 0o755 } : {});
    }
    if (force && existsSync(out)) {
      const old = join(parent, `.${basename(out)}.old-${process.pid}`);
      renameSync(out, old);
      renameSync(tmp, out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
