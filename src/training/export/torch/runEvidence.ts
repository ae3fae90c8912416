/**
 * The evidence of a run trained by an exported PyTorch project (train.py). train.py writes its
 * test rows' predictions (predictions.json, per arm and dataset, with the data rows); when the
 * run folder is read, this computes from them what `dataset-lab run` computes from its own: the
 * BCa bootstrap interval of every metric, the paired tests of every two arms (McNemar mid-p for
 * accuracy, a paired bootstrap for R2), Holm's adjustment, the ties and delta_m's interval
 * (evaluation/holdout.ts, compareArms.ts). One implementation for both kinds of runs: train.py
 * computes no interval and no test itself.
 *
 * The predictions are checked against results.json first (same rows for every arm, the test rows
 * of split.json, each arm's accuracy or R2 recomputed from them equal to the one train.py wrote):
 * a file that disagrees is an error naming the file and the field, never evidence.
 *
 * Cross-validation (the experiment's evaluation.method "cv" or "repeated-cv"): predictions.json
 * holds every fold's test predictions ($.folds[j], j = repeat x folds + fold), on the test rows of
 * folds.json. Each fold's metrics are computed from them (checked against results.json's fold
 * scores), then the scores, corrected-t intervals, paired tests and delta_m come from the same
 * code as a cross-validation of `dataset-lab run` (foldScores.ts crossValidationScores).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, type ArmName, type ArmResult, type EvaluationInfo, type FoldsFile, type Metrics, type PredictionsFile, type RunResults, type SourcePredictionsFile, type SplitFile } from '../../../protocol/runFolder/contract';
import { compareArms } from '../../compareArms';
import type { SourcePredictions } from '../../evaluate';
import { crossValidationScores, type FoldOutcome } from '../../evaluation/foldScores';
import type { EvaluationSpec } from '../../experiment';
import { holdoutEvidence } from '../../evaluation/holdout';
import { classificationMetrics, primaryScore, regressionMetrics } from '../../metrics';

/** predictions.json (or the settings it needs) cannot be used: the message names the file and the field. */
export class RunEvidenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunEvidenceError';
  }
}

/** Agreement asked of a score recomputed from predictions.json with the one in results.json (both doubles; Python sums in another order). */
const SCORE_TOLERANCE = 1e-9;

function readJsonFile<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new RunEvidenceError(`${file}: ${existsSync(file) ? `not valid JSON (${e instanceof Error ? e.message : String(e)})` : 'missing'}`);
  }
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** The evaluation settings a run folder's experiment.json holds (holdout: bootstrap resamples, confidence, seed). */
function evaluationSpec(settings: unknown, file: string): EvaluationSpec {
  const e = (settings as { evaluation?: Partial<EvaluationSpec> } | undefined)?.evaluation;
  if (!e || typeof e !== 'object') throw new RunEvidenceError(`${file}: no "evaluation" settings; the intervals of an exported run's predictions need them`);
  for (const k of ['confidence', 'bootstrap', 'seed'] as const) {
    if (typeof e[k] !== 'number' || !Number.isFinite(e[k])) throw new RunEvidenceError(`${file}: evaluation.${k} is not a number`);
  }
  if (e.method === 'cv' || e.method === 'repeated-cv') {
    for (const k of ['folds', 'repeats'] as const) {
      if (!Number.isInteger(e[k]) || (e[k] as number) < 1) throw new RunEvidenceError(`${file}: evaluation.${k} is not a positive whole number`);
    }
  }
  return e as EvaluationSpec;
}

function readPredictionsFile(file: string): PredictionsFile {
  const doc = readJsonFile<PredictionsFile>(file);
  if (doc?.format !== 'dataset-lab-test-predictions' || doc.version !== 1) throw new RunEvidenceError(`${file}: not a Dataset Lab predictions file (format "dataset-lab-test-predictions", version 1)`);
  if (!Array.isArray(doc.classes) || !doc.classes.every((c) => typeof c === 'string')) throw new RunEvidenceError(`${file}: $.classes is not a list of class names`);
  return doc;
}

