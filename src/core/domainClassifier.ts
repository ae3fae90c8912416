import { mulberry32 } from './random';
import { rocAuc } from './stats/rocAuc';

/**
 * Multivariate drift: a classifier that tries to tell which dataset a row came from. If it cannot
 * (cross-validated ROC AUC ~ 0.5) the datasets look alike jointly, not only feature by feature.
 *
 * Model: gradient-boosted trees of depth 2 (Deepchecks' choice for its domain classifier) on the
 * logistic loss, written like scikit-learn's HistGradientBoostingClassifier: each feature is cut
 * into at most 255 quantile bins plus a bin for missing values; each split is chosen by the
 * Newton gain G_L^2/H_L + G_R^2/H_R - G^2/H, trying the missing values on both sides; leaves
 * hold -G/H times the learning rate; at least 20 rows per leaf.
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

const MAX_BINS = 255; // bins 0..254 for values; MISSING for NaN
const MISSING = 255;
const MIN_HESSIAN = 1e-3;

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

  const y = Uint8Array.from(rows, (r) => (isOther[r] ? 1 : 0));
  const binned = features.map((f) => binFeature(f, rows));

  const foldAucs: number[] = [];
  for (let fold = 0; fold < k; fold++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOfRow[i] === fold ? test : train).push(i);
    const model = fitBoosting(binned, y, Uint32Array.from(train), params, importance);
    const scores = model.predict(binned, Uint32Array.from(test));
    foldAucs.push(rocAuc(scores, Uint8Array.from(test, (i) => y[i])));
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

/** A feature's rows as bin indices (0..254; 255 = missing), cut at quantile midpoints. */
function binFeature(values: Float64Array, rows: Uint32Array): Uint8Array {
  const buf = new Float64Array(rows.length);
  let m = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (Number.isFinite(v)) buf[m++] = v;
  }
  const finite = buf.subarray(0, m).sort();
  const distinct: number[] = [];
  for (const v of finite) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  let thresholds: number[];
  if (distinct.length <= MAX_BINS) {
    thresholds = [];
    for (let i = 0; i + 1 < distinct.length; i++) thresholds.push((distinct[i] + distinct[i + 1]) / 2);
  } else {
    // Quantile cut points (numpy 'linear'), de-duplicated.
    const set: number[] = [];
    for (let b = 1; b < MAX_BINS; b++) {
      const h = ((finite.length - 1) * b) / MAX_BINS;
      const lo = Math.floor(h);
      const t = finite[lo] + (h - lo) * (finite[Math.min(lo + 1, finite.length - 1)] - finite[lo]);
      if (set.length === 0 || t > set[set.length - 1]) set.push(t);
    }
    thresholds = set;
  }
  const out = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (!Number.isFinite(v)) {
      out[i] = MISSING;
      continue;
    }
    // First threshold >= v: values equal to a threshold go left (bin <= that threshold).
    let lo = 0;
    let hi = thresholds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (thresholds[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

interface Split {
  feature: number;
  /** Rows with bin <= bin go left. */
  bin: number;
  missingLeft: boolean;
  gain: number;
}

interface TreeNode {
  split: Split | undefined;
  left: TreeNode | undefined;
  right: TreeNode | undefined;
  value: number;
}

interface Params {
  iterations: number;
  learningRate: number;
  maxDepth: number;
  minSamplesLeaf: number;
}

function fitBoosting(
  binned: Uint8Array[],
  y: Uint8Array,
  train: Uint32Array,
  params: Params,
  importance: number[],
): { predict: (binned: Uint8Array[], rows: Uint32Array) => Float64Array } {
  const nTrain = train.length;
  let positives = 0;
  for (const i of train) positives += y[i];
  const prior = Math.min(Math.max(positives / nTrain, 1e-12), 1 - 1e-12);
  const base = Math.log(prior / (1 - prior));
  const raw = new Float64Array(nTrain).fill(base);
  const grad = new Float64Array(nTrain);
  const hess = new Float64Array(nTrain);
  const trees: TreeNode[] = [];
  // Training rows are addressed by position p (0..nTrain-1); binsOf[f][p] is the bin.
  const binsOf = binned.map((b) => gather(b, train));
  const yTrain = Uint8Array.from(train, (i) => y[i]);
  const all = Uint32Array.from({ length: nTrain }, (_, p) => p);
  for (let it = 0; it < params.iterations; it++) {
    for (let p = 0; p < nTrain; p++) {
      const prob = 1 / (1 + Math.exp(-raw[p]));
      grad[p] = prob - yTrain[p];
      hess[p] = prob * (1 - prob);
    }
    trees.push(growNode(binsOf, grad, hess, raw, all, undefined, 0, params, importance));
  }
  return {
    predict(binnedAll: Uint8Array[], rows: Uint32Array): Float64Array {
      const b = binnedAll.map((col) => gather(col, rows));
      const idx = Uint32Array.from({ length: rows.length }, (_, p) => p);
      const out = new Float64Array(rows.length).fill(base);
      for (const t of trees) applyTree(t, b, idx, out);
      return out;
    },
  };
}

function applyTree(tree: TreeNode, bins: Uint8Array[], rows: Uint32Array, raw: Float64Array): void {
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i];
    let node = tree;
    while (node.split) {
      const s = node.split;
      const bin = bins[s.feature][p];
      const goLeft = bin === MISSING ? s.missingLeft : bin <= s.bin;
      node = (goLeft ? node.left : node.right) as TreeNode;
    }
    raw[p] += node.value;
  }
}

