/**
 * What a completed run means for the user, in words: which arm to use per dataset and how sure
 * that is (from the run's intervals and Holm-corrected tests), hints for arms that stopped while
 * still improving or scored below the simplest baseline, and the rows left out or imputed. Read
 * from results.json alone, so the dashboard, the HTML report and the CLI say the same thing.
 * Pure (the webview bundle imports it).
 */
import { formatCount, formatInterval, formatMetric, formatNumber, formatPValue, MISSING } from './format';
import type { ArmName, ArmResult, RunResults, SourceComparison, SourceResult } from './runFolder/contract';

const ARMS: readonly ArmName[] = ['separate', 'merged', 'multihead'];
/** Fewest models to keep first: one merged model, one multi-head model, one model per dataset. */
const SIMPLEST: readonly ArmName[] = ['merged', 'multihead', 'separate'];

function headline(m: SourceResult | undefined): { value: number | undefined; ci: readonly [number, number] | null | undefined } {
  if (!m) return { value: undefined, ci: undefined };
  return m.task === 'regression' ? { value: m.r2, ci: m.ci?.r2 } : { value: m.accuracy, ci: m.ci?.accuracy };
}

/** "84.1% [80.2%, 87.5%]": a headline score as every view writes it. */
export function scoreWithInterval(metric: 'accuracy' | 'r2', value: number | null | undefined, ci: readonly [number, number] | null | undefined): string {
  const f = (v: number) => formatMetric(metric, v);
  const interval = formatInterval(ci ?? null, f);
  return `${formatMetric(metric, value)}${interval ? ` ${interval}` : ''}`;
}

export interface DatasetVerdict {
  readonly source: string;
  readonly metric: 'accuracy' | 'r2';
  /** The arms to use: the significantly best one, else every arm tied for best (highest score first). */
  readonly use: readonly ArmName[];
  /** significant: one arm beats every other after Holm's correction; tied: the data cannot tell the top arms apart; single: one scored arm; none: no scores. */
  readonly certainty: 'significant' | 'tied' | 'single' | 'none';
  readonly text: string;
}

function scored(r: RunResults, source: string): { arm: ArmResult; value: number; ci: readonly [number, number] | null | undefined }[] {
  return r.arms.flatMap((a) => {
    if (a.diverged) return [];
    const h = headline(a.bySource[source]);
    return h.value === undefined ? [] : [{ arm: a, value: h.value, ci: h.ci }];
  });
}

/** The largest Holm-adjusted p-value among the tests of `arm` against the others: how sure "significantly better than all" is. */
function worstAdjustedP(c: SourceComparison, arm: ArmName): number | undefined {
  const ps = (c.tests ?? []).filter((t) => t.arms.includes(arm)).map((t) => t.pAdjusted).filter((p): p is number => typeof p === 'number');
  return ps.length ? Math.max(...ps) : undefined;
}

export function datasetVerdicts(r: RunResults): DatasetVerdict[] {
  const sources = [...new Set(r.arms.flatMap((a) => Object.keys(a.bySource)))];
  return sources.map((source) => {
    const c = r.comparison.bySource[source];
    const list = scored(r, source).sort((a, b) => b.value - a.value || ARMS.indexOf(a.arm.arm) - ARMS.indexOf(b.arm.arm));
    const metric = c?.metric ?? (list[0]?.arm.bySource[source]?.task === 'regression' ? 'r2' : 'accuracy');
    if (!list.length) return { source, metric, use: [], certainty: 'none', text: 'no arm has a score on this dataset' };
    const score = (arm: ArmName) => {
      const s = list.find((x) => x.arm.arm === arm);
      return s ? scoreWithInterval(metric, s.value, s.ci) : MISSING;
    };
    if (list.length === 1) {
      const only = list[0].arm.arm;
      return { source, metric, use: [only], certainty: 'single', text: `only ${only} has a score (${score(only)}): nothing to compare it with` };
    }
    if (c?.best && c.tied !== undefined) {
      const others = list.filter((x) => x.arm.arm !== c.best).map((x) => x.arm.arm);
      const p = worstAdjustedP(c, c.best);
      return {
        source,
        metric,
        use: [c.best],
        certainty: 'significant',
        text: `use ${c.best}: ${score(c.best)}, significantly better than ${others.join(' and ')}${p !== undefined ? ` (Holm-adjusted p ≤ ${formatPValue(p)})` : ''}`,
      };
    }
    const tied = (c?.tied ?? []).length ? [...(c?.tied ?? [])].sort((a, b) => list.findIndex((x) => x.arm.arm === a) - list.findIndex((x) => x.arm.arm === b)) : [list[0].arm.arm];
    const below = list.map((x) => x.arm.arm).filter((a) => !tied.includes(a));
    if (tied.length === 1) {
      // A run without significance tests (older runs): the top score, with no claim.
      return { source, metric, use: tied, certainty: 'tied', text: `${tied[0]} scores highest (${score(tied[0])}); this run has no significance tests` };
    }
    const simplest = SIMPLEST.find((a) => tied.includes(a)) as ArmName;
    return {
      source,
      metric,
      use: tied,
      certainty: 'tied',
      text:
        `no significant difference between ${tied.join(', ')} (highest: ${tied[0]}, ${score(tied[0])}): the data cannot tell them apart, so ${simplest} ${simplest === 'separate' ? '(one model per dataset)' : '(one model for every dataset)'} is as good a choice` +
        (below.length ? `; ${below.join(' and ')} ${below.length === 1 ? 'is' : 'are'} significantly below` : ''),
    };
  });
}