/** One dataset's predictions as the evaluation code takes them, checked (numbers, class indices, rows). */
function sourcePredictions(file: string, at: string, p: SourcePredictionsFile | undefined, task: string, classes: number, rows: readonly number[] | undefined, rowsFile: string): SourcePredictions {
  if (!p) throw new RunEvidenceError(`${file}: ${at} is missing`);
  if (p.task !== task) throw new RunEvidenceError(`${file}: ${at}.task is ${JSON.stringify(p.task)}, results.json says ${task}`);
  for (const k of ['rows', 'yTrue', 'yPred'] as const) {
    if (!isNumberArray(p[k])) throw new RunEvidenceError(`${file}: ${at}.${k} is not a list of numbers`);
  }
  if (p.yTrue.length !== p.rows.length || p.yPred.length !== p.rows.length) throw new RunEvidenceError(`${file}: ${at}: rows, yTrue and yPred differ in length`);
  if (task === 'classification' && ![...p.yTrue, ...p.yPred].every((v) => Number.isInteger(v) && v >= 0 && v < classes)) {
    throw new RunEvidenceError(`${file}: ${at}: a class index outside $.classes (${classes} classes)`);
  }
  if (rows && (rows.length !== p.rows.length || rows.some((r, i) => r !== p.rows[i]))) throw new RunEvidenceError(`${file}: ${at}.rows are not the test rows of ${rowsFile}`);
  let ownClasses: Uint8Array | undefined;
  if (task === 'classification' && p.ownClasses !== undefined) {
    if (!isNumberArray(p.ownClasses) || !p.ownClasses.every((v) => Number.isInteger(v) && v >= 0 && v < classes)) throw new RunEvidenceError(`${file}: ${at}.ownClasses is not a list of class indices into $.classes`);
    ownClasses = new Uint8Array(classes);
    for (const c of p.ownClasses) ownClasses[c] = 1;
  }
  return { task: p.task, yTrue: Float64Array.from(p.yTrue), yPred: Float64Array.from(p.yPred), ...(ownClasses ? { ownClasses } : {}) };
}

/**
 * The folds of a cross-validation run of an exported project, from predictions.json's $.folds:
 * per arm, per fold, the metrics of every dataset (over its own classes) and pooled (every
 * class), and the predictions. Each fold's rows must be folds.json's test rows of that fold, the
 * same for every arm, and each fold's accuracy or R2 the fold score results.json holds.
 */
export function readFoldPredictions(dir: string, results: RunResults, sources: readonly string[]): { classes: readonly string[]; folds: FoldsFile; outcomes: Map<ArmName, FoldOutcome[]> } {
  const file = join(dir, RUN_FILES.predictions);
  const doc = readPredictionsFile(file);
  const foldsPath = join(dir, RUN_FILES.folds);
  const folds = readJsonFile<FoldsFile>(foldsPath);
  const jobs = folds?.folds * folds?.repeats;
  if (!Number.isInteger(jobs) || jobs < 1 || !folds.datasets || typeof folds.datasets !== 'object') throw new RunEvidenceError(`${foldsPath}: not a Dataset Lab folds file (folds, repeats, datasets)`);
  if (!Array.isArray(doc.folds) || doc.folds.length !== jobs) throw new RunEvidenceError(`${file}: $.folds ${Array.isArray(doc.folds) ? `has ${doc.folds.length} entries` : 'is missing'}, ${RUN_FILES.folds} has ${folds.folds} folds x ${folds.repeats} repeats`);
  const classes = doc.classes.length;
  const outcomes = new Map<ArmName, FoldOutcome[]>();
  const truth = new Map<string, Float64Array>();
  for (const arm of results.arms) {
    if (arm.diverged) continue;
    const outs: FoldOutcome[] = [];
    for (let j = 0; j < jobs; j++) {
      const bySource: Record<string, Metrics> = {};
      const predictions: Record<string, SourcePredictions> = {};
      for (const s of sources) {
        const m = arm.bySource[s];
        if (!m) throw new RunEvidenceError(`${join(dir, RUN_FILES.results)}: $.arms (${arm.arm}) has no scores for dataset ${JSON.stringify(s)}`);
        const at = `$.folds[${j}].${arm.arm}[${JSON.stringify(s)}]`;
        const test = folds.datasets[s]?.test?.[j];
        if (!Array.isArray(test)) throw new RunEvidenceError(`${foldsPath}: $.datasets[${JSON.stringify(s)}].test[${j}] is missing`);
        const p = sourcePredictions(file, at, doc.folds[j]?.[arm.arm]?.[s], m.task, classes, test, `${RUN_FILES.folds} (fold ${j + 1})`);
        const key = `${j}|${s}`;
        const seen = truth.get(key);
        if (!seen) truth.set(key, p.yTrue);
        else if (seen.some((v, i) => v !== p.yTrue[i])) throw new RunEvidenceError(`${file}: ${at}.yTrue differs from another arm's on the same rows`);
        const metrics = p.task === 'classification' ? classificationMetrics(p.yTrue, p.yPred, doc.classes, p.ownClasses) : regressionMetrics(p.yTrue, p.yPred);
        const written = m.foldScores?.[j];
        const recomputed = primaryScore(metrics);
        if (typeof written !== 'number' || !(Math.abs(recomputed - written) <= SCORE_TOLERANCE)) {
          throw new RunEvidenceError(`${file}: ${at}: the ${m.task === 'classification' ? 'accuracy' : 'R2'} of these predictions is ${recomputed}, results.json's fold score ${j + 1} (${arm.arm}, ${s}) is ${written}`);
        }
        bySource[s] = metrics;
        predictions[s] = p;
      }
      const all = sources.map((s) => predictions[s]);
      const yTrue = all.flatMap((p) => Array.from(p.yTrue));
      const yPred = all.flatMap((p) => Array.from(p.yPred));
      const pooled = all[0]?.task === 'regression' ? regressionMetrics(yTrue, yPred) : classificationMetrics(yTrue, yPred, doc.classes);
      outs.push({ bySource, pooled, predictions });
    }
    outcomes.set(arm.arm, outs);
  }
  return { classes: doc.classes, folds, outcomes };
}

