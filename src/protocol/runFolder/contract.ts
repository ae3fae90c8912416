/**
 * The run folder: what the training process writes under `<workspace>/.dataset-lab/runs/<id>/`
 * and what the CLI (`report`, `predict`), the extension (dashboard, *Open Run...*) and the
 * webview read. One contract for all of them: file names and the type of each file. Types
 * only, plus constants: the webview bundle imports this file. The one writer is ./write.ts,
 * the one reader ./read.ts.
 *
 *   experiment.json    the resolved experiment (as the trainer ran it)
 *   environment.json   backend, versions, seeds, threads
 *   split.json         SplitFile: row indices of each dataset's train/validation/test split
 *                      (cross-validation: the split of the final refit, with no test rows)
 *   folds.json         FoldsFile: cross-validation only, the test and validation rows of every fold
 *   history.jsonl      one EpochRecord per line, appended per epoch per model
 *   status.json        StatusFile: running (with a heartbeat) or how the run ended
 *   results.json       RunResults, written last, only when the run completed
 *   predictions.json   PredictionsFile: runs of an exported PyTorch project (train.py) only, the
 *                      test rows' predictions per arm and dataset (cross-validation: per fold), from which the reader computes
 *                      the intervals and paired tests (src/training/export/torch/runEvidence.ts)
 *   error.log          the stack of an internal error (the user sees one line)
 *   models/<id>/       model.json + weights.bin (TF.js layers format), or trees.json (gbm), + preprocessing.json
 */

export const RUN_FILES = {
  experiment: 'experiment.json',
  environment: 'environment.json',
  split: 'split.json',
  folds: 'folds.json',
  history: 'history.jsonl',
  status: 'status.json',
  results: 'results.json',
  predictions: 'predictions.json',
  errorLog: 'error.log',
  trainerOutput: 'trainer-output.log',
  models: 'models',
} as const;

/** `<workspace>/` + this = the folder holding every run. */
export const RUNS_FOLDER = ['.dataset-lab', 'runs'] as const;

export type ArmName = 'separate' | 'merged' | 'multihead';
export type Task = 'classification' | 'regression';

// ---- results.json: test metrics, defined as scikit-learn defines them (src/training/metrics.ts)

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/**
 * A two-sided confidence interval [low, high] at `results.evaluation.confidence` (95% by
 * default); null where it cannot be computed (too few rows or folds, a score that is not a
 * number).
 */
export type Interval = readonly [number, number] | null;

export interface ClassificationMetrics {
  readonly task: 'classification';
  readonly n: number;
  readonly accuracy: number;
  /**
   * Mean F1 over the classes present among the true or predicted labels (scikit-learn's
   * default). A dataset's entry (`bySource`) averages over that dataset's own classes only: a
   * merged model's prediction of another dataset's class lowers the true class's recall and
   * adds no class to the average (`f1_score(labels=own classes present)`); `pooled` uses every class.
   */
  readonly macroF1: number;
  /** Intervals of the scores (src/training/evaluation/intervals.ts); absent in runs made before they existed. */
  readonly ci?: { readonly accuracy: Interval; readonly macroF1: Interval };
  /** The classes macro-F1 averages over (a dataset's entry: its own classes present). */
  readonly perClass: Record<string, ClassMetrics>;
  /** Row = true class, column = predicted class, both in `labels` order (every class present, another dataset's included). */
  readonly confusion: number[][];
  readonly labels: string[];
}

export interface RegressionMetrics {
  readonly task: 'regression';
  readonly n: number;
  readonly r2: number;
  readonly mae: number;
  readonly rmse: number;
  readonly ci?: { readonly r2: Interval; readonly mae: Interval; readonly rmse: Interval };
}

export type Metrics = ClassificationMetrics | RegressionMetrics;

/** Test rows repeating a training row's features, and rows shared with other datasets (src/training/leakage.ts). */
export interface SourceLeakage {
  readonly testRows: number;
  /** Test rows whose features equal one of this dataset's training rows. */
  readonly testSeenInOwnTrain: number;
  /** Test rows whose features equal a training row of any dataset (merged / multi-head pool). */
  readonly testSeenInPooledTrain: number;
  /** Labelled rows whose features equal a row of another dataset (any split). */
  readonly sharedWithOtherDatasets: number;
}

