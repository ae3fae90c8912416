import { mulberry32 } from './random';
import { rocAuc } from './stats/rocAuc';
import { binNumeric, numericThresholds } from './trees/binning';
import { fitBoosting, predictBoosting, type BinnedData, type BoostingParams } from './trees/histogramBoosting';

/**
 * Multivariate drift: a classifier that tries to tell which dataset a row came from. If it cannot
 * (cross-validated ROC AUC ~ 0.5) the datasets look alike jointly, not only feature by feature.
 *
 * Model: gradient-boosted trees of depth 2 (Deepchecks' choice for its domain classifier) on the
 * logistic loss, fitted by the project's one tree learner (trees/histogramBoosting.ts, written
 * like scikit-learn's HistGradientBoostingClassifier): each feature is cut into at most 255
 * quantile bins plus a bin for missing values; each split is chosen by the Newton gain
 * G_L^2/H_L + G_R^2/H_R - G^2/H, trying the missing values on both sides; leaves hold -G/H
 * times the learning rate; at least 20 rows per leaf; no L2 penalty.
 * Evaluation: stratified k-fold cross-validation (5 folds); the AUC is the mean over folds of the
 * held-out ROC AUC; score = clip(2 AUC - 1, 0, 1). Each side is first subsampled to at most
 * maxRowsPerSide rows. Sampling and fold assignment use a seeded PRNG (mulberry32), so a given
 * seed always gives the same answer.
 */

export interface DomainClassifierOptions {
  /** Cross-validation folds (default 5; fewer if a side has fewer rows). */
  readonly folds?: number;
  /** Seed for subsampling and folds (default 42). */
  readonly seed?: number;
  /** Rows kept per dataset, sampled at random without replacement (default 10000). */
  readonly maxRowsPerSide?: number;
  readonly model?: 'gbt';
  /** Boosting iterations (default 30). */
  readonly iterations?: number;
  /** Shrinkage (default 0.1). */
  readonly learningRate?: number;
  /** Tree depth (default 2). */
  readonly maxDepth?: number;
  /** Minimum rows in a leaf (default 20). */
  readonly minSamplesLeaf?: number;
  /**
   * Explicit fold of each row (0..folds-1), skipping subsampling: lets tests reproduce the folds
   * of a reference implementation. Length must equal the number of rows.
   */
  readonly foldOf?: Uint8Array;
  /** Told `done` of `total` folds: 0 before the first is fitted, then after each. */
  readonly onFold?: (done: number, total: number) => void;
}

export interface DomainClassifierResult {
  /** Mean held-out ROC AUC over the folds. */
  readonly auc: number;
  /** 2 AUC - 1 clipped to [0, 1]: 0 = indistinguishable, 1 = perfectly separable. */
  readonly score: number;
  readonly folds: number;
  readonly rowsUsed: number;
  /** Share of the total split gain per input feature (sums to 1, or all 0 without splits). */
  readonly importance: number[];
  /** Held-out AUC of each fold. */
  readonly foldAucs: number[];
}


export function crossValidatedDomainAuc(
  features: Float64Array[],
  isOther: Uint8Array,
  opts: DomainClassifierOptions = {},
): DomainClassifierResult {
  const nRows = isOther.length;
  for (const [i, f] of features.entries()) {
    if (f.length !== nRows) throw new RangeError(`crossValidatedDomainAuc: feature ${i} has ${f.length} rows, labels have ${nRows}`);
  }
  const params = {
    iterations: opts.iterations ?? 30,
    learningRate: opts.learningRate ?? 0.1,
    maxDepth: opts.maxDepth ?? 2,
    minSamplesLeaf: opts.minSamplesLeaf ?? 20,
  };
  const rand = mulberry32(opts.seed ?? 42);

  // Rows used and their folds.
  let rows: Uint32Array;
  let foldOfRow: Uint8Array;
  let k: number;
  if (opts.foldOf) {
    if (opts.foldOf.length !== nRows) throw new RangeError('crossValidatedDomainAuc: foldOf must have one entry per row');
    rows = Uint32Array.from({ length: nRows }, (_, i) => i);
    foldOfRow = opts.foldOf;
    k = Math.max(...foldOfRow) + 1;
  } else {
    const maxPerSide = opts.maxRowsPerSide ?? 10000;
    const sides = [0, 1].map((label) => {
      const idx: number[] = [];
      for (let i = 0; i < nRows; i++) if ((isOther[i] ? 1 : 0) === label) idx.push(i);
      shuffle(idx, rand);
      return idx.slice(0, maxPerSide);
    });
    k = Math.min(opts.folds ?? 5, sides[0].length, sides[1].length);
    const kept = [...sides[0], ...sides[1]].sort((a, b) => a - b);
    rows = Uint32Array.from(kept);
    const foldByOriginal = new Map<number, number>();
    // Stratified: each side's shuffled rows are dealt to the folds in turn.
    for (const side of sides) side.forEach((r, i) => foldByOriginal.set(r, i % Math.max(k, 1)));
    foldOfRow = Uint8Array.from(kept, (r) => foldByOriginal.get(r) as number);
  }
  const n = rows.length;
  const importance = new Array<number>(features.length).fill(0);
  if (k < 2) {
    return { auc: Number.NaN, score: Number.NaN, folds: 0, rowsUsed: n, importance, foldAucs: [] };
  }

  const y = Float64Array.from(rows, (r) => (isOther[r] ? 1 : 0));
  const binned = features.map((f) => binNumeric(f, numericThresholds(f, rows), rows));
  const boosting: BoostingParams = { loss: 'logistic', iterations: params.iterations, learningRate: params.learningRate, maxDepth: params.maxDepth, maxLeafNodes: Infinity, minSamplesLeaf: params.minSamplesLeaf, l2: 0 };
  const subset = (positions: number[]): BinnedData => ({ columns: binned.map((col) => Uint8Array.from(positions, (p) => col[p])), categorical: binned.map(() => false), rows: positions.length });

  const foldAucs: number[] = [];
  opts.onFold?.(0, k);
  for (let fold = 0; fold < k; fold++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOfRow[i] === fold ? test : train).push(i);
    const model = fitBoosting(subset(train), Float64Array.from(train, (i) => y[i]), boosting);
    model.gains.forEach((g, f) => (importance[f] += g));
    const [scores] = predictBoosting(model, subset(test));
    foldAucs.push(rocAuc(scores, Uint8Array.from(test, (i) => y[i])));
    opts.onFold?.(fold + 1, k);
  }
  const auc = foldAucs.reduce((s, v) => s + v, 0) / foldAucs.length;
  const totalGain = importance.reduce((s, v) => s + v, 0);
  return {
    auc,
    score: Math.min(1, Math.max(0, 2 * auc - 1)),
    folds: k,
    rowsUsed: n,
    importance: importance.map((g) => (totalGain > 0 ? g / totalGain : 0)),
    foldAucs,
  };
}

function shuffle(a: number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