/** Per feature, 256 bins x (sum of gradients, sum of hessians, count), interleaved. */
const HIST_STRIDE = 256 * 3;

function buildHistograms(bins: Uint8Array[], grad: Float64Array, hess: Float64Array, rows: Uint32Array): Float64Array {
  const hist = new Float64Array(bins.length * HIST_STRIDE);
  const n = rows.length;
  // The root holds every training row in order: no index indirection needed.
  const identity = n === grad.length && n > 0 && rows[0] === 0 && rows[n - 1] === n - 1;
  for (let f = 0; f < bins.length; f++) {
    const col = bins[f];
    const off = f * HIST_STRIDE;
    if (identity) {
      for (let p = 0; p < n; p++) {
        const k = off + col[p] * 3;
        hist[k] += grad[p];
        hist[k + 1] += hess[p];
        hist[k + 2] += 1;
      }
      continue;
    }
    for (let i = 0; i < n; i++) {
      const p = rows[i];
      const k = off + col[p] * 3;
      hist[k] += grad[p];
      hist[k + 1] += hess[p];
      hist[k + 2] += 1;
    }
  }
  return hist;
}

function growNode(
  bins: Uint8Array[],
  grad: Float64Array,
  hess: Float64Array,
  raw: Float64Array,
  rows: Uint32Array,
  hist: Float64Array | undefined,
  depth: number,
  params: Params,
  importance: number[],
): TreeNode {
  let G = 0;
  let H = 0;
  for (let i = 0; i < rows.length; i++) {
    G += grad[rows[i]];
    H += hess[rows[i]];
  }
  const value = (-G / Math.max(H, 1e-12)) * params.learningRate;
  const makeLeaf = (): TreeNode => {
    // The training rows that end here get the leaf's value now: no tree walk for them later.
    for (let i = 0; i < rows.length; i++) raw[rows[i]] += value;
    return { split: undefined, left: undefined, right: undefined, value };
  };
  if (depth >= params.maxDepth || rows.length < 2 * params.minSamplesLeaf) return makeLeaf();
  const h = hist ?? buildHistograms(bins, grad, hess, rows);
  const split = bestSplit(h, bins.length, G, H, rows.length, params.minSamplesLeaf);
  if (!split) return makeLeaf();
  importance[split.feature] += split.gain;
  // Partition into a copy: left rows from the front, right rows from the back.
  const parted = new Uint32Array(rows.length);
  let nl = 0;
  let nr = rows.length;
  const col = bins[split.feature];
  const cut = split.bin;
  const missingLeft = split.missingLeft;
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i];
    const b = col[p];
    if (b === MISSING ? missingLeft : b <= cut) parted[nl++] = p;
    else parted[--nr] = p;
  }
  const leftRows = parted.subarray(0, nl);
  const rightRows = parted.subarray(nl);
  let leftHist: Float64Array | undefined;
  let rightHist: Float64Array | undefined;
  if (depth + 1 < params.maxDepth) {
    // Histogram the smaller child; the sibling's is the parent's minus it.
    const small = nl <= rows.length - nl ? leftRows : rightRows;
    const smallHist = buildHistograms(bins, grad, hess, small);
    const bigHist = new Float64Array(h.length);
    for (let i = 0; i < h.length; i++) bigHist[i] = h[i] - smallHist[i];
    [leftHist, rightHist] = small === leftRows ? [smallHist, bigHist] : [bigHist, smallHist];
  }
  return {
    split,
    value,
    left: growNode(bins, grad, hess, raw, leftRows, leftHist, depth + 1, params, importance),
    right: growNode(bins, grad, hess, raw, rightRows, rightHist, depth + 1, params, importance),
  };
}

function bestSplit(hist: Float64Array, nFeatures: number, G: number, H: number, total: number, minLeaf: number): Split | undefined {
  const parentScore = (G * G) / H;
  let best: Split | undefined;
  for (let f = 0; f < nFeatures; f++) {
    const off = f * HIST_STRIDE;
    const mk = off + MISSING * 3;
    const mg = hist[mk];
    const mh = hist[mk + 1];
    const mc = hist[mk + 2];
    let maxBin = MISSING - 1;
    while (maxBin > 0 && hist[off + maxBin * 3 + 2] === 0) maxBin--;
    // Missing values on the right, then on the left (only matters when there are some).
    for (let side = 0; side < (mc > 0 ? 2 : 1); side++) {
      const missingLeft = side === 1;
      let gl = missingLeft ? mg : 0;
      let hl = missingLeft ? mh : 0;
      let cl = missingLeft ? mc : 0;
      const lastBin = maxBin + (mc > 0 && !missingLeft ? 1 : 0);
      for (let b = 0; b < lastBin; b++) {
        const k = off + b * 3;
        gl += hist[k];
        hl += hist[k + 1];
        cl += hist[k + 2];
        const cr = total - cl;
        if (cl < minLeaf) continue;
        if (cr < minLeaf) break;
        const hr = H - hl;
        if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
        const gr = G - gl;
        const gain = (gl * gl) / hl + (gr * gr) / hr - parentScore;
        if (gain > 1e-12 && (!best || gain > best.gain)) best = { feature: f, bin: b, missingLeft, gain };
      }
    }
  }
  return best;
}

function shuffle(a: number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

function gather(col: Uint8Array, rows: Uint32Array): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
  return out;
}