export type SourceResult = Metrics & {
  /** Epochs run and best epoch of the model that scored this source (cross-validation: of the saved refit). */
  readonly epochs: number;
  readonly bestEpoch: number;
  /** Cross-validation: the headline score (accuracy or R2) on each fold, repeat after repeat. */
  readonly foldScores?: readonly number[];
};

/** Why an arm's scores are missing: its training diverged (src/training/divergence.ts). */
export interface ArmDivergence {
  /** The model that diverged, e.g. "separate/seattle". */
  readonly model: string;
  readonly epoch: number;
  /** Cross-validation: the fold (1-based, repeats counted on) whose training diverged. */
  readonly fold?: number;
  /** nan: a NaN/infinite loss; loss: the loss rose far above its start; weights: exploding weights; r2: validation R2 far below 0. */
  readonly kind: 'nan' | 'loss' | 'weights' | 'r2';
  /** One line with the numbers and the hint (lower training.learningRate). */
  readonly message: string;
}

export interface ArmResult {
  readonly arm: ArmName;
  readonly model: 'mlp' | 'least_squares' | 'logistic' | 'gbm';
  /** gbm: per model id (`merged`, `separate/<dataset>`, `multihead`), each feature's share of the trees' split gain. */
  readonly featureImportance?: Record<string, Record<string, number>>;
  /** Test-split metrics per dataset (cross-validation: means over the folds). Empty when the arm diverged. */
  readonly bySource: Record<string, SourceResult>;
  /** Test-split metrics over all datasets' test rows together; null when the arm diverged. */
  readonly pooled: Metrics | null;
  /** Present when training diverged: the arm has no scores and takes no part in comparisons. */
  readonly diverged?: ArmDivergence;
  /** Most epochs any of the arm's models ran, and that model's best epoch. */
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly seconds: number;
}

export type PairedTestName = 'mcnemar-midp' | 'paired-bootstrap' | 'corrected-t';

/** One arm against another on the same test rows (or folds): first minus second. */
export interface ArmPairTest {
  readonly arms: readonly [ArmName, ArmName];
  readonly difference: number | null;
  readonly ci: Interval;
  /** The test's own two-sided p-value. */
  readonly pValue: number | null;
  /** Holm-adjusted over every test of the run (all datasets, all pairs of arms). */
  readonly pAdjusted: number | null;
  /** pAdjusted < alpha. */
  readonly significant: boolean;
  readonly test: PairedTestName;
}

type PerArm<T> = { readonly merged: T; readonly multihead: T };

export interface SourceComparison {
  readonly metric: 'accuracy' | 'r2';
  readonly separate: number | null;
  readonly merged: number | null;
  readonly multihead: number | null;
  /** Absolute gain over the separate baseline, per arm. */
  readonly gain: PerArm<number | null>;
  /** The gain's interval (not adjusted for multiple comparisons). */
  readonly gainCi?: PerArm<Interval>;
  /** The paired test's p-value of each arm against separate, and Holm's adjustment of it. */
  readonly pValue?: PerArm<number | null>;
  readonly pAdjusted?: PerArm<number | null>;
  /** The gain is significant: adjusted p-value < alpha. Only then is it shown as a gain or a loss. */
  readonly significant?: PerArm<boolean>;
  /** Every pair of scored arms, merged against multihead included. */
  readonly tests?: readonly ArmPairTest[];
  /** The arm significantly better than every other scored arm; null when none is (then see `tied`). */
  readonly best: ArmName | null;
  /** When best is null: the top-scoring arm and every arm not significantly below it. */
  readonly tied?: readonly ArmName[];
}

export interface Comparison {
  readonly bySource: Record<string, SourceComparison>;
  /** Mean over datasets of (arm - separate) / |separate| (higher is better), per arm. */
  readonly deltaM: PerArm<number | null>;
  readonly deltaMCi?: PerArm<Interval>;
  /** Over all datasets: the arm best on every dataset, and the arms best or tied for best on every dataset. */
  readonly overall?: { readonly best: ArmName | null; readonly bestOrTied: readonly ArmName[] };
}

