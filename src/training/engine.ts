/**
 * Runs the arms of an experiment on prepared sources: builds each model's data (preprocessing
 * fitted on its training rows only), trains it (MLP loop or closed-form / L-BFGS linear
 * model), evaluates it on the held-out test rows per source and pooled, and compares arms.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { EpochRecord } from '../protocol/training';
import type { TF } from './backend';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, splitPositions, type PreparedData, type Source } from './data';
import type { ArmName, ResolvedExperiment, Task } from './experiment';
import { fitLeastSquares, fitLogisticAsync, linearOutputs, type LinearModel } from './linear';
import { classificationMetrics, primaryScore, regressionMetrics, type Metrics } from './metrics';
import { Network, type HeadSpec } from './network';
import { fitPreprocessing, transformRows, type FittedPreprocessing } from './preprocess';
import { Rng, permutation } from './random';
import type { ArmResult, Comparison, SourceComparison, SourceResult } from './results';
import { DivergedError, predictNetwork, trainNetwork, type LoopData, type LoopProgress } from './trainLoop';

/** One head as saved with a model: what it predicts and how to read its outputs. */
export interface HeadInfo {
  readonly name: string;
  readonly task: Task;
  readonly label: string;
  /** Classification: class names in output order. */
  readonly classes: readonly string[];
  /** Datasets whose rows this head was trained on. */
  readonly sources: readonly string[];
}

/** Everything `predict` needs besides the TF.js model itself. */
export interface ModelMeta {
  readonly format: 'dataset-lab-model';
  readonly version: 1;
  readonly arm: ArmName;
  readonly id: string;
  readonly kind: 'mlp' | 'least_squares' | 'logistic';
  readonly preprocessing: FittedPreprocessing;
  readonly heads: readonly HeadInfo[];
}

export interface EngineHooks {
  onProgress?(arm: ArmName, model: string, epochs: number, p: LoopProgress): void;
  onEpoch?(record: EpochRecord): void | Promise<void>;
  isCancelled?(): boolean;
  saveModel?(meta: ModelMeta, model: tfjs.LayersModel): Promise<void>;
}

export class ArmDivergedError extends Error {
  constructor(
    readonly arm: ArmName,
    readonly model: string,
    readonly epoch: number,
    cause: DivergedError,
  ) {
    super(`${model}: ${cause.message}`);
    this.name = 'ArmDivergedError';
  }
}

interface ModelPlan {
  readonly arm: ArmName;
  readonly id: string;
  readonly sources: readonly Source[];
  readonly heads: readonly HeadInfo[];
  /** Head index per plan source. */
  readonly headOf: readonly number[];
  /** Per plan source: its class index -> head class index. */
  readonly classMap: readonly Int32Array[];
}

function unionClasses(sources: readonly Source[]): string[] {
  const all = [...new Set(sources.flatMap((s) => s.classes))];
  const numeric = all.every((n) => n.trim() !== '' && Number.isFinite(Number(n)));
  return numeric ? all.sort((a, b) => Number(a) - Number(b)) : all.sort();
}

function plansFor(arm: ArmName, data: PreparedData): ModelPlan[] {
  const identity = (s: Source) => Int32Array.from(s.classes, (_, i) => i);
  const info = (name: string, s: readonly Source[], classes: readonly string[]): HeadInfo => ({
    name,
    task: s[0].task,
    label: [...new Set(s.map((x) => x.label))].join('|'),
    classes,
    sources: s.map((x) => x.name),
  });
  if (arm === 'separate') {
    return data.sources.map((s) => ({ arm, id: `separate/${s.name}`, sources: [s], heads: [info(s.name, [s], s.classes)], headOf: [0], classMap: [identity(s)] }));
  }
  if (arm === 'merged') {
    const classes = data.sources[0].task === 'classification' ? unionClasses(data.sources) : [];
    const index = new Map(classes.map((c, i) => [c, i]));
    return [
      {
        arm,
        id: 'merged',
        sources: data.sources,
        heads: [info('merged', data.sources, classes)],
        headOf: data.sources.map(() => 0),
        classMap: data.sources.map((s) => Int32Array.from(s.classes, (c) => index.get(c) as number)),
      },
    ];
  }
  return [
    {
      arm,
      id: 'multihead',
      sources: data.sources,
      heads: data.sources.map((s) => info(s.name, [s], s.classes)),
      headOf: data.sources.map((_, i) => i),
      classMap: data.sources.map(identity),
    },
  ];
}