/** The predictions of one run, checked against its results and split; per arm, per dataset. */
export function readPredictions(dir: string, results: RunResults): { classes: readonly string[]; byArm: Map<ArmName, Record<string, SourcePredictions>> } {
  const file = join(dir, RUN_FILES.predictions);
  const doc = readPredictionsFile(file);
  const splitPath = join(dir, RUN_FILES.split);
  const split = existsSync(splitPath) ? (JSON.parse(readFileSync(splitPath, 'utf8')) as SplitFile) : undefined;
  const byArm = new Map<ArmName, Record<string, SourcePredictions>>();
  const rowsOf = new Map<string, readonly number[]>();
  for (const arm of results.arms) {
    if (arm.diverged) continue;
    const preds: Record<string, SourcePredictions> = {};
    for (const [source, m] of Object.entries(arm.bySource)) {
      const at = `$.arms.${arm.arm}[${JSON.stringify(source)}]`;
      const p = doc.arms?.[arm.arm]?.[source];
      if (!p) throw new RunEvidenceError(`${file}: ${at} is missing (results.json scores ${arm.arm} on ${source})`);
      if (p.task !== m.task) throw new RunEvidenceError(`${file}: ${at}.task is ${JSON.stringify(p.task)}, results.json says ${m.task}`);
      for (const k of ['rows', 'yTrue', 'yPred'] as const) {
        if (!isNumberArray(p[k])) throw new RunEvidenceError(`${file}: ${at}.${k} is not a list of numbers`);
        if (p[k].length !== m.n) throw new RunEvidenceError(`${file}: ${at}.${k} has ${p[k].length} entries, results.json counts ${m.n} test rows`);
      }
      if (m.task === 'classification' && ![...p.yTrue, ...p.yPred].every((v) => Number.isInteger(v) && v >= 0 && v < doc.classes.length)) {
        throw new RunEvidenceError(`${file}: ${at}: a class index outside $.classes (${doc.classes.length} classes)`);
      }
      const rows = rowsOf.get(source);
      if (!rows) {
        const expected = split?.[source]?.test;
        if (expected && (expected.length !== p.rows.length || expected.some((r, i) => r !== p.rows[i]))) throw new RunEvidenceError(`${file}: ${at}.rows are not the test rows of ${RUN_FILES.split}`);
        rowsOf.set(source, p.rows);
      } else if (rows.some((r, i) => r !== p.rows[i])) {
        throw new RunEvidenceError(`${file}: ${at}.rows differ from another arm's: paired tests need the same rows in the same order`);
      }
      const recomputed = primaryScore(m.task === 'classification' ? classificationMetrics(p.yTrue, p.yPred, doc.classes) : regressionMetrics(p.yTrue, p.yPred));
      const written = primaryScore(m);
      if (!(Math.abs(recomputed - written) <= SCORE_TOLERANCE)) {
        throw new RunEvidenceError(`${file}: ${at}: the ${m.task === 'classification' ? 'accuracy' : 'R2'} of these predictions is ${recomputed}, results.json says ${written}`);
      }
      let ownClasses: Uint8Array | undefined;
      if (m.task === 'classification' && p.ownClasses !== undefined) {
        if (!isNumberArray(p.ownClasses) || !p.ownClasses.every((v) => Number.isInteger(v) && v >= 0 && v < doc.classes.length)) throw new RunEvidenceError(`${file}: ${at}.ownClasses is not a list of class indices into $.classes`);
        ownClasses = new Uint8Array(doc.classes.length);
        for (const c of p.ownClasses) ownClasses[c] = 1;
      }
      preds[source] = { task: m.task, yTrue: Float64Array.from(p.yTrue), yPred: Float64Array.from(p.yPred), ...(ownClasses ? { ownClasses } : {}) };
    }
    byArm.set(arm.arm, preds);
  }
  return { classes: doc.classes, byArm };
}

