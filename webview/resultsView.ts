/** Results view: per-source metrics per arm with the gain over separate, confusion matrices, settings, past runs. */
import type { DashboardResults, PastRun } from '../src/protocol/dashboard';
import type { ArmResult, EvaluationInfo, Interval, Metrics, SourceComparison, SourceResult } from '../src/protocol/runFolder/contract';
import { formatCount, formatDateTime, formatFixed, formatInterval, formatMetric, formatMetricDifference, formatNumber, formatPercent, formatPValue, formatRelativeTime, runName, signed as signedText } from '../src/protocol/format';
import { datasetVerdicts, overallVerdict, rowNotes, runHints } from '../src/protocol/runAdvice';
import { confusionChart } from './charts';
import { intervalChart, type IntervalRow } from './intervalChart';
import { perClassCard } from './perClassCard';
import { bound, h, icon, moment, named } from './dom';

export interface ResultsViewOptions {
  readonly canOpenRuns: boolean;
  readonly onOpenRun: (runId: string) => Promise<void>;
  /** The link back to the recommendation: compare the files the run trained on again. */
  readonly canCompareRun: boolean;
  readonly onCompareRun: (runId: string) => Promise<void>;
}

const ARM_ORDER = ['separate', 'merged', 'multihead'];

function headline(m: SourceResult | Metrics | null | undefined): { metric: 'accuracy' | 'r2'; value: number | undefined; ci: Interval | undefined } {
  if (m?.task === 'regression') return { metric: 'r2', value: m.r2, ci: m.ci?.r2 ?? undefined };
  return { metric: 'accuracy', value: m?.accuracy, ci: m?.ci?.accuracy ?? undefined };
}

/** A score as every view writes it (src/protocol/format.ts): accuracy in percent with 1 decimal, R² with 3. */
function scoreText(metric: 'accuracy' | 'r2', v: number | null | undefined): string {
  return formatMetric(metric, v);
}

function intervalText(metric: 'accuracy' | 'r2', ci: Interval | undefined): string {
  return ci ? ` ${formatInterval(ci, (v) => scoreText(metric, v))}` : '';
}

/** "holdout · 95% BCa bootstrap intervals · Holm-corrected tests at 0.05": how to read the numbers. */
export function evaluationText(e: EvaluationInfo | undefined): string {
  if (!e) return 'one test split; no intervals (run made before intervals existed)';
  const level = `${Math.round(e.confidence * 100)}%`;
  const protocol = e.method === 'holdout' ? 'holdout test split' : e.method === 'cv' ? `${e.folds}-fold cross-validation` : `${e.repeats} × ${e.folds}-fold cross-validation`;
  const intervals = e.intervals === 'bca-bootstrap' ? `${level} BCa bootstrap intervals (${e.resamples} resamples)` : `${level} intervals from the folds (corrected resampled t)`;
  return `${protocol} · ${intervals} · arms compared pairwise on the same ${e.method === 'holdout' ? 'rows' : 'folds'}, Holm-corrected at ${formatNumber(e.alpha, 2)}`;
}

/** What a dataset's comparison concludes, in words. */
function verdictText(c: SourceComparison | undefined): string {
  if (!c) return '';
  if (c.best && c.tied !== undefined) return `${c.best} significantly better than every other arm`;
  if (c.best) return c.best;
  if (c.tied && c.tied.length > 1) {
    const scored = (['separate', 'merged', 'multihead'] as const).filter((a) => c[a] !== null);
    const below = scored.filter((a) => !(c.tied ?? []).includes(a));
    return `no significant difference between ${c.tied.join(', ')}${below.length ? ` (${below.join(', ')} significantly below)` : ''}`;
  }
  return c.tied?.[0] ?? '';
}

export class ResultsView {
  readonly root = h('section', { class: 'view results-view', 'data-view': 'results' });
  private results: DashboardResults | undefined;
  private runs: readonly PastRun[] = [];

  constructor(private readonly options: ResultsViewOptions) {}

  set(results: DashboardResults | undefined): void {
    this.results = results;
  }

  setRuns(runs: readonly PastRun[]): void {
    this.runs = runs;
  }

  /** The run this view shows, for its tab: its experiment's name and when it started. */
  subject(): string {
    const r = this.results;
    return r ? runName({ runId: r.runId, name: r.experiment, createdAt: r.startedAt }) : '';
  }

