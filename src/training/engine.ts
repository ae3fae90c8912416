/**
 * Runs the arms of an experiment on prepared sources, one plan at a time (modelPlan.ts): each
 * model is trained and evaluated by trainModel.ts, and the arm's per-source and pooled metrics
 * are collected with the test predictions behind them (for intervals and paired tests,
 * evaluation/). An arm whose training diverges is recorded as diverged and the other arms go
 * on. Arm-against-arm comparison is compareArms.ts.
 */
import type { TF } from './backend';
import type { PreparedData } from './data';
import { poolSeparate, sourcePredictions, type SourcePredictions } from './evaluate';
import type { ResolvedExperiment } from './experiment';
import { plansFor, unionClasses, type ModelPlan } from './modelPlan';
import type { ArmName, ArmResult, Metrics, SourceResult } from '../protocol/runFolder/contract';
import { ArmDivergedError, trainModel, type EngineHooks, type TrainedModel } from './trainModel';
import { hasTextFeatures, trainTextModel } from './text/trainTextModel';

export interface EngineResult {
  readonly arms: ArmResult[];
  /** Per arm, per source: the test rows' labels and predictions, in the same row order for every arm. */
  readonly predictions: ReadonlyMap<ArmName, Record<string, SourcePredictions>>;
  readonly cancelled: boolean;
}

export interface EngineOptions {
  /** Cross-validation: the fold being trained (1-based), recorded on divergence. */
  readonly fold?: number;
}

export async function runArms(exp: ResolvedExperiment, data: PreparedData, arms: readonly ArmName[], tf: TF, hooks: EngineHooks = {}, options: EngineOptions = {}): Promise<EngineResult> {
  const results: ArmResult[] = [];
  const predictions = new Map<ArmName, Record<string, SourcePredictions>>();
  // One class space for every arm, so predictions of different arms on a source compare directly.
  const classIndex = new Map(unionClasses(data.sources).map((c, i) => [c, i]));
  for (const arm of arms) {
    const started = Date.now();
    const plans = plansFor(arm, data);
    const bySource: Record<string, SourceResult> = {};
    const preds: Record<string, SourcePredictions> = {};
    const importance: Record<string, Record<string, number>> = {};
    let epochs = 0;
    let bestEpoch = 0;
    let kind: ArmResult['model'] = exp.model.type === 'linear' ? (data.sources[0].task === 'regression' ? 'least_squares' : 'logistic') : 'mlp';
    const pooledParts: (TrainedModel & { readonly plan: ModelPlan })[] = [];
    let diverged: ArmDivergedError | undefined;
    for (const plan of plans) {
      let m: TrainedModel;
      try {
        m = hasTextFeatures(data) ? await trainTextModel(plan, exp, data, tf, hooks) : await trainModel(plan, exp, data, tf, hooks);
      } catch (e) {
        if (!(e instanceof ArmDivergedError)) throw e;
        diverged = e;
        break;
      }
      if (m.cancelled) return { arms: results, predictions, cancelled: true };
      kind = m.kind;
      if (m.importance) importance[plan.id] = m.importance;
      for (const [name, metrics] of Object.entries(m.bySource)) bySource[name] = { ...metrics, epochs: m.epochs, bestEpoch: m.bestEpoch };
      Object.assign(preds, sourcePredictions(plan, m.test, m.testPred, classIndex));
      if (m.epochs >= epochs) {
        epochs = m.epochs;
        bestEpoch = m.bestEpoch;
      }
      pooledParts.push({ ...m, plan });
    }
    const seconds = (Date.now() - started) / 1000;
    if (diverged) {
      results.push({
        arm,
        model: kind,
        bySource: {},
        pooled: null,
        diverged: { model: diverged.model, epoch: diverged.epoch, kind: diverged.kind, message: diverged.message, ...(options.fold !== undefined ? { fold: options.fold } : {}) },
        epochs: diverged.epoch,
        bestEpoch: 0,
        seconds,
      });
      continue;
    }
    const pooled: Metrics = pooledParts.length === 1 ? pooledParts[0].pooled : poolSeparate(pooledParts);
    predictions.set(arm, preds);
    results.push({ arm, model: kind, bySource, pooled, epochs, bestEpoch, seconds, ...(Object.keys(importance).length ? { featureImportance: importance } : {}) });
  }
  return { arms: results, predictions, cancelled: false };
}