/** Rows of one split for a plan, concatenated across its sources. */
interface SplitData extends LoopData {
  /** Plan source slot of each row. */
  readonly slot: Int32Array;
  /** Unscaled labels per head (class index or raw value). */
  readonly rawLabels: readonly Float64Array[];
}

function buildSplit(plan: ModelPlan, prep: FittedPreprocessing, which: number, sampleWeight: (slot: number) => number): SplitData {
  const width = prep.outputs.length;
  const parts = plan.sources.map((s) => {
    const pos = splitPositions(s, which);
    return { s, pos, rows: Int32Array.from(pos, (k) => s.rows[k]) };
  });
  const n = parts.reduce((a, p) => a + p.pos.length, 0);
  const x = new Float32Array(n * width);
  const slot = new Int32Array(n);
  const heads = plan.heads.length;
  const rawLabels = plan.heads.map(() => new Float64Array(n));
  const weights = plan.heads.map(() => new Float32Array(n));
  let off = 0;
  parts.forEach((p, si) => {
    x.set(transformRows(prep, p.s.table, p.rows), off * width);
    const h = plan.headOf[si];
    const w = sampleWeight(si);
    for (let k = 0; k < p.pos.length; k++) {
      const y = p.s.y[p.pos[k]];
      slot[off + k] = si;
      rawLabels[h][off + k] = p.s.task === 'classification' ? plan.classMap[si][y] : y;
      weights[h][off + k] = w;
    }
    off += p.pos.length;
  });
  void heads;
  return { x, n, d: width, slot, rawLabels, labels: rawLabels.map((r) => Float32Array.from(r)), weights };
}

function standardiseTargets(plan: ModelPlan, train: SplitData): ([number, number] | null)[] {
  return plan.heads.map((head, h) => {
    if (head.task !== 'regression') return null;
    let n = 0;
    let mean = 0;
    for (let i = 0; i < train.n; i++) if (train.weights[h][i] > 0) {
      mean += train.rawLabels[h][i];
      n++;
    }
    mean /= Math.max(1, n);
    let ss = 0;
    for (let i = 0; i < train.n; i++) if (train.weights[h][i] > 0) ss += (train.rawLabels[h][i] - mean) ** 2;
    const std = Math.sqrt(ss / Math.max(1, n)) || 1;
    return [mean, std];
  });
}

function applyScale(split: SplitData, scales: readonly ([number, number] | null)[]): SplitData {
  const labels = split.rawLabels.map((r, h) => {
    const sc = scales[h];
    return sc ? Float32Array.from(r, (v) => (v - sc[0]) / sc[1]) : Float32Array.from(r);
  });
  return { ...split, labels };
}

/** Epoch row order: balancing (merged) and batch mixing (multihead) are decided here. */
function makeSchedule(plan: ModelPlan, exp: ResolvedExperiment, train: SplitData): (epoch: number, rng: Rng) => Int32Array {
  const bySlot: number[][] = plan.sources.map(() => []);
  for (let i = 0; i < train.n; i++) bySlot[train.slot[i]].push(i);
  const sizes = bySlot.map((r) => r.length);
  if (plan.arm === 'merged' && plan.sources.length > 1 && (exp.merged.balancing === 'oversample' || exp.merged.balancing === 'undersample')) {
    const target = exp.merged.balancing === 'oversample' ? Math.max(...sizes) : Math.min(...sizes);
    return (_e, rng) => {
      const out: number[] = [];
      for (const rows of bySlot) {
        const sh = rng.shuffle(rows.slice());
        if (target <= sh.length) out.push(...sh.slice(0, target));
        else {
          out.push(...sh);
          for (let k = sh.length; k < target; k++) out.push(sh[rng.int(sh.length)]);
        }
      }
      return rng.shuffle(Int32Array.from(out));
    };
  }
  if (plan.arm === 'multihead' && plan.sources.length > 1 && exp.multihead.mixing !== 'proportional') {
    const t = exp.multihead.mixing === 'equal' ? Infinity : exp.multihead.temperature;
    const rate = sizes.map((n) => (t === Infinity ? 1 : Math.pow(n, 1 / t)));
    const total = rate.reduce((a, b) => a + b, 0);
    const cdf: number[] = [];
    rate.reduce((acc, r, i) => (cdf[i] = acc + r / total), 0);
    const cursors = bySlot.map(() => ({ order: [] as number[], at: 0 }));
    return (_e, rng) => {
      const out = new Int32Array(train.n);
      for (let k = 0; k < train.n; k++) {
        const u = rng.next();
        let s = cdf.findIndex((c) => u < c);
        if (s < 0) s = cdf.length - 1;
        const c = cursors[s];
        if (c.at >= c.order.length) {
          c.order = rng.shuffle(bySlot[s].slice());
          c.at = 0;
        }
        out[k] = c.order[c.at++];
      }
      return out;
    };
  }
  return (_e, rng) => permutation(train.n, rng);
}