/** How the scores were estimated and compared (docs/statistics.md, "Uncertainty of scores"). */
export interface EvaluationInfo {
  readonly method: 'holdout' | 'cv' | 'repeated-cv';
  /** Folds per repeat and repeats (holdout: 1 and 1). */
  readonly folds: number;
  readonly repeats: number;
  readonly confidence: number;
  /** Significance level of the comparisons after the correction: 1 - confidence. */
  readonly alpha: number;
  /** bca-bootstrap over test rows (holdout), or the fold distribution with the corrected variance (cross-validation). */
  readonly intervals: 'bca-bootstrap' | 'corrected-t';
  /** Bootstrap resamples (holdout), null for cross-validation. */
  readonly resamples: number | null;
  readonly correction: 'holm';
  /**
   * Which models the run saved for `predict`: the holdout models, models refit on every labelled
   * row, or none (a run of an exported PyTorch project: train.py's state_dicts, when it saved
   * them, are PyTorch files `dataset-lab predict` does not read).
   */
  readonly savedModels: 'holdout' | 'refit' | 'none';
}
/**
 * What a model has to beat on a dataset (src/training/evaluation/baseline.ts): the majority
 * class of the training rows (classification) or their mean (regression), scored on the same
 * test rows as the arms (cross-validation: fold means).
 */
export interface SourceBaseline {
  readonly kind: 'majority' | 'mean';
  /** The class predicted, or the mean predicted (holdout; cross-validation: of the refit's training rows). */
  readonly prediction: string | number;
  readonly metric: 'accuracy' | 'r2';
  /** The headline score: accuracy, or R2 (0 on the training rows by definition, around 0 on the test rows). */
  readonly value: number;
  /** Classification: macro-F1; regression: MAE and RMSE. */
  readonly macroF1?: number;
  readonly mae?: number;
  readonly rmse?: number;
}

/** Rows of a dataset the models did not see as written (src/training/rowAccounting.ts). */
export interface SourceRowAccounting {
  /** Rows left out because their label is missing (the same as `unlabelled`). */
  readonly droppedMissingLabel: number;
  /** Labelled rows with at least one missing feature value, which preprocessing imputed. */
  readonly imputedRows: number;
  /** Per feature with missing values: how many labelled rows had it imputed. */
  readonly imputedCells: Readonly<Record<string, number>>;
}