/** Over every dataset: one arm to use everywhere, when the run says so. */
export function overallVerdict(r: RunResults): { readonly use: readonly ArmName[]; readonly certainty: 'significant' | 'tied' | 'mixed'; readonly text: string } {
  const o = r.comparison.overall;
  const verdicts = datasetVerdicts(r);
  if (o?.best) return { use: [o.best], certainty: 'significant', text: `Use ${o.best}: significantly best on every dataset.` };
  if (o && o.bestOrTied.length) {
    const simplest = SIMPLEST.find((a) => o.bestOrTied.includes(a)) as ArmName;
    return {
      use: o.bestOrTied,
      certainty: 'tied',
      text:
        o.bestOrTied.length === 1
          ? `Use ${simplest}: best or tied for best on every dataset.`
          : `${o.bestOrTied.join(', ')} ${o.bestOrTied.length === 2 ? 'are both' : 'are all'} best or tied for best on every dataset; ${simplest} keeps the fewest models.`,
    };
  }
  const arms = [...new Set(verdicts.flatMap((v) => v.use))];
  return { use: arms, certainty: 'mixed', text: arms.length ? 'No one arm is best or tied on every dataset: choose per dataset (below).' : 'No arm has scores.' };
}

export interface RunHint {
  readonly kind: 'still-improving' | 'below-baseline' | 'worse-than-mean';
  readonly arm: ArmName;
  readonly source?: string;
  readonly text: string;
}

/** Closed-form models have no epochs to add. */
const ITERATIVE = new Set<ArmResult['model']>(['mlp', 'logistic', 'gbm']);

export function runHints(r: RunResults): RunHint[] {
  const hints: RunHint[] = [];
  for (const a of r.arms) {
    if (a.diverged || !ITERATIVE.has(a.model)) continue;
    const raise = a.model === 'gbm' ? 'model.trees.iterations' : 'training.epochs';
    const unit = a.model === 'gbm' ? 'iteration' : 'epoch';
    // Separate trains one model per dataset; the others one model for all.
    const models = a.arm === 'separate' ? Object.entries(a.bySource).map(([s, m]) => ({ source: s as string | undefined, epochs: m.epochs, best: m.bestEpoch })) : [{ source: undefined, epochs: a.epochs, best: a.bestEpoch }];
    for (const m of models) {
      if (m.epochs > 1 && m.best === m.epochs) {
        hints.push({
          kind: 'still-improving',
          arm: a.arm,
          ...(m.source ? { source: m.source } : {}),
          text: `${a.arm}${m.source ? ` (${m.source})` : ''} was still improving at its last ${unit} (${formatCount(m.epochs)}): its best ${unit} was the last, so more may help; raise ${raise}`,
        });
      }
    }
  }
  for (const [source, d] of Object.entries(r.datasets)) {
    const b = d.baseline;
    for (const a of r.arms) {
      const m = a.bySource[source];
      if (a.diverged || !m) continue;
      const value = m.task === 'regression' ? m.r2 : m.accuracy;
      const metric = m.task === 'regression' ? 'r2' : 'accuracy';
      if (b && value < b.value) {
        const what =
          b.kind === 'majority'
            ? `the majority-class baseline (always "${b.prediction}": ${formatMetric('accuracy', b.value)}): it does worse than predicting the most frequent class`
            : `the mean baseline (${formatMetric('r2', b.value)}): it does worse than predicting the training mean (${formatNumber(b.prediction as number)}) for every row`;
        hints.push({ kind: 'below-baseline', arm: a.arm, source, text: `${a.arm} on ${source}: ${metric === 'r2' ? 'R²' : 'accuracy'} ${formatMetric(metric, value)} is below ${what}` });
      } else if (!b && metric === 'r2' && value < 0) {
        hints.push({ kind: 'worse-than-mean', arm: a.arm, source, text: `${a.arm} on ${source}: R² ${formatMetric('r2', value)} is below 0: it does worse than predicting the mean for every row` });
      }
    }
  }
  return hints;
}

/** Per dataset, the rows left out (no label) and the rows whose missing feature values were imputed; none when nothing was. */
export function rowNotes(r: RunResults): { readonly source: string; readonly dropped: number; readonly imputed: number; readonly text: string }[] {
  return Object.entries(r.datasets).flatMap(([source, d]) => {
    const dropped = d.accounting?.droppedMissingLabel ?? d.unlabelled;
    const imputed = d.accounting?.imputedRows ?? 0;
    if (!dropped && !imputed) return [];
    const labelled = d.rows - dropped;
    const parts: string[] = [];
    if (dropped) parts.push(`${formatCount(dropped)} of ${formatCount(d.rows)} rows left out: their label${d.label ? ` "${d.label}"` : ''} is missing`);
    if (imputed) {
      const cells = Object.entries(d.accounting?.imputedCells ?? {})
        .sort((x, y) => y[1] - x[1])
        .map(([f, n]) => `${f} ${formatCount(n)}`)
        .join(', ');
      parts.push(`${formatCount(imputed)} of ${formatCount(labelled)} labelled rows had missing feature values, imputed (${cells})`);
    }
    return [{ source, dropped, imputed, text: `${source}: ${parts.join('; ')}` }];
  });
}