/** Predictions per row of `split`, in head label space: class index or value. */
function predictHeads(outputs: readonly Float32Array[] | Float64Array[], plan: ModelPlan, split: SplitData, scales: readonly ([number, number] | null)[]): Float64Array {
  const pred = new Float64Array(split.n);
  for (let i = 0; i < split.n; i++) {
    const h = plan.headOf[split.slot[i]];
    const head = plan.heads[h];
    const out = outputs[h];
    if (head.task === 'classification') {
      const k = head.classes.length;
      let best = 0;
      for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
      pred[i] = best;
    } else {
      const sc = scales[h];
      pred[i] = sc ? out[i] * sc[1] + sc[0] : out[i];
    }
  }
  return pred;
}

/** Metrics per source and pooled, from predictions in head label space. */
function evaluate(plan: ModelPlan, split: SplitData, pred: Float64Array): { bySource: Record<string, Metrics>; pooled: Metrics } {
  const bySource: Record<string, Metrics> = {};
  const names = unionClasses(plan.sources);
  const nameIndex = new Map(names.map((c, i) => [c, i]));
  const pooledTrue: number[] = [];
  const pooledPred: number[] = [];
  plan.sources.forEach((s, si) => {
    const h = plan.headOf[si];
    const head = plan.heads[h];
    const yt: number[] = [];
    const yp: number[] = [];
    for (let i = 0; i < split.n; i++) {
      if (split.slot[i] !== si) continue;
      yt.push(split.rawLabels[h][i]);
      yp.push(pred[i]);
    }
    if (head.task === 'classification') {
      bySource[s.name] = classificationMetrics(yt, yp, head.classes);
      for (let k = 0; k < yt.length; k++) {
        pooledTrue.push(nameIndex.get(head.classes[yt[k]]) as number);
        pooledPred.push(nameIndex.get(head.classes[yp[k]]) as number);
      }
    } else {
      bySource[s.name] = regressionMetrics(yt, yp);
      pooledTrue.push(...yt);
      pooledPred.push(...yp);
    }
  });
  const pooled = plan.sources[0].task === 'classification' ? classificationMetrics(pooledTrue, pooledPred, names) : regressionMetrics(pooledTrue, pooledPred);
  return { bySource, pooled };
}

/** Per-source validation score (accuracy or R2) for epoch records. */
function validationScores(plan: ModelPlan, split: SplitData, pred: Float64Array): EpochRecord['sources'] {
  const { bySource } = evaluate(plan, split, pred);
  const out: Record<string, { metric: 'accuracy' | 'r2'; value: number | null }> = {};
  for (const [name, m] of Object.entries(bySource)) {
    const v = primaryScore(m);
    out[name] = { metric: m.task === 'classification' ? 'accuracy' : 'r2', value: Number.isFinite(v) ? v : null };
  }
  return out;
}

interface TrainedModel {
  readonly bySource: Record<string, Metrics>;
  readonly pooled: Metrics;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly kind: ModelMeta['kind'];
  readonly cancelled: boolean;
  /** Test-split predictions in head label space, aligned with the test split (for pooling). */
  readonly test: SplitData;
  readonly testPred: Float64Array;
}

