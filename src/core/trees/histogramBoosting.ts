/**
 * Histogram gradient boosting, the one tree learner of the project: the domain classifier
 * (src/core/domainClassifier.ts) and the `gbm` model of the trainer (src/training/gbm.ts) both
 * fit with it. Written like scikit-learn's HistGradientBoosting: features binned (binning.ts),
 * per node a histogram of gradient and hessian sums per bin (the larger child's by subtraction
 * from its parent), splits chosen by the Newton gain
 *   G_L^2/(H_L + l2) + G_R^2/(H_R + l2) - G^2/(H + l2),
 * missing values tried on both sides, categorical features split by sorting their bins by
 * G/(H + 10) and taking a prefix, trees grown best-first up to `maxLeafNodes` leaves and
 * `maxDepth`, leaves worth -G/(H + l2) times the learning rate. Losses: squared error,
 * logistic (binary), softmax (one tree per class per iteration). Early stopping on a validation
 * set's loss. The hot loops (histograms, the row partition, the gradient gather) run in
 * WebAssembly (histogramKernel.ts) when it is available, with the same arithmetic as the
 * JavaScript loops kept here for when it is not.
 */
import { MISSING_BIN } from './binning';
import { HistogramKernel } from './histogramKernel';
import { addTreePredictions, type Tree, type TreeNode } from './tree';

export type BoostingLoss = 'squared_error' | 'logistic' | 'softmax';