  /**
   * The verdict card (src/protocol/runAdvice.ts): which arm to use overall and per dataset, how
   * sure, each dataset's baseline, hints (still improving, below the baseline, R² below 0) and the
   * rows left out or imputed; with the link back to the comparison that recommended the experiment.
   */
  private verdictCard(r: DashboardResults): HTMLElement {
    const overall = overallVerdict(r);
    const verdicts = datasetVerdicts(r);
    const hints = runHints(r);
    const notes = rowNotes(r);
    const certainty: Record<string, string> = { significant: 'significant', tied: 'no significant difference', single: 'one arm', none: 'no scores' };
    const baselines = Object.entries(r.datasets).filter(([, d]) => d.baseline);
    return h(
      'div',
      { class: `card wide verdict-card certainty-${overall.certainty}`, 'data-use': overall.use.join(','), 'data-certainty': overall.certainty },
      h('div', { class: 'eyebrow' }, 'Verdict'),
      h('h2', {}, named(overall.text)),
      h(
        'ul',
        { class: 'dataset-verdicts' },
        ...verdicts.map((v) =>
          h(
            'li',
            { 'data-source': v.source, 'data-use': v.use.join(','), 'data-certainty': v.certainty },
            h('strong', {}, named(v.source)),
            h('span', { class: `badge certainty ${v.certainty}` }, certainty[v.certainty]),
            ' ',
            named(v.text),
          ),
        ),
      ),
      baselines.length
        ? h(
            'div',
            { class: 'baselines' },
            h('strong', {}, 'Baselines '),
            h('span', { class: 'muted' }, '(the simplest model, scored on the same test rows: an arm should beat it)'),
            h(
              'ul',
              {},
              ...baselines.map(([source, d]) => {
                const b = d.baseline!;
                const at = ['datasets', source, 'baseline'];
                return h(
                  'li',
                  { 'data-source': source, 'data-baseline': b.value, 'data-kind': b.kind },
                  h('strong', {}, named(source)),
                  ': ',
                  b.kind === 'majority' ? h('span', {}, 'always predicting the majority class ', named(`"${String(b.prediction)}"`)) : h('span', {}, 'predicting the training mean ', bound(formatNumber(b.prediction as number), [...at, 'prediction'])),
                  ' scores ',
                  b.metric === 'accuracy' ? bound(formatMetric('accuracy', b.value), [...at, 'value'], 'percent') : bound(formatMetric('r2', b.value), [...at, 'value']),
                  b.metric === 'accuracy' ? ' accuracy' : ' R²',
                  b.macroF1 !== undefined ? h('span', { class: 'muted' }, ' · macro-F1 ', bound(formatFixed(b.macroF1, 3), [...at, 'macroF1'])) : null,
                  b.mae !== undefined ? h('span', { class: 'muted' }, ' · MAE ', bound(formatNumber(b.mae), [...at, 'mae'])) : null,
                );
              }),
            ),
          )
        : null,
      hints.length
        ? h(
            'div',
            { class: 'hints' },
            h('strong', {}, icon('lightbulb'), ' Hints'),
            h('ul', {}, ...hints.map((t) => h('li', { 'data-hint': t.kind, 'data-arm': t.arm, 'data-source': t.source ?? '' }, named(t.text)))),
          )
        : null,
      notes.length
        ? h(
            'div',
            { class: 'row-notes' },
            h('strong', {}, icon('warning'), ' Rows not used as written'),
            h('ul', {}, ...notes.map((n) => h('li', { 'data-source': n.source, 'data-dropped': n.dropped, 'data-imputed': n.imputed }, named(n.text)))),
          )
        : null,
      this.options.canCompareRun
        ? h(
            'p',
            { class: 'back-link' },
            h('button', { class: 'link', 'data-action': 'compare-run', title: 'Compare the data files this run trained on, with its labels', onclick: () => void this.options.onCompareRun(r.runId) }, icon('diff'), ' Back to the comparison and its recommendation'),
            h('span', { class: 'muted' }, ' (compares the files this run trained on again)'),
          )
        : null,
    );
  }