function linearLayersModel(tf: TF, lm: LinearModel, scale: [number, number] | null): tfjs.LayersModel {
  const input = tf.input({ shape: [lm.inputs], name: 'features' });
  const layer = tf.layers.dense({ units: lm.outputs, activation: lm.kind === 'logistic' ? 'softmax' : 'linear', name: 'out_0' });
  const out = layer.apply(input) as tfjs.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [out] });
  const s = scale ?? [0, 1];
  tf.tidy(() =>
    layer.setWeights([
      tf.tensor2d(Float32Array.from(lm.weights, (v) => v * s[1]), [lm.inputs, lm.outputs]),
      tf.tensor1d(Float32Array.from(lm.bias, (v) => v * s[1] + s[0])),
    ]),
  );
  return model;
}

async function trainModel(plan: ModelPlan, exp: ResolvedExperiment, data: PreparedData, tf: TF, hooks: EngineHooks): Promise<TrainedModel> {
  const trainSets = plan.sources.map((s) => ({ table: s.table, rows: Int32Array.from(splitPositions(s, SPLIT_TRAIN), (k) => s.rows[k]) }));
  const prep = fitPreprocessing(trainSets, data.features, exp.preprocessing);
  const trainCounts = trainSets.map((t) => t.rows.length);
  const totalTrain = trainCounts.reduce((a, b) => a + b, 0);
  const inverse = plan.arm === 'merged' && exp.merged.balancing === 'inverse_size';
  const trainWeight = (slot: number) => (inverse ? totalTrain / (plan.sources.length * trainCounts[slot]) : 1);
  const trainRaw = buildSplit(plan, prep, SPLIT_TRAIN, trainWeight);
  const valRaw = exp.split.validation > 0 ? buildSplit(plan, prep, SPLIT_VALIDATION, () => 1) : null;
  const testRaw = buildSplit(plan, prep, SPLIT_TEST, () => 1);
  const meta = (kind: ModelMeta['kind']): ModelMeta => ({ format: 'dataset-lab-model', version: 1, arm: plan.arm, id: plan.id, kind, preprocessing: prep, heads: plan.heads });

  if (exp.model.type === 'linear') {
    const head = plan.heads[0];
    // Resampling balancers pick the rows once; weights enter the objective directly.
    const order = makeSchedule(plan, exp, trainRaw)(1, new Rng(exp.training.seed));
    const x = new Float32Array(order.length * trainRaw.d);
    const y = new Float64Array(order.length);
    const w = new Float64Array(order.length);
    order.forEach((r, i) => {
      x.set(trainRaw.x.subarray(r * trainRaw.d, (r + 1) * trainRaw.d), i * trainRaw.d);
      y[i] = trainRaw.rawLabels[0][r];
      w[i] = trainRaw.weights[0][r];
    });
    const weighted = inverse ? w : undefined;
    const lm =
      head.task === 'regression'
        ? fitLeastSquares(x, y, order.length, trainRaw.d, exp.model.l2, weighted)
        : await fitLogisticAsync(x, y, order.length, trainRaw.d, head.classes.length, { l2: exp.model.l2, weights: weighted, isCancelled: hooks.isCancelled });
    if (!lm) return { ...evaluate(plan, testRaw, new Float64Array(testRaw.n)), epochs: 0, bestEpoch: 0, kind: 'logistic', cancelled: true, test: testRaw, testPred: new Float64Array(testRaw.n) };
    const out = linearOutputs(lm, testRaw.x, testRaw.n);
    const pred = predictHeads([out], plan, testRaw, [null]);
    const ev = evaluate(plan, testRaw, pred);
    if (hooks.saveModel) {
      const model = linearLayersModel(tf, lm, null);
      await hooks.saveModel(meta(lm.kind), model);
      model.dispose();
    }
    const rec: EpochRecord = {
      arm: plan.arm,
      model: plan.id,
      epoch: 1,
      trainLoss: null,
      valLoss: null,
      heads: {},
      sources: valRaw ? validationScores(plan, valRaw, predictHeads([linearOutputs(lm, valRaw.x, valRaw.n)], plan, valRaw, [null])) : {},
      seconds: 0,
      samplesPerSecond: 0,
    };
    await hooks.onEpoch?.(rec);
    return { ...ev, epochs: 1, bestEpoch: 1, kind: lm.kind, cancelled: false, test: testRaw, testPred: pred };
  }

  const scales = standardiseTargets(plan, trainRaw);
  const train = applyScale(trainRaw, scales);
  const val = valRaw ? applyScale(valRaw, scales) : null;
  const heads: HeadSpec[] = plan.heads.map((h) => ({ name: h.name, task: h.task, units: h.task === 'classification' ? h.classes.length : 1 }));
  const network = new Network(tf, { inputs: train.d, trunk: exp.model.hidden, headHidden: exp.model.headHidden, heads, activation: exp.model.activation, dropout: exp.model.dropout }, exp.training.seed);
  const staticWeights = plan.heads.map((h) => (plan.arm === 'multihead' ? (exp.multihead.weights[h.name] ?? 1) : 1));
  try {
    let result;
    try {
      result = await trainNetwork({
        network,
        train,
        validation: val,
        training: exp.training,
        l2: exp.model.l2,
        weighting: plan.arm === 'multihead' ? exp.multihead.weighting : 'static',
        staticWeights,
        dwaTemperature: exp.multihead.dwaTemperature,
        schedule: makeSchedule(plan, exp, train),
        hooks: {
          isCancelled: hooks.isCancelled,
          onProgress: (p) => hooks.onProgress?.(plan.arm, plan.id, exp.training.epochs, p),
          onEpoch: async (e) => {
            const headsRec: Record<string, { trainLoss: number; valLoss: number | null; weight: number }> = {};
            plan.heads.forEach((h, k) => {
              headsRec[h.name] = { trainLoss: e.headTrainLoss[k], valLoss: e.headValLoss[k], weight: e.headWeight[k] };
            });
            const sources = val ? validationScores(plan, val, predictHeads(predictNetwork(network, val.x, val.n), plan, val, scales)) : {};
            await hooks.onEpoch?.({ arm: plan.arm, model: plan.id, epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, heads: headsRec, sources, seconds: e.seconds, samplesPerSecond: e.samplesPerSecond });
          },
        },
      });
    } catch (e) {
      if (e instanceof DivergedError) throw new ArmDivergedError(plan.arm, plan.id, e.epoch, e);
      throw e;
    }
    const pred = predictHeads(predictNetwork(network, testRaw.x, testRaw.n), plan, testRaw, scales);
    const ev = evaluate(plan, testRaw, pred);
    if (hooks.saveModel && !result.cancelled) {
      const model = network.toLayersModel(scales);
      await hooks.saveModel(meta('mlp'), model);
      model.dispose();
    }
    return { ...ev, epochs: result.epochs, bestEpoch: result.bestEpoch, kind: 'mlp', cancelled: result.cancelled, test: testRaw, testPred: pred };
  } finally {
    network.dispose();
  }
}