export interface BoostingParams {
  readonly loss: BoostingLoss;
  /** Classes for softmax (>= 3); 1 output otherwise. */
  readonly classes?: number;
  readonly iterations: number;
  readonly learningRate: number;
  /** Best-first growth stops at this many leaves (Infinity: depth alone limits the tree). */
  readonly maxLeafNodes: number;
  /** Infinity for no limit. */
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** L2 penalty on leaf values (scikit-learn's l2_regularization). */
  readonly l2: number;
  /** Stop when the validation loss has not improved by `tolerance` for this many iterations. */
  readonly patience?: number;
  readonly tolerance?: number;
  /** Keep only the trees up to the best validation loss. */
  readonly restoreBest?: boolean;
}

/** Binned features: one Uint8Array per feature (bin per row, MISSING_BIN = missing) and whether it is categorical. */
export interface BinnedData {
  readonly columns: readonly Uint8Array[];
  readonly categorical: readonly boolean[];
  readonly rows: number;
}

export interface BoostingProgress {
  readonly iteration: number;
  readonly trainLoss: number;
  readonly validationLoss: number | null;
  /** Raw scores of the validation rows after this iteration (outputs x rows), when there is a validation set. */
  readonly validationRaw: readonly Float64Array[] | null;
}

export interface BoostedModel {
  readonly loss: BoostingLoss;
  /** Raw score before any tree, per output. */
  readonly baseline: readonly number[];
  /** trees[iteration][output] */
  readonly trees: readonly (readonly Tree[])[];
  /** Iterations run, and the one whose trees were kept (validation-best, or the last). */
  readonly iterationsRun: number;
  readonly bestIteration: number;
  /** Sum of split gains per feature over the kept trees. */
  readonly gains: readonly number[];
}

const MIN_HESSIAN = 1e-3;
const CATEGORICAL_SMOOTHING = 10;
/** Per feature, 256 bins x (gradient sum, hessian sum, count), interleaved. */
const STRIDE = 256 * 3;

interface Split {
  readonly feature: number;
  readonly gain: number;
  readonly threshold: number;
  readonly missingLeft: boolean;
  /** Categorical: bins going left. */
  readonly leftBins?: number[];
  readonly gl: number;
  readonly hl: number;
  readonly cl: number;
}

interface GrowNode {
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  readonly G: number;
  readonly H: number;
  hist: Float64Array | undefined;
  split: Split | undefined;
  /** Index in the output tree's node list. */
  readonly index: number;
}

interface Growth {
  readonly data: BinnedData;
  readonly params: BoostingParams;
  readonly order: Uint32Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly constantHessian: number | null;
  /** Scratch: gradients (and hessians) of a node's rows in partition order. */
  readonly og: Float64Array;
  readonly oh: Float64Array;
  /** Scratch for partitioning a node's rows (the right side, stacked from the back). */
  readonly scratch: Uint32Array;
  /** Histograms no longer in use, reused instead of allocating one per node. */
  readonly pool: Float64Array[];
  /** The WebAssembly histogram loop (its memory holds order, og and oh), or null for the JavaScript one. */
  readonly kernel: HistogramKernel | null;
}

/** A zeroed histogram (or one about to be overwritten when `zero` is false), from the pool when one is free. */
function takeHistogram(g: Growth, zero = true): Float64Array {
  const h = g.pool.pop();
  if (h) {
    if (zero) h.fill(0);
    return h;
  }
  return new Float64Array(g.data.columns.length * STRIDE);
}

function buildHistogram(g: Growth, start: number, end: number): Float64Array {
  const { data, order, grad, hess, og, oh, constantHessian } = g;
  const nf = data.columns.length;
  const hist = takeHistogram(g, g.kernel === null);
  const n = end - start;
  if (!g.kernel?.gather(start, n, grad, constantHessian === null ? hess : null)) {
    for (let i = 0; i < n; i++) {
      const r = order[start + i];
      og[i] = grad[r];
      if (constantHessian === null) oh[i] = hess[r];
    }
  }
  // The root holds every row in order: its bins are read sequentially, without the row index.
  const identity = start === 0 && n === data.rows && isIdentity(order, n);
  const rows = identity ? null : order.subarray(start, end);
  const withHessian = constantHessian === null;
  // Four features per pass over the rows: the row index and its gradient are loaded once for
  // four histogram updates (measured 1.8x faster than one feature per pass on 1M x 32).
  let f = 0;
  if (g.kernel) {
    // The same sums in WebAssembly, for the features in groups of four; copied out whole (the
    // other features' part is zero).
    g.kernel.build(start, n, identity, withHessian);
    hist.set(g.kernel.hist);
    f = nf & ~3;
  }
  for (; f + 4 <= nf; f += 4) accumulate4(hist, f, data.columns, rows, n, og, withHessian ? oh : null);
  for (; f < nf; f++) accumulate1(hist, f, data.columns[f], rows, n, og, withHessian ? oh : null);
  if (!withHessian) {
    for (let j = 0; j < nf * 256; j++) hist[j * 3 + 1] = hist[j * 3 + 2] * (constantHessian as number);
  }
  return hist;
}

/**
 * Adds rows' gradients (and hessians, when given) and counts to the histograms of features
 * f..f+3; `rows` null means rows 0..n-1 in order. The loops are written out per case so none
 * tests a case per row. (Measured on 1M x 32, one thread: eight features per pass, or all
 * features per pass over row-major packed bins, were no faster.)
 */
function accumulate4(hist: Float64Array, f: number, columns: readonly Uint8Array[], rows: Uint32Array | null, n: number, og: Float64Array, oh: Float64Array | null): void {
  const c0 = columns[f];
  const c1 = columns[f + 1];
  const c2 = columns[f + 2];
  const c3 = columns[f + 3];
  const o0 = f * STRIDE;
  const o1 = o0 + STRIDE;
  const o2 = o1 + STRIDE;
  const o3 = o2 + STRIDE;
  if (oh === null && rows === null) {
    for (let i = 0; i < n; i++) {
      const x = og[i];
      let k = o0 + c0[i] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
      k = o1 + c1[i] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
      k = o2 + c2[i] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
      k = o3 + c3[i] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
    }
    return;
  }
  if (oh === null && rows !== null) {
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      const x = og[i];
      let k = o0 + c0[r] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
      k = o1 + c1[r] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
      k = o2 + c2[r] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
      k = o3 + c3[r] * 3;
      hist[k] += x;
      hist[k + 2] += 1;
    }
    return;
  }
  const ohh = oh as Float64Array;
  for (let i = 0; i < n; i++) {
    const r = rows === null ? i : rows[i];
    const x = og[i];
    const y = ohh[i];
      let k = o0 + c0[r] * 3;
      hist[k] += x;
      hist[k + 1] += y;
      hist[k + 2] += 1;
      k = o1 + c1[r] * 3;
      hist[k] += x;
      hist[k + 1] += y;
      hist[k + 2] += 1;
      k = o2 + c2[r] * 3;
      hist[k] += x;
      hist[k + 1] += y;
      hist[k + 2] += 1;
      k = o3 + c3[r] * 3;
      hist[k] += x;
      hist[k + 1] += y;
      hist[k + 2] += 1;
  }
}

