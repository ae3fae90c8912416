/**
 * Epoch row order: how the merged arm balances its sources (oversample / undersample) and how
 * the multi-head arm mixes them into batches (proportional, equal or temperature sampling).
 */
import { SPLIT_TRAIN, splitPositions, type PreparedData } from './data';
import type { ArmName } from '../protocol/runFolder/contract';
import type { ResolvedExperiment } from './experiment';
import { buildSplit, type SplitData } from './modelData';
import { plansFor, type ModelPlan } from './modelPlan';
import { fitPreprocessing } from './preprocess';
import { Rng, permutation } from '../core/random';

/** Epoch row order: balancing (merged) and batch mixing (multihead) are decided here. */
export function makeSchedule(plan: ModelPlan, exp: ResolvedExperiment, train: SplitData): (epoch: number, rng: Rng) => Int32Array {
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
