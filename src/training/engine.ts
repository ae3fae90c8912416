/**
 * Runs the arms of an experiment on prepared sources, one plan at a time (modelPlan.ts): each
 * model is trained and evaluated by trainModel.ts, and the arm's per-source and pooled metrics
 * are collected. Arm-against-baseline comparison is compareArms.ts.
 */
import type { TF } from './backend';
import type { PreparedData } from './data';
import { poolSeparate } from './evaluate';
import type { ResolvedExperiment } from './experiment';
import { plansFor, type ModelPlan } from './modelPlan';
import type { ArmName, ArmResult, Metrics, SourceResult } from '../protocol/runFolder/contract';
import { trainModel, type EngineHooks, type TrainedModel } from './trainModel';

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
    const importance: Record<string, Record<string, number>> = {};
    let epochs = 0;
    let bestEpoch = 0;
    let kind: ArmResult['model'] = 'mlp';
    const pooledParts: (TrainedModel & { readonly plan: ModelPlan })[] = [];
    for (const plan of plans) {
      const m = await trainModel(plan, exp, data, tf, hooks);
      if (m.cancelled) return { arms: results, cancelled: true };
      kind = m.kind;
      if (m.importance) importance[plan.id] = m.importance;
      for (const [name, metrics] of Object.entries(m.bySource)) bySource[name] = { ...metrics, epochs: m.epochs, bestEpoch: m.bestEpoch };
      if (m.epochs >= epochs) {
        epochs = m.epochs;
        bestEpoch = m.bestEpoch;
      }
      pooledParts.push({ ...m, plan });
    }
    const pooled: Metrics = pooledParts.length === 1 ? pooledParts[0].pooled : poolSeparate(pooledParts);
    results.push({ arm, model: kind, bySource, pooled, epochs, bestEpoch, seconds: (Date.now() - started) / 1000, ...(Object.keys(importance).length ? { featureImportance: importance } : {}) });
  }
  return { arms: results, cancelled: false };
}