/** One feature's histogram (the features left over after groups of four). */
function accumulate1(hist: Float64Array, f: number, col: Uint8Array, rows: Uint32Array | null, n: number, og: Float64Array, oh: Float64Array | null): void {
  const o = f * STRIDE;
  for (let i = 0; i < n; i++) {
    const k = o + col[rows === null ? i : rows[i]] * 3;
    hist[k] += og[i];
    if (oh !== null) hist[k + 1] += oh[i];
    hist[k + 2] += 1;
  }
}

function isIdentity(order: Uint32Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (order[i] !== i) return false;
  return true;
}

function findSplit(g: Growth, hist: Float64Array, G: number, H: number, count: number): Split | undefined {
  const { minSamplesLeaf: minLeaf, l2 } = g.params;
  const parentScore = (G * G) / (H + l2);
  let best: Split | undefined;
  const nf = g.data.columns.length;
  for (let f = 0; f < nf; f++) {
    const off = f * STRIDE;
    const mk = off + MISSING_BIN * 3;
    const mg = hist[mk];
    const mh = hist[mk + 1];
    const mc = hist[mk + 2];
    if (g.data.categorical[f]) {
      // Bins with rows (missing values as one more category), sorted by G/(H + smoothing).
      const bins: number[] = [];
      for (let b = 0; b < 256; b++) if (hist[off + b * 3 + 2] > 0) bins.push(b);
      if (bins.length < 2) continue;
      const ratio = (b: number) => hist[off + b * 3] / (hist[off + b * 3 + 1] + CATEGORICAL_SMOOTHING);
      bins.sort((a, b) => ratio(a) - ratio(b) || a - b);
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let j = 0; j + 1 < bins.length; j++) {
        const k = off + bins[j] * 3;
        gl += hist[k];
        hl += hist[k + 1];
        cl += hist[k + 2];
        if (cl < minLeaf) continue;
        if (count - cl < minLeaf) break;
        const hr = H - hl;
        if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
        const gr = G - gl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
        if (gain > 1e-12 && (!best || gain > best.gain)) {
          const leftBins = bins.slice(0, j + 1).sort((a, b) => a - b);
          best = { feature: f, gain, threshold: -1, missingLeft: leftBins.includes(MISSING_BIN), leftBins, gl, hl, cl };
        }
      }
      continue;
    }
    let maxBin = MISSING_BIN - 1;
    while (maxBin > 0 && hist[off + maxBin * 3 + 2] === 0) maxBin--;
    // Missing values on the right, then on the left (only when there are some).
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
        const cr = count - cl;
        if (cl < minLeaf) continue;
        if (cr < minLeaf) break;
        const hr = H - hl;
        if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
        const gr = G - gl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
        // Without missing values in training, missing values follow the larger child at prediction (as scikit-learn).
        if (gain > 1e-12 && (!best || gain > best.gain)) best = { feature: f, gain, threshold: Math.min(b, MISSING_BIN - 1), missingLeft: mc > 0 ? missingLeft : cl >= cr, gl, hl, cl };
      }
    }
  }
  return best;
}

/** 1 for the bins a split sends left. */
function leftTable(split: Split): Uint8Array {
  const t = new Uint8Array(256);
  if (split.leftBins) for (const b of split.leftBins) t[b] = 1;
  else {
    for (let b = 0; b <= split.threshold; b++) t[b] = 1;
    t[MISSING_BIN] = split.missingLeft ? 1 : 0;
  }
  return t;
}

/**
 * Grows one tree on the rows `order[0..n)` (positions into the binned columns) and adds each
 * leaf's value to `raw` for its rows. Returns the tree; adds split gains to `gains`.
 */
