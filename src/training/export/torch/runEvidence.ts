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
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, type ArmName, type PredictionsFile, type RunResults, type SplitFile } from '../../../protocol/runFolder/contract';
import { compareArms } from '../../compareArms';
import type { SourcePredictions } from '../../evaluate';
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
  return e as EvaluationSpec;
}

/** The predictions of one run, checked against its results and split; per arm, per dataset. */
export function readPredictions(dir: string, results: RunResults): { classes: readonly string[]; byArm: Map<ArmName, Record<string, SourcePredictions>> } {
  const file = join(dir, RUN_FILES.predictions);
  let doc: PredictionsFile;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as PredictionsFile;
  } catch (e) {
    throw new RunEvidenceError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (doc?.format !== 'dataset-lab-test-predictions' || doc.version !== 1) throw new RunEvidenceError(`${file}: not a Dataset Lab predictions file (format "dataset-lab-test-predictions", version 1)`);
  if (!Array.isArray(doc.classes) || !doc.classes.every((c) => typeof c === 'string')) throw new RunEvidenceError(`${file}: $.classes is not a list of class names`);
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
  const { classes, byArm } = readPredictions(dir, results);
  // The datasets in the experiment's order (the order of a run's own comparison).
  const named = ((settings as { datasets?: { name?: unknown }[] }).datasets ?? []).map((d) => d.name).filter((n): n is string => typeof n === 'string' && n in results.datasets);
  const sources = named.length === Object.keys(results.datasets).length ? named : Object.keys(results.datasets);
  const { arms, evidence } = holdoutEvidence(results.arms, byArm, sources, classes.length, spec);
  return { ...results, arms, comparison: compareArms(arms, sources, evidence), evaluation: evidence.info };
}
