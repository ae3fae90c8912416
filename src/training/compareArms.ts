/** Each source's gain of the merged and multi-head arms over its separate baseline, and delta_m. */
import { primaryScore } from './metrics';
import type { ArmName, ArmResult, Comparison, SourceComparison } from '../protocol/runFolder/contract';

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