function growTree(g: Growth, n: number, raw: Float64Array, gains: number[]): Tree {
  const { params, grad, hess, order, constantHessian } = g;
  const nodes: TreeNode[] = [];
  const mutable: { value: number; feature: number; threshold: number; leftBins?: number[]; missingLeft: boolean; left: number; right: number }[] = [];
  const newNode = (G: number, H: number) => {
    mutable.push({ value: (-G / (H + params.l2)) * params.learningRate, feature: -1, threshold: 0, missingLeft: false, left: -1, right: -1 });
    return mutable.length - 1;
  };
  let G = 0;
  let H = 0;
  for (let i = 0; i < n; i++) {
    const r = order[i];
    G += grad[r];
    H += constantHessian === null ? hess[r] : constantHessian;
  }
  const canSplit = (depth: number, count: number) => depth < params.maxDepth && count >= 2 * params.minSamplesLeaf;
  const root: GrowNode = { start: 0, end: n, depth: 0, G, H, hist: undefined, split: undefined, index: newNode(G, H) };
  if (canSplit(0, n)) {
    root.hist = buildHistogram(g, 0, n);
    root.split = findSplit(g, root.hist, G, H, n);
  }
  const open: GrowNode[] = [root];
  const leaves: GrowNode[] = [];
  let leafCount = 1;
  while (leafCount < params.maxLeafNodes) {
    let pick = -1;
    for (let i = 0; i < open.length; i++) if (open[i].split && (pick < 0 || (open[i].split as Split).gain > (open[pick].split as Split).gain)) pick = i;
    if (pick < 0) break;
    const node = open[pick];
    open.splice(pick, 1);
    const split = node.split as Split;
    gains[split.feature] += split.gain;
    // Partition the node's rows in place: left rows first, each side in its original order.
    const col = g.data.columns[split.feature];
    const tmp = g.scratch;
    const size = node.end - node.start;
    let nl = 0;
    let nr = size;
    // A 256-entry table says which bins go left: one load per row instead of a comparison chain.
    // Without a branch per row (half of them would be mispredicted): each row is written to both
    // sides' next slots and only its own side's count advances. order[start + nl] is never ahead
    // of the row being read, and tmp[nr - 1] stays at or above 0 while rows remain.
    const toLeft = leftTable(split);
    if (g.kernel) {
      // The same loop in WebAssembly (histogramKernel.ts); `tmp` is then its scratch.
      nl = g.kernel.partition(node.start, size, split.feature, toLeft);
      nr = nl;
    } else {
      for (let i = node.start; i < node.end; i++) {
        const r = order[i];
        const l = toLeft[col[r]];
        order[node.start + nl] = r;
        tmp[nr - 1] = r;
        nl += l;
        nr -= 1 - l;
      }
    }
    // Right rows were stacked from the back: restore their order.
    for (let i = size - 1, j = node.start + nl; i >= nr; i--, j++) order[j] = tmp[i];
    const mid = node.start + nl;
    const m = mutable[node.index];
    m.feature = split.feature;
    m.threshold = split.threshold;
    m.missingLeft = split.missingLeft;
    if (split.leftBins) m.leftBins = split.leftBins;
    const GL = split.gl;
    const HL = constantHessian === null ? split.hl : split.cl * constantHessian;
    const left: GrowNode = { start: node.start, end: mid, depth: node.depth + 1, G: GL, H: HL, hist: undefined, split: undefined, index: newNode(GL, HL) };
    const right: GrowNode = { start: mid, end: node.end, depth: node.depth + 1, G: node.G - GL, H: node.H - HL, hist: undefined, split: undefined, index: newNode(node.G - GL, node.H - HL) };
    m.left = left.index;
    m.right = right.index;
    leafCount++;
    const splitLeft = canSplit(left.depth, left.end - left.start);
    const splitRight = canSplit(right.depth, right.end - right.start);
    if ((splitLeft || splitRight) && leafCount < params.maxLeafNodes && node.hist) {
      // Histogram the smaller child; the sibling's is the parent's minus it.
      const [small, big] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
      small.hist = buildHistogram(g, small.start, small.end);
      const parent = node.hist;
      const smallHist = small.hist;
      for (let i = 0; i < parent.length; i++) parent[i] -= smallHist[i];
      big.hist = parent;
      if (splitLeft) left.split = findSplit(g, left.hist as Float64Array, left.G, left.H, left.end - left.start);
      if (splitRight) right.split = findSplit(g, right.hist as Float64Array, right.G, right.H, right.end - right.start);
    }
    // A parent's histogram became its larger child's; one left unused goes back to the pool.
    if (node.hist && node.hist !== left.hist && node.hist !== right.hist) g.pool.push(node.hist);
    node.hist = undefined;
    for (const child of [left, right]) {
      if (!child.split && child.hist) {
        g.pool.push(child.hist);
        child.hist = undefined;
      }
      open.push(child);
    }
  }
  for (const node of open) {
    if (node.hist) g.pool.push(node.hist);
    node.hist = undefined;
    leaves.push(node);
  }
  for (const leaf of leaves) {
    const v = mutable[leaf.index].value;
    for (let i = leaf.start; i < leaf.end; i++) raw[order[i]] += v;
  }
  for (const m of mutable) nodes.push(m.leftBins ? { ...m, leftBins: m.leftBins } : { value: m.value, feature: m.feature, threshold: m.threshold, missingLeft: m.missingLeft, left: m.left, right: m.right });
  return { nodes };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Mean loss of raw scores against targets (weighted when `w` is given). */
export function boostingLoss(loss: BoostingLoss, raw: readonly Float64Array[], y: Float64Array, w?: Float64Array): number {
  const n = y.length;
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    let l: number;
    if (loss === 'squared_error') l = 0.5 * (raw[0][i] - y[i]) ** 2;
    else if (loss === 'logistic') {
      const z = raw[0][i];
      // log(1 + e^z) - y z, computed without overflow.
      l = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z;
    } else {
      let mx = -Infinity;
      for (const r of raw) mx = Math.max(mx, r[i]);
      let s = 0;
      for (const r of raw) s += Math.exp(r[i] - mx);
      l = mx + Math.log(s) - raw[y[i]][i];
    }
    sum += wi * l;
    wsum += wi;
  }
  return wsum > 0 ? sum / wsum : Number.NaN;
}

