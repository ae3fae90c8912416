/**
 * Trains one model of a plan: preprocessing fitted on its training rows only, then either the
 * MLP through the training loop (trainLoop.ts) or the closed-form / L-BFGS linear model, then
 * its test predictions and metrics, and its saved form.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { ArmName, EpochRecord, Metrics } from '../protocol/runFolder/contract';
import type { TF } from './backend';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, splitPositions, type PreparedData } from './data';
import type { ResolvedExperiment } from './experiment';
import { evaluate, predictHeads, validationScores } from './evaluate';
import { fitLeastSquares, fitLogisticAsync, linearOutputs, type LinearModel } from './linear';
import { applyScale, buildSplit, standardiseTargets, type SplitData } from './modelData';
import type { ModelFile, ModelMeta, ModelPlan } from './modelPlan';
import type { TextRunContext } from './text/textContext';
import { Network, type HeadSpec, type NetworkSpec } from './network';
import { fitPreprocessing } from './preprocess';
import { trainGbm, type SavedTreeModel } from './gbm';
import { Rng } from '../core/random';
import { makeSchedule } from './schedule';
import { DIVERGENCE, DivergedError, predictNetwork, trainNetwork, type LoopProgress } from './trainLoop';

/** What the engine is told while a model trains, and how it saves the model. */
export interface EngineHooks {
  onProgress?(arm: ArmName, model: string, epochs: number, p: LoopProgress): void;
  onEpoch?(record: EpochRecord): void | Promise<void>;
  isCancelled?(): boolean;
  /** Saves a network model; `files` go beside it (text models' encoders, text/textModelStore.ts). */
  saveModel?(meta: ModelMeta, model: tfjs.LayersModel, files?: readonly ModelFile[]): Promise<void>;
  /** Trust, model downloads, the model cache and embedding progress for text models (text/textContext.ts). */
  text?: TextRunContext;
  /** Saves a gbm model (gbm.ts): its metadata and its trees. */
  saveTrees?(meta: ModelMeta, trees: SavedTreeModel): Promise<void>;
}

export class ArmDivergedError extends Error {
  readonly kind: DivergedError['kind'];
  constructor(
    readonly arm: ArmName,
    readonly model: string,
    readonly epoch: number,
    cause: DivergedError,
  ) {
    super(`${model}: ${cause.message}`);
    this.name = 'ArmDivergedError';
    this.kind = cause.kind;
  }
}

export interface TrainedModel {
  readonly bySource: Record<string, Metrics>;
  readonly pooled: Metrics;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly kind: ModelMeta['kind'];
  readonly cancelled: boolean;
  /** Test-split predictions in head label space, aligned with the test split (for pooling). */
  readonly test: SplitData;
  readonly testPred: Float64Array;
  /** gbm: share of the split gain per feature. */
  readonly importance?: Record<string, number>;
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

export async function trainModel(plan: ModelPlan, exp: ResolvedExperiment, data: PreparedData, tf: TF, hooks: EngineHooks): Promise<TrainedModel> {
  if (exp.model.type === 'gbm') return trainGbm(plan, exp, data, hooks);
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

  return trainNetworkModel(plan, exp, { train: trainRaw, validation: valRaw, test: testRaw }, tf, hooks, {
    save: async (network, scales) => {
      const model = network.toLayersModel(scales);
      try {
        await hooks.saveModel?.(meta('mlp'), model);
      } finally {
        model.dispose();
      }
    },
  });
}

/** How trainNetworkModel builds, trains and saves a network other than the plain MLP (text/trainTextModel.ts). */
export interface NetworkFit {
  /** The network for the spec (default: the plain MLP). */
  readonly network?: (spec: NetworkSpec) => Network;
  /** 'tfjs' when the network has a front end the fused step does not know. */
  readonly stepper?: 'auto' | 'tfjs';
  /** After each finished epoch (text: the layers encoders' freeze schedule). */
  readonly afterEpoch?: (epoch: number) => void;
  /** Saves the trained network; its LayersModel, when it makes one, is disposed afterwards. */
  readonly save: (network: Network, scales: readonly ([number, number] | null)[]) => Promise<void>;
}

/** The network branch of trainModel: train through trainLoop.ts, evaluate on the test rows, save. */
export async function trainNetworkModel(plan: ModelPlan, exp: ResolvedExperiment, raw: { train: SplitData; validation: SplitData | null; test: SplitData }, tf: TF, hooks: EngineHooks, fit: NetworkFit): Promise<TrainedModel> {
  const testRaw = raw.test;
  const scales = standardiseTargets(plan, raw.train);
  const train = applyScale(raw.train, scales);
  const val = raw.validation ? applyScale(raw.validation, scales) : null;
  const heads: HeadSpec[] = plan.heads.map((h) => ({ name: h.name, task: h.task, units: h.task === 'classification' ? h.classes.length : 1 }));
  const spec: NetworkSpec = { inputs: train.d, trunk: exp.model.hidden, headHidden: exp.model.headHidden, heads, activation: exp.model.activation, dropout: exp.model.dropout };
  const network = fit.network ? fit.network(spec) : new Network(tf, spec, exp.training.seed);
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
        ...(fit.stepper ? { stepper: fit.stepper } : {}),
        hooks: {
          isCancelled: hooks.isCancelled,
          onProgress: (p) => hooks.onProgress?.(plan.arm, plan.id, exp.training.epochs, p),
          onEpoch: async (e) => {
            const headsRec: Record<string, { trainLoss: number; valLoss: number | null; weight: number }> = {};
            plan.heads.forEach((h, k) => {
              headsRec[h.name] = { trainLoss: e.headTrainLoss[k], valLoss: e.headValLoss[k], weight: e.headWeight[k] };
            });
            const sources = val ? validationScores(plan, val, predictHeads(predictNetwork(network, val.x, val.n), plan, val, scales)) : {};
            for (const [name, v] of Object.entries(sources)) {
              if (v.metric === 'r2' && v.value !== null && v.value < DIVERGENCE.minR2) throw DivergedError.r2(e.epoch, name, v.value, 'validation');
            }
            await hooks.onEpoch?.({ arm: plan.arm, model: plan.id, epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, heads: headsRec, sources, seconds: e.seconds, samplesPerSecond: e.samplesPerSecond });
            fit.afterEpoch?.(e.epoch);
          },
        },
      });
    } catch (e) {
      if (e instanceof DivergedError) throw new ArmDivergedError(plan.arm, plan.id, e.epoch, e);
      throw e;
    }
    const pred = predictHeads(predictNetwork(network, testRaw.x, testRaw.n), plan, testRaw, scales);
    const ev = evaluate(plan, testRaw, pred);
    if (!val && !result.cancelled) {
      // Without validation rows nothing looked at the model's scores while it trained.
      for (const [name, m] of Object.entries(ev.bySource)) {
        if (m.task === 'regression' && m.r2 < DIVERGENCE.minR2) throw new ArmDivergedError(plan.arm, plan.id, result.epochs, DivergedError.r2(result.epochs, name, m.r2, 'test'));
      }
    }
    if (hooks.saveModel && !result.cancelled) await fit.save(network, scales);
    return { ...ev, epochs: result.epochs, bestEpoch: result.bestEpoch, kind: 'mlp', cancelled: result.cancelled, test: testRaw, testPred: pred };
  } finally {
    network.dispose();
  }
}
