/**
 * Each source's gain of the merged and multi-head arms over its separate baseline, delta_m, and
 * what the evidence (evaluation/holdout.ts or evaluation/crossValidation.ts) says about them:
 * every pair of scored arms is tested on the same rows or folds, the p-values of the whole run
 * (all datasets, all pairs) are adjusted with Holm's method, and a difference counts only when
 * its adjusted p-value is below alpha. `best` names an arm only when it is significantly better
 * than every other scored arm; otherwise the arms not significantly below the top score are tied.
 * Diverged arms have no score and take no part.
 */
import { holmAdjust } from '../core/stats/pairedTests';
import { primaryScore } from './metrics';
import type { ArmName, ArmPairTest, ArmResult, Comparison, Interval, SourceComparison } from '../protocol/runFolder/contract';
import { ARM_ORDER, pairKey, type Evidence } from './evaluation/evidence';

const OTHER_ARMS = ['merged', 'multihead'] as const;

export function compareArms(arms: readonly ArmResult[], sources: readonly string[], evidence?: Evidence): Comparison {
  const byArm = new Map(arms.filter((a) => !a.diverged).map((a) => [a.arm, a]));
  const score = (arm: ArmName, s: string): number | null => {
    const m = byArm.get(arm)?.bySource[s];
    if (!m) return null;
    const v = primaryScore(m);
    return Number.isFinite(v) ? v : null;
  };
  const alpha = evidence?.info.alpha ?? 0.05;

  // Every test of the run, in one family for Holm's adjustment.
  const tests: { source: string; a: ArmName; b: ArmName; test: Omit<ArmPairTest, 'pAdjusted' | 'significant'> }[] = [];
  for (const s of sources) {
    const scored = ARM_ORDER.filter((a) => score(a, s) !== null);
    for (let i = 0; i < scored.length; i++) {
      for (let j = i + 1; j < scored.length; j++) {
        const e = evidence?.pairs[s]?.[pairKey(scored[i], scored[j])];
        if (!e) continue;
        tests.push({ source: s, a: scored[i], b: scored[j], test: { arms: [scored[i], scored[j]], difference: finite(e.difference), ci: e.ci, pValue: finite(e.pValue), test: e.test } });
      }
    }
  }
  const adjusted = holmAdjust(tests.map((t) => t.test.pValue ?? NaN));
  const done: (ArmPairTest & { source: string })[] = tests.map((t, k) => ({
    ...t.test,
    source: t.source,
    pAdjusted: finite(adjusted[k]),
    significant: Number.isFinite(adjusted[k]) && adjusted[k] < alpha,
  }));

  const bySource: Record<string, SourceComparison> = {};
  const rel: { merged: number[]; multihead: number[] } = { merged: [], multihead: [] };
  for (const s of sources) {
    const sep = score('separate', s);
    const values: Record<ArmName, number | null> = { separate: sep, merged: score('merged', s), multihead: score('multihead', s) };
    const anyMetrics = arms.map((a) => a.bySource[s]).find(Boolean);
    const gain = (v: number | null) => (v !== null && sep !== null ? v - sep : null);
    if (sep !== null && sep !== 0) {
      for (const a of OTHER_ARMS) if (values[a] !== null) rel[a].push(((values[a] as number) - sep) / Math.abs(sep));
    }
    const own = done.filter((t) => t.source === s).map(({ source: _source, ...t }) => t);
    const against = (a: ArmName, b: ArmName): ArmPairTest | undefined => own.find((t) => t.arms[0] === a && t.arms[1] === b) ?? own.find((t) => t.arms[0] === b && t.arms[1] === a);
    const vsSeparate = (a: 'merged' | 'multihead') => against('separate', a);
    const gainCi = (a: 'merged' | 'multihead'): Interval => {
      // Tests are stored first-minus-second with separate first: the gain's interval is the negation.
      const t = vsSeparate(a);
      return t?.ci ? [-t.ci[1], -t.ci[0]] : null;
    };
    const { best, tied } = bestOf(values, against);
    const entry: SourceComparison = {
      metric: anyMetrics?.task === 'regression' ? 'r2' : 'accuracy',
      separate: sep,
      merged: values.merged,
      multihead: values.multihead,
      gain: { merged: gain(values.merged), multihead: gain(values.multihead) },
      best,
      ...(evidence
        ? {
            gainCi: { merged: gainCi('merged'), multihead: gainCi('multihead') },
            pValue: { merged: vsSeparate('merged')?.pValue ?? null, multihead: vsSeparate('multihead')?.pValue ?? null },
            pAdjusted: { merged: vsSeparate('merged')?.pAdjusted ?? null, multihead: vsSeparate('multihead')?.pAdjusted ?? null },
            significant: { merged: vsSeparate('merged')?.significant ?? false, multihead: vsSeparate('multihead')?.significant ?? false },
            tests: own,
            tied,
          }
        : {}),
    };
    bySource[s] = entry;
  }
  const mean = (a: number[]) => (a.length === sources.length && a.length > 0 ? a.reduce((x, y) => x + y, 0) / a.length : null);
  const deltaM = {
    merged: byArm.has('merged') ? (evidence?.deltaM.merged ?? mean(rel.merged)) : null,
    multihead: byArm.has('multihead') ? (evidence?.deltaM.multihead ?? mean(rel.multihead)) : null,
  };
  const comparison: Comparison = { bySource, deltaM };
  if (!evidence) return comparison;
  const entries = Object.values(bySource);
  const everywhere = (a: ArmName) => entries.length > 0 && entries.every((e) => e.best === a || (e.best === null && (e.tied ?? []).includes(a)));
  const overallBest = ARM_ORDER.find((a) => entries.length > 0 && entries.every((e) => e.best === a)) ?? null;
  return {
    ...comparison,
    deltaMCi: { merged: evidence.deltaMCi.merged ?? null, multihead: evidence.deltaMCi.multihead ?? null },
    overall: { best: overallBest, bestOrTied: ARM_ORDER.filter(everywhere) },
  };
}

/**
 * Without evidence (a single number per arm): the highest score. With it: the arm whose score
 * is significantly above every other arm's, else null and the tie: the top-scoring arm and the
 * arms whose difference from it is not significant.
 */
function bestOf(values: Record<ArmName, number | null>, against: (a: ArmName, b: ArmName) => ArmPairTest | undefined): { best: ArmName | null; tied: ArmName[] } {
  const scored = ARM_ORDER.filter((a) => values[a] !== null);
  if (scored.length === 0) return { best: null, tied: [] };
  const top = scored.reduce((x, y) => ((values[y] as number) > (values[x] as number) ? y : x));
  if (scored.length === 1) return { best: top, tied: [] };
  const probe = against(scored[0], scored[1]);
  if (!probe) return { best: top, tied: [] };
  const beats = (a: ArmName, b: ArmName) => {
    const t = against(a, b);
    return !!t && t.significant && (values[a] as number) > (values[b] as number);
  };
  if (scored.every((b) => b === top || beats(top, b))) return { best: top, tied: [] };
  return { best: null, tied: scored.filter((b) => b === top || !beats(top, b)) };
}

function finite(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}
