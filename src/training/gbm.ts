/**
 * `model.type: "gbm"`: histogram gradient-boosted trees (src/core/trees, the learner the domain
 * classifier uses too) for one plan of an arm. Features are binned on the plan's training rows
 * (numeric: quantile bins; categorical: one bin per category, natively, no one-hot; missing
 * values: their own bin), then one boosted model per head: squared error for regression,
 * logistic for two classes, softmax for more. Early stopping watches the validation split's
 * loss (`training.earlyStopping`). The multi-head arm trains one model per head on the same
 * bins: trees share no trunk, so "multi-head" means shared binning and one run (docs/training.md).
 * Saved as `trees.json` beside `preprocessing.json`; predict.ts scores new rows with it.
 */
import { categoryAt, columnByName, isStringColumn, type Column, type DataTable } from '../core/table';
import { binCategorical, binNumeric, categoricalCategories, numericThresholds, type FeatureBinning } from '../core/trees/binning';
import { fitBoosting, predictBoosting, type BinnedData, type BoostedModel, type BoostingLoss, type BoostingParams } from '../core/trees/histogramBoosting';
import type { EpochRecord } from '../protocol/runFolder/contract';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, splitPositions, type FeatureInfo, type PreparedData } from './data';
import { evaluate, validationScores } from './evaluate';
import type { ResolvedExperiment } from './experiment';
import type { SplitData } from './modelData';
import type { ModelMeta, ModelPlan } from './modelPlan';
import { fitPreprocessing } from './preprocess';
import type { LoopProgress } from './trainLoop';
import type { ArmName, Metrics } from '../protocol/runFolder/contract';

/** Bin thresholds are taken from at most this many training values per feature (scikit-learn's subsample). */
const BIN_SUBSAMPLE = 200_000;

/** One head's boosted model as saved. */
export interface SavedTreeHead {
  readonly name: string;
  readonly loss: BoostingLoss;
  readonly model: BoostedModel;
}

/** `trees.json` of a gbm model folder. */
export interface SavedTreeModel {
  readonly format: 'dataset-lab-trees';
  readonly version: 1;
  readonly features: readonly { readonly name: string; readonly binning: FeatureBinning }[];
  readonly heads: readonly SavedTreeHead[];
}

export const TREES_FILE = 'trees.json';

/** What trainModel.ts's EngineHooks give a gbm fit (declared here so this file does not import trainModel.ts). */
export interface GbmHooks {
  onProgress?(arm: ArmName, model: string, epochs: number, p: LoopProgress): void;
  onEpoch?(record: EpochRecord): void | Promise<void>;
  isCancelled?(): boolean;
  saveTrees?(meta: ModelMeta, trees: SavedTreeModel): Promise<void>;
}

/** A fitted gbm plan, in the shape of trainModel.ts's TrainedModel. */
export interface GbmResult {
  readonly bySource: Record<string, Metrics>;
  readonly pooled: Metrics;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly kind: 'gbm';
  readonly cancelled: boolean;
  readonly test: SplitData;
  readonly testPred: Float64Array;
  readonly importance: Record<string, number>;
}

function cellText(col: Column, r: number): string | undefined {
  if (isStringColumn(col)) return categoryAt(col, r);
  return Number.isNaN(col.values[r]) ? undefined : String(col.values[r]);
}

function featureColumn(table: DataTable, name: string): Column {
  const col = columnByName(table, name);
  if (!col) throw new Error(`feature column "${name}" not found in ${table.path}`);
  return col;
}