export interface EngineResult {
  readonly arms: ArmResult[];
  readonly cancelled: boolean;
}

export async function runArms(exp: ResolvedExperiment, data: PreparedData, arms: readonly ArmName[], tf: TF, hooks: EngineHooks = {}): Promise<EngineResult> {
  const results: ArmResult[] = [];
  for (const arm of arms) {
    const started = Date.now();
    const plans = plansFor(arm, data);
    const bySource: Record<string, SourceResult> = {};
    let epochs = 0;
    let bestEpoch = 0;
    let kind: ArmResult['model'] = 'mlp';
    const pooledParts: { plan: ModelPlan; m: TrainedModel }[] = [];
    for (const plan of plans) {
      const m = await trainModel(plan, exp, data, tf, hooks);
      if (m.cancelled) return { arms: results, cancelled: true };
      kind = m.kind;
      for (const [name, metrics] of Object.entries(m.bySource)) bySource[name] = { ...metrics, epochs: m.epochs, bestEpoch: m.bestEpoch };
      if (m.epochs >= epochs) {
        epochs = m.epochs;
        bestEpoch = m.bestEpoch;
      }
      pooledParts.push({ plan, m });
    }
    let pooled: Metrics;
    if (pooledParts.length === 1) pooled = pooledParts[0].m.pooled;
    else pooled = poolSeparate(pooledParts);
    results.push({ arm, model: kind, bySource, pooled, epochs, bestEpoch, seconds: (Date.now() - started) / 1000 });
  }
  return { arms: results, cancelled: false };
}