function baselineOf(params: BoostingParams, y: Float64Array, w: Float64Array | undefined, outputs: number): number[] {
  const n = y.length;
  let wsum = 0;
  if (params.loss === 'squared_error') {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      s += wi * y[i];
      wsum += wi;
    }
    return [wsum > 0 ? s / wsum : 0];
  }
  const counts = new Float64Array(Math.max(outputs, 2));
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    counts[y[i]] += wi;
    wsum += wi;
  }
  if (params.loss === 'logistic') {
    const p = Math.min(Math.max(counts[1] / wsum, 1e-12), 1 - 1e-12);
    return [Math.log(p / (1 - p))];
  }
  return Array.from({ length: outputs }, (_, k) => Math.log(Math.max(counts[k] / wsum, 1e-12)));
}

export interface FitBoostingOptions {
  /** Sample weights of the training rows. */
  readonly weights?: Float64Array;
  /** Validation rows (binned like the training rows) and targets, for early stopping. */
  readonly validation?: { readonly data: BinnedData; readonly y: Float64Array };
  readonly onIteration?: (p: BoostingProgress) => void;
  readonly isCancelled?: () => boolean;
  /** false: histograms by the JavaScript loop instead of the WebAssembly one (same sums; for tests). */
  readonly webAssembly?: boolean;
}

/**
 * Fits a boosted ensemble. `y` holds regression targets, or class indices (0/1 for logistic,
 * 0..classes-1 for softmax).
 */