/** Binnings fitted on the training rows of every set (numeric thresholds, or the categories). */
export function fitBinnings(train: readonly { table: DataTable; rows: Int32Array }[], features: readonly FeatureInfo[], maxBins: number): FeatureBinning[] {
  return features.map((f) => {
    // Dates are split on their instants (milliseconds since the epoch): trees need no derived inputs.
    if (f.type === 'numeric' || f.type === 'datetime') {
      const total = train.reduce((a, s) => a + s.rows.length, 0);
      const values = new Float64Array(total);
      let k = 0;
      for (const s of train) {
        const col = featureColumn(s.table, f.name);
        if (col.type !== 'numeric' && col.type !== 'datetime') throw new Error(`feature "${f.name}" is not numeric in dataset "${s.table.name}"`);
        for (const r of s.rows) values[k++] = col.values[r];
      }
      return { kind: 'numeric', thresholds: numericThresholds(values, undefined, maxBins, BIN_SUBSAMPLE) };
    }
    const counts = new Map<string, number>();
    for (const s of train) {
      const col = featureColumn(s.table, f.name);
      for (const r of s.rows) {
        const c = cellText(col, r);
        if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
    return { kind: 'categorical', categories: categoricalCategories(counts, maxBins) };
  });
}

/** The binned columns of the given rows of several tables, concatenated in order. */
export function binRows(sets: readonly { table: DataTable; rows: Int32Array }[], features: readonly { name: string }[], binnings: readonly FeatureBinning[]): BinnedData {
  const n = sets.reduce((a, s) => a + s.rows.length, 0);
  const columns = binnings.map((b, j) => {
    const out = new Uint8Array(n);
    let off = 0;
    for (const s of sets) {
      const col = featureColumn(s.table, features[j].name);
      if (b.kind === 'numeric') {
        // A column of only empty cells (no kind in particular) is all missing: the missing bin.
        const allMissing = col.type !== 'numeric' && col.type !== 'datetime' && s.table.rows > 0 && col.missing === s.table.rows;
        if (col.type !== 'numeric' && col.type !== 'datetime' && !allMissing) throw new Error(`feature column "${features[j].name}" in ${s.table.path} must be numeric`);
        out.set(binNumeric(col.type === 'numeric' || col.type === 'datetime' ? col.values : new Float64Array(s.table.rows).fill(NaN), b.thresholds, s.rows), off);
      } else {
        out.set(binCategorical(Array.from(s.rows, (r) => cellText(col, r)), b.categories), off);
      }
      off += s.rows.length;
    }
    return out;
  });
  return { columns, categorical: binnings.map((b) => b.kind === 'categorical'), rows: n };
}

/** Head outputs in the layout of a network's: per row, class probabilities (classification) or the value. */
export function headOutputs(loss: BoostingLoss, raw: readonly Float64Array[], classes: number): Float64Array {
  const n = raw[0].length;
  if (loss === 'squared_error') return Float64Array.from(raw[0]);
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    if (loss === 'logistic') {
      const p = 1 / (1 + Math.exp(-raw[0][i]));
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
    } else {
      let mx = -Infinity;
      for (let k = 0; k < classes; k++) mx = Math.max(mx, raw[k][i]);
      let s = 0;
      for (let k = 0; k < classes; k++) s += Math.exp(raw[k][i] - mx);
      for (let k = 0; k < classes; k++) out[i * classes + k] = Math.exp(raw[k][i] - mx) / s;
    }
  }
  return out;
}

/** Predicted class index (or value) per row from raw scores. */
function decide(loss: BoostingLoss, raw: readonly Float64Array[], i: number): number {
  if (loss === 'squared_error') return raw[0][i];
  if (loss === 'logistic') return raw[0][i] > 0 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < raw.length; k++) if (raw[k][i] > raw[best][i]) best = k;
  return best;
}

/** The rows of one split of a plan, in buildSplit's order (sources in plan order, rows in split order). */
interface PlanRows {
  readonly sets: { table: DataTable; rows: Int32Array }[];
  readonly slot: Int32Array;
  /** Per head, the label of each row in head label space (0 where the row belongs to another head). */
  readonly labels: Float64Array[];
}

function planRows(plan: ModelPlan, which: number): PlanRows {
  const parts = plan.sources.map((s) => {
    const pos = splitPositions(s, which);
    return { s, pos, rows: Int32Array.from(pos, (k) => s.rows[k]) };
  });
  const n = parts.reduce((a, p) => a + p.pos.length, 0);
  const slot = new Int32Array(n);
  const labels = plan.heads.map(() => new Float64Array(n));
  let off = 0;
  parts.forEach((p, si) => {
    const h = plan.headOf[si];
    for (let k = 0; k < p.pos.length; k++) {
      const y = p.s.y[p.pos[k]];
      slot[off + k] = si;
      labels[h][off + k] = p.s.task === 'classification' ? plan.classMap[si][y] : y;
    }
    off += p.pos.length;
  });
  return { sets: parts.map((p) => ({ table: p.s.table, rows: p.rows })), slot, labels };
}