/** Pooled metrics of the separate arm: every model's test predictions together. */
function poolSeparate(parts: readonly { plan: ModelPlan; m: TrainedModel }[]): Metrics {
  const task = parts[0].plan.heads[0].task;
  if (task === 'regression') {
    const yt: number[] = [];
    const yp: number[] = [];
    for (const { m } of parts) {
      yt.push(...m.test.rawLabels[0]);
      yp.push(...m.testPred);
    }
    return regressionMetrics(yt, yp);
  }
  const names = unionClasses(parts.flatMap((p) => p.plan.sources));
  const index = new Map(names.map((c, i) => [c, i]));
  const yt: number[] = [];
  const yp: number[] = [];
  for (const { plan, m } of parts) {
    const classes = plan.heads[0].classes;
    m.test.rawLabels[0].forEach((v, i) => {
      yt.push(index.get(classes[v]) as number);
      yp.push(index.get(classes[m.testPred[i]]) as number);
    });
  }
  return classificationMetrics(yt, yp, names);
}

/** Each source's gain of merged and multihead over separate, and delta_m per arm. */
export function compareArms(arms: readonly ArmResult[], sources: readonly string[]): Comparison {
  const byArm = new Map(arms.map((a) => [a.arm, a]));
  const score = (arm: ArmName, s: string): number | null => {
    const m = byArm.get(arm)?.bySource[s];
    if (!m) return null;
    const v = primaryScore(m);
    return Number.isFinite(v) ? v : null;
  };
  const bySource: Record<string, SourceComparison> = {};
  const rel: { merged: number[]; multihead: number[] } = { merged: [], multihead: [] };
  for (const s of sources) {
    const sep = score('separate', s);
    const mer = score('merged', s);
    const mh = score('multihead', s);
    const anyMetrics = arms.map((a) => a.bySource[s]).find(Boolean);
    const gain = (v: number | null) => (v !== null && sep !== null ? v - sep : null);
    if (sep !== null && sep !== 0) {
      if (mer !== null) rel.merged.push((mer - sep) / Math.abs(sep));
      if (mh !== null) rel.multihead.push((mh - sep) / Math.abs(sep));
    }
    const cands: [ArmName, number | null][] = [['separate', sep], ['merged', mer], ['multihead', mh]];
    let best: ArmName | null = null;
    let bestV = -Infinity;
    for (const [a, v] of cands) if (v !== null && v > bestV) {
      best = a;
      bestV = v;
    }
    bySource[s] = { metric: anyMetrics?.task === 'regression' ? 'r2' : 'accuracy', separate: sep, merged: mer, multihead: mh, gain: { merged: gain(mer), multihead: gain(mh) }, best };
  }
  const mean = (a: number[]) => (a.length === sources.length && a.length > 0 ? a.reduce((x, y) => x + y, 0) / a.length : null);
  return { bySource, deltaM: { merged: mean(rel.merged), multihead: mean(rel.multihead) } };
}

/**
 * The dataset of each row an arm's first model sees in one epoch, in order: what batch mixing
 * (multihead) and balancing (merged) produce. For tests and diagnostics.
 */
export function epochSources(exp: ResolvedExperiment, data: PreparedData, arm: ArmName, epoch = 1, seed = 1): string[] {
  const plan = plansFor(arm, data)[0];
  const trainSets = plan.sources.map((s) => ({ table: s.table, rows: Int32Array.from(splitPositions(s, SPLIT_TRAIN), (k) => s.rows[k]) }));
  const prep = fitPreprocessing(trainSets, data.features, exp.preprocessing);
  const train = buildSplit(plan, prep, SPLIT_TRAIN, () => 1);
  const order = makeSchedule(plan, exp, train)(epoch, new Rng(seed));
  return Array.from(order, (r) => plan.sources[train.slot[r]].name);
}