  /** Test rows whose features repeat a training row's: their scores may be memorised, not predicted. */
  private repeatNotes(r: DashboardResults, pooledArms: boolean): HTMLElement | null {
    const items = Object.entries(r.datasets ?? {}).flatMap(([name, d]) => {
      const l = d.leakage;
      if (!l) return [];
      const seen = pooledArms ? l.testSeenInPooledTrain : l.testSeenInOwnTrain;
      if (seen === 0 && l.sharedWithOtherDatasets === 0) return [];
      const share = l.testRows ? (100 * seen) / l.testRows : 0;
      return [
        h(
          'li',
          { 'data-source': name, 'data-test-repeats': seen, 'data-shared': l.sharedWithOtherDatasets, class: share >= 5 ? 'warn' : '' },
          h('strong', {}, name),
          `: ${seen} of ${l.testRows} test rows (${share.toFixed(1)}%) repeat the feature values of a training row`,
          pooledArms && l.testSeenInPooledTrain > l.testSeenInOwnTrain ? ` (${l.testSeenInOwnTrain} from its own training split)` : '',
          l.sharedWithOtherDatasets ? `; ${l.sharedWithOtherDatasets} of its rows also appear in another dataset` : '',
        ),
      ];
    });
    if (!items.length) return null;
    return h(
      'div',
      { class: 'card wide repeats' },
      h('h3', {}, icon('warning'), ' Repeated rows'),
      h('p', { class: 'muted' }, 'If these are the same records, the test scores above overstate how well the models generalise (from 5% of a dataset\'s test rows this is flagged).'),
      h('ul', {}, ...items),
    );
  }

  /** A table cell: score, interval, and the gain over separate (coloured only when significant). */
  private scoreCell(a: ArmResult, s: string, metric: 'accuracy' | 'r2', c: SourceComparison | undefined): HTMLElement {
    if (a.diverged) return h('td', { class: 'num diverged', 'data-arm': a.arm, 'data-value': '', title: a.diverged.message }, `diverged (epoch ${a.diverged.epoch})`);
    const { value: v, ci } = headline(a.bySource[s]);
    const arm = a.arm as 'merged' | 'multihead';
    const gain = a.arm === 'separate' ? null : (c?.gain[arm] ?? null);
    const significant = a.arm !== 'separate' && (c?.significant?.[arm] ?? false);
    const gainCls = gain === null ? '' : significant ? (gain > 0 ? 'gain' : 'loss') : 'ns';
    const cls = ['num', c?.best === a.arm ? 'best' : '', (c?.tied ?? []).includes(a.arm) ? 'tied' : '', gainCls].filter(Boolean).join(' ');
    return h(
      'td',
      { class: cls, 'data-arm': a.arm, 'data-value': v ?? '', 'data-low': ci?.[0] ?? '', 'data-high': ci?.[1] ?? '', ...(gain !== null ? { 'data-gain': gain, 'data-significant': String(significant) } : {}) },
      scoreText(metric, v),
      h('span', { class: 'ci' }, intervalText(metric, ci)),
      gain !== null
        ? h(
            'span',
            { class: 'gain-note', title: significant ? `significant after Holm's correction (adjusted p ${formatPValue(c?.pAdjusted?.[arm] ?? null)})` : `not significant (adjusted p ${formatPValue(c?.pAdjusted?.[arm] ?? null)})` },
            // Runs from before significance tests have no verdict: their gains are shown plain, never coloured.
            ` ${formatMetricDifference(metric, gain)}${significant || c?.significant === undefined ? '' : ' (n.s.)'}`,
          )
        : null,
    );
  }

  /** A dataset's card: every arm's headline score as a point with its interval bar, and the verdict. */
  private intervalCard(s: string, arms: readonly ArmResult[], c: SourceComparison | undefined, width: number): HTMLElement {
    const metric = headline(arms.find((a) => a.bySource[s])?.bySource[s]).metric;
    const rows: IntervalRow[] = arms.map((a) => {
      const { value, ci } = headline(a.bySource[s]);
      return { label: a.arm, value: a.diverged ? null : (value ?? null), low: ci?.[0] ?? null, high: ci?.[1] ?? null, emphasis: c?.best === a.arm ? 'best' : (c?.tied ?? []).includes(a.arm) ? 'tied' : 'none' };
    });
    const w = Math.min(520, Math.max(260, width / 2 - 60));
    return h(
      'figure',
      { class: 'card chart interval-card', 'data-chart': 'intervals', 'data-source': s },
      h('figcaption', {}, h('strong', {}, s), ` · ${metric === 'r2' ? 'R²' : 'accuracy'}`),
      intervalChart(rows, w, (v) => scoreText(metric, v), metric === 'r2' ? { max: 1 } : { min: 0, max: 1 }),
      h('div', { class: `verdict ${c?.best ? 'gain' : 'ns'}` }, verdictText(c) || '–'),
    );
  }