export interface RunResults {
  readonly runId: string;
  readonly experiment: string;
  readonly backend: string;
  readonly seed: number;
  readonly splitSeed: number;
  readonly status: 'completed';
  /** Absent in runs made before evaluation protocols existed (they were holdout runs). */
  readonly evaluation?: EvaluationInfo;
  readonly arms: ArmResult[];
  readonly comparison: Comparison;
  readonly datasets: Record<
    string,
    {
      readonly task: 'classification' | 'regression';
      readonly rows: number;
      readonly train: number;
      readonly validation: number;
      readonly test: number;
      readonly unlabelled: number;
      readonly leakage: SourceLeakage;
      /** Absent in runs made before baselines and row accounting existed. */
      readonly baseline?: SourceBaseline;
      readonly accounting?: SourceRowAccounting;
      /** The label column (absent in older runs). */
      readonly label?: string;
    }
  >;
  readonly features: string[];
  /** The features that are free text (absent when none): the CLI and the results view then list per-class F1. */
  readonly textFeatures?: string[];
  /** What the run noticed about its text columns (one text in every row, no text, bytes not UTF-8, very long cells), each naming the file; absent when nothing. */
  readonly textNotes?: string[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

// ---- history.jsonl

export interface EpochRecord {
  readonly arm: ArmName;
  readonly model: string;
  /** Cross-validation: the fold (1-based, repeats counted on) this model trained on; absent for the saved model. */
  readonly fold?: number;
  readonly epoch: number;
  /** null for closed-form models. */
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
  /** Per head (dataset name): that head's masked training and validation loss. */
  readonly heads: Record<string, { readonly trainLoss: number; readonly valLoss: number | null; readonly weight: number }>;
  /** Per source: validation accuracy (classification) or R2 (regression). */
  readonly sources: Record<string, { readonly metric: 'accuracy' | 'r2'; readonly value: number | null }>;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

// ---- split.json

/** Per dataset, the 0-based data-row indices of each split (peers can reproduce the exact split). */
export type SplitFile = Record<string, { readonly train: readonly number[]; readonly validation: readonly number[]; readonly test: readonly number[] }>;

// ---- folds.json (cross-validation runs)

/**
 * The folds of a cross-validation run, the same for every arm: per dataset, for fold j
 * (repeat r, fold f: j = r * folds + f), the 0-based data rows tested and those held out for
 * early stopping; the other labelled rows trained the fold's models.
 */
export interface FoldsFile {
  readonly method: 'cv' | 'repeated-cv';
  readonly folds: number;
  readonly repeats: number;
  readonly seed: number;
  readonly datasets: Record<string, { readonly test: readonly (readonly number[])[]; readonly validation: readonly (readonly number[])[] }>;
}

// ---- predictions.json (runs of an exported PyTorch project)

/** One dataset's test rows as one arm predicted them, in split.json's test order (the same for every arm). */
export interface SourcePredictionsFile {
  readonly task: Task;
  /** 0-based data rows of the dataset's file. */
  readonly rows: readonly number[];
  /** Classification: indices into PredictionsFile.classes; regression: values in label units. */
  readonly yTrue: readonly number[];
  readonly yPred: readonly number[];
  /** Classification: the dataset's own classes (indices into PredictionsFile.classes), over which its macro-F1 averages; absent in older files (every class counts). */
  readonly ownClasses?: readonly number[];
}

export interface PredictionsFile {
  readonly format: 'dataset-lab-test-predictions';
  readonly version: 1;
  /** Every dataset's class names together (sorted as src/training/modelPlan.ts unionClasses sorts them). */
  readonly classes: readonly string[];
  /** Per arm, per dataset (cross-validation: empty, see `folds`). */
  readonly arms: Partial<Record<ArmName, Record<string, SourcePredictionsFile>>>;
  /**
   * Cross-validation: per fold j (repeat r, fold f: j = r * folds + f, as in folds.json), per arm
   * and dataset, that fold's test rows (folds.json's order) as the fold's model predicted them.
   */
  readonly folds?: readonly Partial<Record<ArmName, Record<string, SourcePredictionsFile>>>[];
}

// ---- status.json

/**
 * A run's state as read back: what status.json records, `interrupted` for runs whose training
 * process is gone (or silent) without recording an end, and `unfinished` for folders with
 * neither a status nor results.
 */
export type RunState = 'running' | 'completed' | 'cancelled' | 'failed' | 'diverged' | 'interrupted' | 'unfinished';

/** While it trains, a run rewrites status.json this often... */
export const HEARTBEAT_MS = 2_000;
/**
 * ...and a `running` status not rewritten for this long belongs to a dead run (a process on
 * another machine, or a reused process id). Generous: the trainer's event loop can be busy for
 * a while (a large closed-form fit); on the same machine a dead process id is noticed at once.
 */
export const HEARTBEAT_STALE_MS = 60_000;

/** status.json as written by the trainer (and by its parent when the trainer dies). */
export interface StatusFile {
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly epochsDone?: number;
  readonly at?: string;
  /** While running: the training process, the machine it runs on, its last heartbeat. */
  readonly pid?: number;
  readonly host?: string;
  readonly startedAt?: string;
  readonly heartbeatAt?: string;
  /** diverged: where; failed on a write: the errno name and the file. */
  readonly arm?: string;
  readonly model?: string;
  readonly epoch?: number;
  readonly code?: string;
  readonly file?: string;
}

export interface RunStatus {
  readonly state: RunState;
  /** Why it stopped, in plain words (`disk full`, `the training process (pid 123) is gone`). */
  readonly reason?: string;
  readonly message?: string;
  readonly epochsDone?: number;
  /** When the state was recorded (ISO time). */
  readonly at?: string;
  /** A running run's training process and its last heartbeat. */
  readonly pid?: number;
  readonly heartbeatAt?: string;
}