/** What evaluate() reads of a split: rows' plan slots and labels (the network's inputs are not built for trees). */
function asSplitData(rows: PlanRows): SplitData {
  return { x: new Float32Array(0), n: rows.slot.length, d: 0, slot: rows.slot, rawLabels: rows.labels, labels: [], weights: [] };
}

function subset(data: BinnedData, keep: Int32Array): BinnedData {
  return { columns: data.columns.map((c) => Uint8Array.from(keep, (i) => c[i])), categorical: data.categorical, rows: keep.length };
}

function rowsOfHead(plan: ModelPlan, slot: Int32Array, h: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < slot.length; i++) if (plan.headOf[slot[i]] === h) out.push(i);
  return Int32Array.from(out);
}

export function lossFor(task: 'classification' | 'regression', classes: number): BoostingLoss {
  if (task === 'regression') return 'squared_error';
  return classes <= 2 ? 'logistic' : 'softmax';
}

export async function trainGbm(plan: ModelPlan, exp: ResolvedExperiment, data: PreparedData, hooks: GbmHooks): Promise<GbmResult> {
  const started = performance.now();
  const spec = exp.model.trees;
  const train = planRows(plan, SPLIT_TRAIN);
  const val = planRows(plan, SPLIT_VALIDATION);
  const test = planRows(plan, SPLIT_TEST);
  const binnings = fitBinnings(train.sets, data.features, spec.maxBins);
  const trainBins = binRows(train.sets, data.features, binnings);
  const valBins = val.slot.length > 0 ? binRows(val.sets, data.features, binnings) : null;
  const testBins = binRows(test.sets, data.features, binnings);
  const inverse = plan.arm === 'merged' && exp.merged.balancing !== 'none';
  const slotCounts = plan.sources.map((_, si) => train.slot.filter((s) => s === si).length);
  const heads: SavedTreeHead[] = [];
  const histories: { trainLoss: number; valLoss: number | null }[][] = [];
  const valPred = new Float64Array(val.slot.length);
  const valRawByIteration: Float64Array[][] = [];
  const testPred = new Float64Array(test.slot.length);
  let cancelled = false;
  for (const [h, head] of plan.heads.entries()) {
    const classes = head.task === 'classification' ? head.classes.length : 1;
    const loss = lossFor(head.task, classes);
    const trainRows = rowsOfHead(plan, train.slot, h);
    const y = Float64Array.from(trainRows, (i) => train.labels[h][i]);
    // Balancing of the merged arm: every balancing weighs each dataset's rows by total / (datasets x its rows) (trees take weights, not resampling).
    const weights = inverse ? Float64Array.from(trainRows, (i) => trainRows.length / (plan.sources.length * slotCounts[train.slot[i]])) : undefined;
    const valRows = valBins ? rowsOfHead(plan, val.slot, h) : new Int32Array(0);
    const params: BoostingParams = {
      loss,
      classes,
      iterations: spec.iterations,
      learningRate: spec.learningRate,
      maxLeafNodes: spec.maxLeafNodes,
      maxDepth: spec.maxDepth ?? Infinity,
      minSamplesLeaf: spec.minSamplesLeaf,
      l2: spec.l2,
      patience: exp.training.earlyStopping.patience,
      restoreBest: exp.training.earlyStopping.restoreBestWeights,
    };
    const history: { trainLoss: number; valLoss: number | null }[] = [];
    const model = fitBoosting(trainRows.length === trainBins.rows ? trainBins : subset(trainBins, trainRows), y, params, {
      ...(weights ? { weights } : {}),
      ...(valBins && valRows.length > 0 ? { validation: { data: subset(valBins, valRows), y: Float64Array.from(valRows, (i) => val.labels[h][i]) } } : {}),
      isCancelled: hooks.isCancelled,
      onIteration: (p) => {
        history.push({ trainLoss: p.trainLoss, valLoss: p.validationLoss });
        if (p.validationRaw) {
          const byIt = (valRawByIteration[p.iteration - 1] ??= [new Float64Array(val.slot.length)]);
          valRows.forEach((i, k) => (byIt[0][i] = decide(loss, p.validationRaw as Float64Array[], k)));
        }
        hooks.onProgress?.(plan.arm, plan.id, spec.iterations, { epoch: p.iteration, batch: 1, batches: 1, loss: p.trainLoss, samplesPerSecond: (trainRows.length * p.iteration * 1000) / Math.max(1e-3, performance.now() - started) });
      },
    });
    if (model.cancelled) cancelled = true;
    heads.push({ name: head.name, loss, model: { loss: model.loss, baseline: model.baseline, trees: model.trees, iterationsRun: model.iterationsRun, bestIteration: model.bestIteration, gains: model.gains } });
    histories.push(history);
    const testRows = rowsOfHead(plan, test.slot, h);
    const raw = predictBoosting(model, subset(testBins, testRows));
    testRows.forEach((i, k) => (testPred[i] = decide(loss, raw, k)));
    if (cancelled) break;
  }
  // Epoch records: one per boosting iteration, every head's losses and validation scores at that iteration.
  const iterations = Math.max(0, ...histories.map((x) => x.length));
  for (let it = 0; it < iterations && !cancelled; it++) {
    const headsRec: EpochRecord['heads'] = {};
    plan.heads.forEach((head, h) => {
      const rec = histories[h][Math.min(it, histories[h].length - 1)];
      if (rec) headsRec[head.name] = { trainLoss: rec.trainLoss, valLoss: rec.valLoss, weight: 1 };
    });
    const byIt = valRawByIteration[it];
    if (byIt) for (let i = 0; i < valPred.length; i++) valPred[i] = byIt[0][i];
    const sources = byIt && valBins ? validationScores(plan, asSplitData(val), valPred) : {};
    const losses = Object.values(headsRec);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const valLosses = losses.map((l) => l.valLoss).filter((v): v is number => v !== null);
    await hooks.onEpoch?.({
      arm: plan.arm,
      model: plan.id,
      epoch: it + 1,
      trainLoss: mean(losses.map((l) => l.trainLoss)),
      valLoss: valLosses.length ? mean(valLosses) : null,
      heads: headsRec,
      sources,
      seconds: (performance.now() - started) / 1000 / Math.max(1, iterations),
      samplesPerSecond: 0,
    });
  }
  const testSplit = asSplitData(test);
  const ev = evaluate(plan, testSplit, testPred);
  const bestEpoch = Math.max(...heads.map((x) => x.model.bestIteration));
  const epochs = Math.max(...heads.map((x) => x.model.iterationsRun));
  // Gain shares per feature over every head's kept trees.
  const gains = data.features.map((_, j) => heads.reduce((a, x) => a + x.model.gains[j], 0));
  const total = gains.reduce((a, b) => a + b, 0);
  const importance = Object.fromEntries(data.features.map((f, j) => [f.name, total > 0 ? gains[j] / total : 0]));
  if (hooks.saveTrees && !cancelled) {
    const prep = fitPreprocessing(train.sets, data.features, exp.preprocessing);
    const meta: ModelMeta = { format: 'dataset-lab-model', version: 1, arm: plan.arm, id: plan.id, kind: 'gbm', preprocessing: prep, heads: plan.heads };
    const saved: SavedTreeModel = { format: 'dataset-lab-trees', version: 1, features: data.features.map((f, j) => ({ name: f.name, binning: binnings[j] })), heads };
    await hooks.saveTrees(meta, saved);
  }
  return { ...ev, epochs, bestEpoch, kind: 'gbm', cancelled, test: testSplit, testPred, importance };
}

/** Per head of a saved tree model, its outputs on every row of `table` (network layout: probabilities or values). */
export function predictTrees(saved: SavedTreeModel, table: DataTable, classesOf: (head: number) => number): Float64Array[] {
  const rows = Int32Array.from({ length: table.rows }, (_, i) => i);
  const bins = binRows([{ table, rows }], saved.features, saved.features.map((f) => f.binning));
  return saved.heads.map((head, h) => headOutputs(head.loss, predictBoosting(head.model, bins), classesOf(h)));
}