  render(width: number): { charts: number; rows: number } {
    this.root.replaceChildren();
    const r = this.results;
    let charts = 0;
    let rows = 0;
    if (!r) {
      this.root.append(h('div', { class: 'empty' }, icon('checklist'), h('p', {}, 'No results yet. Run an experiment, or open a past run.')));
    } else {
      const arms = [...r.arms].sort((a, b) => ARM_ORDER.indexOf(a.arm) - ARM_ORDER.indexOf(b.arm));
      const sources = [...new Set(arms.flatMap((a) => Object.keys(a.bySource)))];
      const cmp = r.comparison;
      const files = (r.settings as { datasets?: { path?: unknown }[] } | undefined)?.datasets?.map((d) => d?.path).filter((p): p is string => typeof p === 'string') ?? [];
      this.root.append(
        h(
          'header',
          { class: 'view-source run-header', 'data-source-of': 'results', 'data-run': r.runId },
          icon('checklist'),
          ' ',
          h('strong', { title: `run folder ${r.runId}` }, named(r.experiment || 'Run')),
          h(
            'span',
            { class: 'muted' },
            r.startedAt ? h('span', {}, ' · started ', moment(r.startedAt, formatRelativeTime(r.startedAt))) : null,
            r.finishedAt ? h('span', {}, ' · finished ', moment(r.finishedAt, formatDateTime(r.finishedAt))) : null,
            files.length ? ` · data ${files.join(', ')}` : ` · datasets ${Object.keys(r.datasets).join(', ')}`,
            [r.backend ? ` · backend ${r.backend}` : '', r.seed !== undefined ? ` · seed ${r.seed}` : ''].join(''),
          ),
        ),
      );
      this.root.append(h('p', { class: 'muted evaluation', 'data-method': r.evaluation?.method ?? 'holdout' }, evaluationText(r.evaluation)));
      this.root.append(this.verdictCard(r));
      if (cmp) {
        this.root.append(
          h(
            'div',
            { class: 'cards' },
            ...(['merged', 'multihead'] as const)
              .filter((a) => cmp.deltaM[a] !== null && cmp.deltaM[a] !== undefined)
              .map((a) => {
                const v = cmp.deltaM[a] as number;
                const ci = cmp.deltaMCi?.[a] ?? undefined;
                // Coloured only when the interval leaves 0 out; runs without intervals are not coloured either.
                const significant = !!ci && (ci[0] > 0 || ci[1] < 0);
                const cls = significant ? (v > 0 ? 'gain' : 'loss') : 'ns';
                return h(
                  'div',
                  { class: `card delta ${cls}`, 'data-arm': a, 'data-delta-m': v, 'data-low': ci?.[0] ?? '', 'data-high': ci?.[1] ?? '', 'data-significant': String(significant) },
                  h('div', { class: 'eyebrow' }, `${a} vs separate`),
                  h('div', { class: 'big-number' }, bound(signedText(formatPercent(v, 1), v), ['comparison', 'deltaM', a], 'percent'), ci ? h('span', { class: 'ci' }, ' [', bound(signedText(formatPercent(ci[0], 1), ci[0]), ['comparison', 'deltaMCi', a, 0], 'percent'), ', ', bound(signedText(formatPercent(ci[1], 1), ci[1]), ['comparison', 'deltaMCi', a, 1], 'percent'), ']') : null),
                  h('div', { class: 'muted' }, 'average relative gain Δm over the per-dataset baselines'),
                  h('div', { class: `verdict ${cls}` }, significant ? `significant ${v > 0 ? 'gain' : 'loss'} (the interval leaves 0 out)` : 'no significant difference (the interval contains 0)'),
                );
              }),
          ),
        );
      }
      const diverged = arms.filter((a) => a.diverged);
      if (diverged.length) {
        this.root.append(
          h(
            'div',
            { class: 'card wide diverged-arms' },
            h('h3', {}, icon('warning'), ' Diverged'),
            h('ul', {}, ...diverged.map((a) => h('li', { 'data-arm': a.arm, 'data-epoch': a.diverged?.epoch ?? '' }, h('strong', {}, a.arm), `: ${a.diverged?.message}${a.diverged?.fold ? ` (fold ${a.diverged.fold})` : ''}. It has no scores and is left out of the comparison.`))),
          ),
        );
      }
      // Headline table: one row per source, one column per arm; a gain over separate is coloured only when significant.
      const head = h('tr', {}, h('th', {}, 'dataset'), h('th', {}, 'metric'), ...arms.map((a) => h('th', { class: 'num' }, a.arm)), h('th', {}, 'verdict'));
      const body = sources.map((s) => {
        const c = cmp?.bySource[s];
        const metric = headline(arms.find((a) => a.bySource[s])?.bySource[s]).metric;
        return h(
          'tr',
          { 'data-source': s, 'data-best': c?.best ?? '', 'data-tied': (c?.tied ?? []).join(',') },
          h('td', {}, s),
          h('td', {}, metric === 'r2' ? 'R²' : 'accuracy'),
          ...arms.map((a) => this.scoreCell(a, s, metric, c)),
          h('td', { class: 'verdict' }, verdictText(c)),
        );
      });
      rows += body.length;
      this.root.append(h('div', { class: 'card wide' }, h('h3', {}, 'Test metrics per dataset'), h('table', { class: 'data results-table' }, h('thead', {}, head), h('tbody', {}, ...body))));
      // One card per dataset: each arm's score with its interval bar on a shared axis.
      const cards = sources.map((s) => this.intervalCard(s, arms, cmp?.bySource[s], width));
      charts += cards.length;
      if (cards.length) this.root.append(h('div', { class: 'cards interval-cards' }, ...cards));
      const repeats = this.repeatNotes(r, arms.some((a) => a.arm !== 'separate'));
      if (repeats) this.root.append(repeats);

      // Detail per arm and source.
      const detail: HTMLElement[] = [];
      for (const a of arms) {
        for (const [s, m] of Object.entries(a.bySource)) {
          detail.push(
            h(
              'tr',
              { 'data-arm': a.arm, 'data-source': s },
              h('td', {}, a.arm),
              h('td', {}, s),
              h('td', { class: 'num' }, formatCount(m.n)),
              h('td', { class: 'num metrics' }, allMetricsText(m)),
              h('td', { class: 'num' }, `${m.bestEpoch ?? a.bestEpoch ?? '–'} / ${m.epochs ?? a.epochs ?? '–'}`),
            ),
          );
        }
      }
      rows += detail.length;
      this.root.append(
        h(
          'details',
          { class: 'card wide', open: true },
          h('summary', {}, h('strong', {}, 'All metrics')),
          h('table', { class: 'data detail-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'arm'), h('th', {}, 'dataset'), h('th', { class: 'num' }, 'test rows'), h('th', { class: 'num' }, 'metrics'), h('th', { class: 'num' }, 'best / epochs'))), h('tbody', {}, ...detail)),
        ),
      );

      // Confusion matrices.
      const matrices: HTMLElement[] = [];
      const w = Math.min(360, Math.max(220, width / 3 - 40));
      for (const a of arms) {
        for (const [s, m] of Object.entries(a.bySource)) {
          if (m.task !== 'classification' || m.labels.length > 20 || matrices.length >= 24) continue;
          matrices.push(h('figure', { class: 'chart confusion-chart', 'data-chart': 'confusion', 'data-arm': a.arm, 'data-source': s }, h('figcaption', {}, `${a.arm} · ${s}`), confusionChart(m.confusion, m.labels, w)));
        }
      }
      charts += matrices.length;
      if (matrices.length) this.root.append(h('div', { class: 'card wide' }, h('h3', {}, 'Confusion matrices'), h('div', { class: 'matrix-grid' }, ...matrices)));
      const importance = importanceCard(arms);
      if (importance) {
        charts++;
        this.root.append(importance);
      }
      const perClass = perClassCard(r);
      if (perClass) this.root.append(perClass);

      const settings = r.settings ?? (r.experiment ? { experiment: r.experiment, datasets: r.datasets, features: r.features } : undefined);
      if (settings !== undefined) {
        this.root.append(h('details', { class: 'card wide settings' }, h('summary', {}, h('strong', {}, 'Settings')), h('pre', {}, JSON.stringify(settings, null, 2))));
      }
    }
    if (this.runs.length) {
      this.root.append(
        h(
          'div',
          { class: 'card wide' },
          h('h3', {}, 'Past runs'),
          h(
            'ul',
            { class: 'runs' },
            ...this.runs.slice(0, 50).map((run) =>
              h(
                'li',
                { 'data-state': run.state ?? '' },
                this.options.canOpenRuns && run.hasResults
                  ? h('button', { class: 'link', 'data-run': run.runId, title: `${run.runId} (${formatDateTime(run.createdAt)})`, onclick: () => void this.options.onOpenRun(run.runId) }, runName(run))
                  : h('span', { title: run.runId }, runName(run)),
                h('span', { class: 'muted' }, runNote(run), run.runId === r?.runId ? ' · shown above' : ''),
              ),
            ),
          ),
        ),
      );
    }
    return { charts, rows };
  }
}

/** How many features each model's importance list shows (the rest are summed in one line). */
const IMPORTANCE_TOP = 12;

/**
 * Gradient-boosted models' feature importances (share of the trees' split gain), one small list
 * of bars per model: a card of its own, shown only for runs with such models.
 */
function importanceCard(arms: readonly ArmResult[]): HTMLElement | null {
  const models = arms.flatMap((a) => Object.entries(a.featureImportance ?? {}).map(([model, shares]) => ({ arm: a.arm, model, shares })));
  if (!models.length) return null;
  return h(
    'div',
    { class: 'card wide importance-card', 'data-chart': 'importance' },
    h('h3', {}, 'Feature importance (gradient-boosted trees: share of split gain)'),
    h(
      'div',
      { class: 'importance-grid' },
      ...models.map(({ model, shares }) => {
        const ranked = Object.entries(shares).sort((x, y) => y[1] - x[1]);
        const top = ranked.slice(0, IMPORTANCE_TOP);
        const rest = ranked.slice(IMPORTANCE_TOP).reduce((t, [, v]) => t + v, 0);
        return h(
          'figure',
          { class: 'importance', 'data-model': model },
          h('figcaption', {}, model),
          h(
            'table',
            { class: 'data importance-table' },
            h(
              'tbody',
              {},
              ...top.map(([feature, v]) =>
                h(
                  'tr',
                  { 'data-feature': feature, 'data-share': v },
                  h('td', {}, feature),
                  h('td', { class: 'bar-cell' }, h('span', { class: 'bar', style: `width: ${Math.max(0, Math.min(100, v * 100)).toFixed(1)}%` })),
                  h('td', { class: 'num' }, formatPercent(v, 1)),
                ),
              ),
              ...(rest > 0 ? [h('tr', { class: 'muted' }, h('td', {}, `${ranked.length - IMPORTANCE_TOP} more`), h('td', {}), h('td', { class: 'num' }, formatPercent(rest, 1)))] : []),
            ),
          ),
        );
      }),
    ),
  );
}

/** Every metric of a source with its interval, each metric with one precision (src/protocol/format.ts); fold scores for cross-validation. */
function allMetricsText(m: SourceResult): string {
  const ci = (c: Interval | undefined, metric: 'accuracy' | 'macroF1' | 'r2' | 'mae' | 'rmse') => (c ? ` ${formatInterval(c, (v) => formatMetric(metric, v))}` : '');
  const folds = m.foldScores?.length ? ` · folds ${m.foldScores.map((v) => formatMetric(m.task === 'regression' ? 'r2' : 'accuracy', v)).join(', ')}` : '';
  if (m.task === 'regression') return `R² ${formatMetric('r2', m.r2)}${ci(m.ci?.r2 ?? undefined, 'r2')} · MAE ${formatMetric('mae', m.mae)}${ci(m.ci?.mae ?? undefined, 'mae')} · RMSE ${formatMetric('rmse', m.rmse)}${ci(m.ci?.rmse ?? undefined, 'rmse')}${folds}`;
  return `accuracy ${formatMetric('accuracy', m.accuracy)}${ci(m.ci?.accuracy ?? undefined, 'accuracy')} · macro-F1 ${formatMetric('macroF1', m.macroF1)}${ci(m.ci?.macroF1 ?? undefined, 'macroF1')}${folds}`;
}

/** A past run's state when it did not complete: "(interrupted: the training process (pid 4242) is gone)". */
function runNote(run: PastRun): string {
  if ((run.state === undefined || run.state === 'completed') && run.hasResults) return '';
  return ` (${run.state ?? 'no results'}${run.reason ? `: ${run.reason}` : ''})`;
}
