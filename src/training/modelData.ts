/**
 * The rows one model sees in one split, concatenated across its plan's sources: features
 * transformed by the preprocessing fitted on the training rows, labels mapped into each head's
 * label space, sample weights (zero where a row belongs to another head), and regression targets
 * standardised with the training rows' mean and spread.
 */
import { splitPositions } from './data';
import type { ModelPlan } from './modelPlan';
import { transformRows, type FittedPreprocessing } from './preprocess';
import type { LoopData } from './trainLoop';

/** Rows of one split for a plan, concatenated across its sources. */
export interface SplitData extends LoopData {
  /** Plan source slot of each row. */
  readonly slot: Int32Array;
  /** Unscaled labels per head (class index or raw value). */
  readonly rawLabels: readonly Float64Array[];
}

export function buildSplit(plan: ModelPlan, prep: FittedPreprocessing, which: number, sampleWeight: (slot: number) => number): SplitData {
  const width = prep.outputs.length;
  const parts = plan.sources.map((s) => {
    const pos = splitPositions(s, which);
    return { s, pos, rows: Int32Array.from(pos, (k) => s.rows[k]) };
  });
  const n = parts.reduce((a, p) => a + p.pos.length, 0);
  const x = new Float32Array(n * width);
  const slot = new Int32Array(n);
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
  return { x, n, d: width, slot, rawLabels, labels: rawLabels.map((r) => Float32Array.from(r)), weights };
}

export function standardiseTargets(plan: ModelPlan, train: SplitData): ([number, number] | null)[] {
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

export function applyScale(split: SplitData, scales: readonly ([number, number] | null)[]): SplitData {
  const labels = split.rawLabels.map((r, h) => {
    const sc = scales[h];
    return sc ? Float32Array.from(r, (v) => (v - sc[0]) / sc[1]) : Float32Array.from(r);
  });
  return { ...split, labels };
}