/**
 * results.json of a run folder with the evidence computed from its predictions.json: for runs of
 * an exported PyTorch project. Results that already carry their evaluation (runs of
 * `dataset-lab run`), or a folder without predictions, are returned as they are.
 */
export function withRunEvidence<R extends RunResults>(dir: string, results: R, settings: unknown): R {
  if (results.evaluation || !existsSync(join(dir, RUN_FILES.predictions))) return results;
  const spec = evaluationSpec(settings, join(dir, RUN_FILES.experiment));
  // The datasets in the experiment's order (the order of a run's own comparison).
  const named = ((settings as { datasets?: { name?: unknown }[] }).datasets ?? []).map((d) => d.name).filter((n): n is string => typeof n === 'string' && n in results.datasets);
  const sources = named.length === Object.keys(results.datasets).length ? named : Object.keys(results.datasets);
  // No model of such a run is one `dataset-lab predict` reads (train.py saves PyTorch files, if any).
  if (spec.method === 'cv' || spec.method === 'repeated-cv') {
    const scored = withFoldEvidence(dir, results, sources, spec);
    return { ...scored, evaluation: { ...(scored.evaluation as EvaluationInfo), savedModels: 'none' } };
  }
  const { classes, byArm } = readPredictions(dir, results);
  const { arms, evidence } = holdoutEvidence(results.arms, byArm, sources, classes.length, spec);
  return { ...results, arms, comparison: compareArms(arms, sources, evidence), evaluation: { ...evidence.info, savedModels: 'none' } };
}

/**
 * A cross-validation run of an exported project: its arms scored and compared from every fold's
 * predictions as `dataset-lab run` scores its own folds. Each dataset's test/train ratio (the
 * corrected variance's) per fold: its test rows over the labelled rows the fold's models learnt
 * from (split.json: the refit's train and validation rows are every labelled row).
 */
function withFoldEvidence<R extends RunResults>(dir: string, results: R, sources: readonly string[], spec: EvaluationSpec): R {
  const { classes, folds, outcomes } = readFoldPredictions(dir, results, sources);
  if (folds.folds !== spec.folds || folds.repeats !== spec.repeats) throw new RunEvidenceError(`${join(dir, RUN_FILES.folds)}: ${folds.folds} folds x ${folds.repeats} repeats, ${RUN_FILES.experiment} says ${spec.folds} x ${spec.repeats}`);
  const split = readJsonFile<SplitFile>(join(dir, RUN_FILES.split));
  const jobs = folds.folds * folds.repeats;
  const testTrainRatio: Record<string, number[]> = {};
  const pooledRatio: number[] = [];
  for (let j = 0; j < jobs; j++) {
    let test = 0;
    let trained = 0;
    for (const s of sources) {
      const part = split[s];
      if (!part) throw new RunEvidenceError(`${join(dir, RUN_FILES.split)}: no dataset ${JSON.stringify(s)}`);
      const labelled = part.train.length + part.validation.length + part.test.length;
      const n = folds.datasets[s].test[j].length;
      (testTrainRatio[s] ??= []).push(n / (labelled - n));
      test += n;
      trained += labelled - n;
    }
    pooledRatio.push(test / trained);
  }
  const arms = results.arms.map((a) => a.arm);
  const fitted = new Map<ArmName, ArmResult>(results.arms.filter((a) => !a.diverged).map((a) => [a.arm, a]));
  const diverged = new Map<ArmName, ArmResult>(results.arms.filter((a) => a.diverged).map((a) => [a.arm, a]));
  const scored = crossValidationScores(arms, outcomes, fitted, diverged, sources, classes, { testTrainRatio, pooledRatio }, spec);
  return { ...results, arms: scored.arms, comparison: compareArms(scored.arms, sources, scored.evidence), evaluation: scored.evidence.info };
}