export function fitBoosting(data: BinnedData, y: Float64Array, params: BoostingParams, options: FitBoostingOptions = {}): BoostedModel & { readonly cancelled: boolean } {
  const n = data.rows;
  if (y.length !== n) throw new RangeError(`fitBoosting: ${y.length} targets for ${n} rows`);
  const outputs = params.loss === 'softmax' ? (params.classes ?? 0) : 1;
  if (params.loss === 'softmax' && outputs < 3) throw new RangeError('fitBoosting: softmax needs at least 3 classes');
  const w = options.weights;
  const baseline = baselineOf(params, y, w, outputs);
  const raw = baseline.map((b) => new Float64Array(n).fill(b));
  const kernel = options.webAssembly === false ? null : HistogramKernel.create(data.columns, n, outputs);
  const grads = kernel ? kernel.gradients : baseline.map(() => new Float64Array(n));
  const hess = kernel ? kernel.hessians : baseline.map(() => new Float64Array(n));
  const constantHessian = params.loss === 'squared_error' && !w ? 1 : null;
  const gains = new Array<number>(data.columns.length).fill(0);
  const iterationGains: number[][] = [];
  const trees: Tree[][] = [];
  const val = options.validation;
  const valRaw = val ? baseline.map((b) => new Float64Array(val.data.rows).fill(b)) : null;
  let best = Infinity;
  let bestIteration = 0;
  let cancelled = false;
  const order = kernel ? kernel.order : new Uint32Array(n);
  const og = kernel ? kernel.og : new Float64Array(n);
  const oh = kernel ? kernel.oh : new Float64Array(n);
  const scratch = kernel ? kernel.scratch : new Uint32Array(n);
  const pool: Float64Array[] = [];
  const prob = new Float64Array(outputs);
  for (let it = 1; it <= params.iterations; it++) {
    if (options.isCancelled?.()) {
      cancelled = true;
      break;
    }
    // Gradients and hessians of the loss at the current raw scores.
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      if (params.loss === 'squared_error') {
        grads[0][i] = wi * (raw[0][i] - y[i]);
        hess[0][i] = wi;
      } else if (params.loss === 'logistic') {
        const p = sigmoid(raw[0][i]);
        grads[0][i] = wi * (p - y[i]);
        hess[0][i] = wi * p * (1 - p);
      } else {
        let mx = -Infinity;
        for (let k = 0; k < outputs; k++) mx = Math.max(mx, raw[k][i]);
        let s = 0;
        for (let k = 0; k < outputs; k++) {
          prob[k] = Math.exp(raw[k][i] - mx);
          s += prob[k];
        }
        for (let k = 0; k < outputs; k++) {
          const p = prob[k] / s;
          grads[k][i] = wi * (p - (y[i] === k ? 1 : 0));
          hess[k][i] = wi * p * (1 - p);
        }
      }
    }
    const itGains = new Array<number>(data.columns.length).fill(0);
    const its: Tree[] = [];
    for (let k = 0; k < outputs; k++) {
      for (let i = 0; i < n; i++) order[i] = i;
      const tree = growTree({ data, params, order, grad: grads[k], hess: hess[k], constantHessian, og, oh, scratch, pool, kernel }, n, raw[k], itGains);
      its.push(tree);
      if (val && valRaw) addTreePredictions(tree, val.data.columns, valRaw[k]);
    }
    trees.push(its);
    iterationGains.push(itGains);
    const trainLoss = boostingLoss(params.loss, raw, y, w);
    const validationLoss = val && valRaw ? boostingLoss(params.loss, valRaw, val.y) : null;
    options.onIteration?.({ iteration: it, trainLoss, validationLoss, validationRaw: valRaw });
    if (validationLoss !== null) {
      if (validationLoss < best - (params.tolerance ?? 1e-7)) {
        best = validationLoss;
        bestIteration = it;
      } else if (params.patience !== undefined && it - bestIteration >= params.patience) break;
    } else bestIteration = it;
  }
  const iterationsRun = trees.length;
  const keep = params.restoreBest && val ? Math.max(bestIteration, 1) : iterationsRun;
  const kept = trees.slice(0, Math.min(keep, iterationsRun));
  for (const itGains of iterationGains.slice(0, kept.length)) itGains.forEach((v, f) => (gains[f] += v));
  return { loss: params.loss, baseline, trees: kept, iterationsRun, bestIteration: kept.length, gains, cancelled };
}

/** Raw scores (one array per output) of a fitted model on binned rows. */
export function predictBoosting(model: BoostedModel, data: BinnedData): Float64Array[] {
  const raw = model.baseline.map((b) => new Float64Array(data.rows).fill(b));
  for (const its of model.trees) its.forEach((tree, k) => addTreePredictions(tree, data.columns, raw[k]));
  return raw;
}
