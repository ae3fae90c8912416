/** Compare view: recommendation, domain classifier, schema alignment, drift table, text and date columns, label and feature distributions. */
import { EXPERIMENT_KIND_TITLES, EXPERIMENT_KINDS, mergedArmProblem, STRATEGY_TITLES, type DatasetLabel, type ExperimentKind } from '../src/protocol/armRule';
import { COMPARE_STAGES, describeCompareProgress, progressPercent, stageTitle, type CompareProgressEvent } from '../src/protocol/compareProgress';
import type { CompareDocument, CompareMeta, CompareProgress, ComparisonReport, PastRun } from '../src/protocol/dashboard';
import { isStreamCompare, streamPairs, type StreamCompareDocument } from '../src/protocol/streamCompare';
import { formatCount, formatDuration, formatNumber, formatPercent, formatPValue, formatRelativeTime, problemLocation, runName } from '../src/protocol/format';
import { describeStep, renameStep, unitStep, type MappingStep } from '../src/protocol/mappingSteps';
import { featureChart, labelChart, regressionLabelChart } from './charts';
import { bound, counted, fmt, h, icon, moment, named, pct } from './dom';
import { drawStreamingCompare } from './compareViewStreaming';
import { textCompareCard } from './textCompareCard';
import { timeCompareCard } from './timeCompareCard';

type Pair = ComparisonReport['comparisons'][number];
type Feature = Pair['features'][number];

export interface CompareViewOptions {
  readonly canScaffold: boolean;
  readonly onScaffold: (experiment: ExperimentKind) => Promise<void>;
  readonly canOpenRuns: boolean;
  readonly onOpenRun: (runId: string) => Promise<void>;
  /** "Use this mapping": write the step into the transform of `file` in an experiment file. */
  readonly canUseMapping: boolean;
  readonly onUseMapping: (file: string, step: MappingStep) => Promise<void>;
}

/** The arm a recommendation stands for: merge -> merged, multihead -> multihead, separate -> separate. */
const RECOMMENDED_ARM: Record<string, string> = { merge: 'merged', multihead: 'multihead', separate: 'separate' };

/** The experiment kind that tests a recommendation: the recommended arm beside the separate baseline. */
const RECOMMENDED_KIND: Record<string, ExperimentKind> = { merge: 'merge', multihead: 'multihead', separate: 'separate' };

/** The datasets' labels as the arm rule reads them (src/protocol/armRule.ts), from the comparison. */
export function reportLabels(report: ComparisonReport): DatasetLabel[] {
  return report.datasets.flatMap((d, i) => {
    if (!d.label) return [];
    const pair = i === 0 ? report.comparisons[0] : report.comparisons.find((p) => p.other === d.name);
    const l = pair?.label;
    const task = l?.task ?? 'classification';
    const dist = l ? (i === 0 ? l.referenceDistribution : l.otherDistribution) : [];
    return [{ dataset: d.name, column: d.label, task, ...(task === 'classification' && dist.length ? { classes: dist.map((v) => v.value) } : {}) }];
  });
}

/** The test a drift verdict used: a short name for the table, and in words for its tooltip. */
function testText(f: Feature): { short: string; long: string } {
  switch (f.method) {
    case 'ks':
      return { short: 'KS p', long: 'Kolmogorov-Smirnov test: drift when its p-value is below the threshold' };
    case 'chi2':
      return { short: 'χ² p', long: 'chi-squared test of the value counts: drift when its p-value is below the threshold' };
    case 'wasserstein':
      return { short: 'W/σ', long: 'Wasserstein distance over the reference\'s standard deviation: drift at or above the threshold' };
    case 'jensenshannon':
      return { short: 'JS', long: 'Jensen-Shannon distance: drift at or above the threshold' };
    default:
      return { short: f.method, long: f.method };
  }
}

/** A p-value verdict drifts below its threshold; a distance verdict above it. */
function isPValueMethod(f: Feature): boolean {
  return f.method === 'ks' || f.method === 'chi2';
}

/**
 * The newest completed run that trained on exactly the compared files: the run that tested the
 * recommendation (its experiment.json names the same data files).
 */
export function testingRun(report: ComparisonReport, runs: readonly PastRun[]): PastRun | undefined {
  const key = (paths: readonly string[]) => [...paths].map((p) => p.replace(/\\/g, '/')).sort().join('\n');
  const wanted = key(report.datasets.map((d) => d.path));
  const candidates = runs.filter((r) => r.state === 'completed' && r.verdict && r.datasets && key(r.datasets) === wanted);
  // The newest run that trained the recommended arm; else the newest run of these files.
  const arm = RECOMMENDED_ARM[report.recommendation.strategy];
  return candidates.find((r) => r.arms?.includes(arm)) ?? candidates[0];
}

const FEATURE_CHART_LIMIT = 40;

/** 1000, 25.4, 1/1000: a conversion factor as people write it. */
function factorText(f: number): string {
  const nice = (x: number) => String(Number(x.toPrecision(6)));
  return f >= 1 ? nice(f) : `1/${nice(1 / f)}`;
}

/** Effect size shown and sorted on: normalised Wasserstein (numeric) or Jensen-Shannon (categorical). */
export function effectSize(f: Feature): number {
  if (f.type === 'numeric' && typeof f.wassersteinNorm === 'number') return f.wassersteinNorm;
  return f.jensenShannon;
}

type SortKey = 'name' | 'effect' | 'psi' | 'js' | 'pvalue' | 'verdict';

export class CompareView {
  readonly root = h('section', { class: 'view compare-view', 'data-view': 'compare' });
  private report: ComparisonReport | undefined;
  /** A streaming comparison (compare --stream): drawn by compareViewStreaming.ts instead of the report. */
  private streamed: StreamCompareDocument | undefined;
  private meta: CompareMeta | undefined;
  private progress: CompareProgress | undefined;
  private ended: 'cancelled' | 'failed' | undefined;
  private ticker = 0;
  private pairIndex = 0;
  private sortKey: SortKey = 'effect';
  private sortDesc = true;
  private showAllCharts = false;

  private runs: readonly PastRun[] = [];

  constructor(private readonly options: CompareViewOptions) {}

  setRuns(runs: readonly PastRun[]): void {
    this.runs = runs;
  }

  set(doc: CompareDocument | undefined, meta?: CompareMeta): void {
    const streamed = isStreamCompare(doc) ? doc : undefined;
    const report = streamed ? undefined : (doc as ComparisonReport | undefined);
    this.report = report;
    this.streamed = streamed;
    this.meta = meta;
    this.ended = undefined;
    const pairs = report ? report.comparisons.length : streamed ? streamPairs(streamed).length : 0;
    if (this.pairIndex >= pairs) this.pairIndex = 0;
  }

  /**
   * The running comparison reached a stage: updates the progress card in place (no redraw of
   * the previous report beneath it). False when there is no card to update (draw then).
   */
  setStage(stage: CompareProgressEvent): boolean {
    if (!this.progress) return true;
    this.progress = { ...this.progress, stage };
    const card = this.root.querySelector<HTMLElement>('.progress-card');
    if (!card || !card.isConnected) return false;
    card.replaceWith(this.progressCard(this.progress));
    return true;
  }

  /** A comparison being computed (shown until its report arrives), or none; `ended` says why one stopped without a report. */
  setProgress(progress: CompareProgress | undefined, ended?: 'cancelled' | 'failed'): void {
    // A new comparison: the stages seen are its own from now on.
    if (progress && progress.startedAt !== this.progress?.startedAt && !progress.stage) delete this.root.dataset.stagesSeen;
    this.progress = progress;
    this.ended = ended;
  }

  /** The data this view shows, for its tab: the files compared. */
  subject(): string {
    if (this.progress) return `comparing ${this.progress.files.map(baseName).join(', ')}`;
    if (this.streamed) {
      const pairs = streamPairs(this.streamed);
      return pairs.length ? [pairs[0].pair.reference.file, ...pairs.map((p) => p.pair.other.file)].map((f) => baseName(f).replace(/\.[^.]+$/, '')).join(' vs ') + ' (streaming)' : '';
    }
    return this.report ? this.report.datasets.map((d) => d.name).join(' vs ') : '';
  }

  /** While a comparison runs: the files and the time it has taken so far, ticking. */
  private progressCard(p: CompareProgress): HTMLElement {
    // Kept after the report replaces the card: which files the view last showed progress for.
    this.root.dataset.lastProgress = p.files.join('\n');
    const elapsed = h('span', { class: 'elapsed' }, formatDuration((Date.now() - Date.parse(p.startedAt)) / 1000));
    window.clearInterval(this.ticker);
    this.ticker = window.setInterval(() => {
      if (!elapsed.isConnected) return window.clearInterval(this.ticker);
      elapsed.textContent = formatDuration((Date.now() - Date.parse(p.startedAt)) / 1000);
    }, 1000);
    const e = p.stage;
    // The stages this kind of comparison goes through, the current one marked; one the CLI
    // names that this list does not know is shown by its description alone.
    const stages = COMPARE_STAGES.filter((s) => (p.streaming ? s === 'read' || s === 'sketch' : s !== 'sketch'));
    const current = e ? stages.indexOf(e.stage as (typeof stages)[number]) : -1;
    const shownEarlier = this.root.dataset.stagesSeen ? this.root.dataset.stagesSeen.split(',') : [];
    // Which stages the view has shown while this comparison ran (tests read it: a stage, not only the file names).
    if (e && !shownEarlier.includes(e.stage)) this.root.dataset.stagesSeen = [...shownEarlier, e.stage].join(',');
    return h(
      'div',
      {
        class: 'card progress-card',
        role: 'status',
        'aria-live': 'polite',
        'data-comparing': p.files.join('\n'),
        ...(e ? { 'data-stage': e.stage, 'data-fraction': e.fraction } : {}),
      },
      h('h3', {}, icon('loading'), ' Comparing ', named(p.files.join(', ')), p.streaming ? h('span', { class: 'badge streaming-badge' }, 'streaming') : null),
      h(
        'div',
        { class: `progress-bar${e ? ' determinate' : ''}`, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, ...(e ? { 'aria-valuenow': Math.round(e.fraction * 100) } : {}) },
        h('div', { class: 'progress-bar-fill', ...(e ? { style: `width:${(e.fraction * 100).toFixed(1)}%` } : {}) }),
      ),
      e
        ? h('p', { class: 'progress-stage' }, h('strong', { class: 'stage-percent' }, progressPercent(e)), ' · ', h('span', { class: 'stage-title' }, stageTitle(e.stage)), ': ', named(describeCompareProgress(e)))
        : h('p', { class: 'progress-stage muted' }, 'Starting…'),
      h(
        'ol',
        { class: 'stage-list' },
        ...stages.map((s, i) =>
          h('li', { class: current < 0 ? '' : i < current ? 'done' : i === current ? 'current' : '', 'data-stage-item': s }, icon(current < 0 ? 'circle-large-outline' : i < current ? 'pass' : i === current ? 'loading' : 'circle-large-outline'), ' ', stageTitle(s)),
        ),
      ),
      h('p', { class: 'muted' }, elapsed, ' so far. Cancel is in the notification.'),
      this.report || this.streamed ? h('p', { class: 'muted' }, 'Below: the previous comparison, until this one is ready.') : null,
    );
  }

  /** Returns what was drawn, for the `rendered` message. */
  render(width: number): { charts: number; rows: number; busy?: boolean } {
    const drawn = this.draw(width);
    return this.progress ? { ...drawn, busy: true } : drawn;
  }

  private draw(width: number): { charts: number; rows: number } {
    this.root.replaceChildren();
    window.clearInterval(this.ticker);
    const r = this.report;
    if (this.progress) this.root.append(this.progressCard(this.progress));
    else if (this.ended) this.root.append(h('p', { class: 'notice', 'data-compare-ended': this.ended }, this.ended === 'cancelled' ? 'The comparison was cancelled.' : 'The comparison failed: see the notification and the Problems panel.', r || this.streamed ? ' Below: the previous comparison.' : ''));
    if (this.streamed) {
      this.root.dataset.mode = 'streaming';
      return drawStreamingCompare(this.root, this.streamed, this.meta, width, this.pairIndex, (i) => {
        this.pairIndex = i;
        this.render(width);
      });
    }
    delete this.root.dataset.mode;
    if (!r) {
      if (!this.progress) {
        this.root.append(
          h('div', { class: 'empty' }, icon('diff'), h('p', {}, 'No comparison yet. Run "Dataset Lab: Compare Datasets..." or choose two data files in the explorer and pick Compare Datasets.')),
        );
      }
      return { charts: 0, rows: 0 };
    }
    const pair = r.comparisons[this.pairIndex];
    const names: [string, string] = [pair.reference, pair.other];
    this.root.append(this.source(r), this.header(r), this.recommendation(r));
    if (r.comparisons.length > 1) {
      const select = h('select', {
        'aria-label': 'Pair',
        onchange: (e: Event) => {
          this.pairIndex = Number((e.target as HTMLSelectElement).value);
          this.render(width);
        },
      });
      r.comparisons.forEach((p, i) => select.append(h('option', { value: i, selected: i === this.pairIndex }, `${p.reference} vs ${p.other}`)));
      this.root.append(h('div', { class: 'pair-select' }, 'Pair: ', select));
    }
    const grid = h('div', { class: 'cards' });
    grid.append(this.domainClassifier(pair), this.labelSection(pair, names, width));
    this.root.append(grid, this.schemaTable(pair));
    const drift = this.driftTable(pair, width);
    this.root.append(drift.el);
    const text = textCompareCard(pair, names, this.pairPath(), width);
    if (text) this.root.append(text);
    const dates = timeCompareCard(pair.features, names, this.pairPath());
    if (dates) this.root.append(dates);
    const charts = this.featureCharts(pair, names, width);
    this.root.append(charts.el);
    if (r.problems.length) {
      this.root.append(
        h(
          'details',
          { class: 'problems' },
          h('summary', {}, `${r.problems.length} input problem(s)`),
          h('ul', {}, ...r.problems.slice(0, 50).map((p) => h('li', {}, `${problemLocation(p)}: ${p.message}`))),
        ),
      );
    }
    const labelCharts = pair.label && (pair.label.task === 'classification' || pair.label.distribution?.edges) ? 1 : 0;
    return { charts: charts.count + labelCharts, rows: drift.rows };
  }

  /** Which files this comparison is of, with their labels and when it ran. */
  private source(r: ComparisonReport): HTMLElement {
    return h(
      'header',
      { class: 'view-source', 'data-source-of': 'compare' },
      icon('diff'),
      ' ',
      h('strong', { title: r.datasets.map((d) => d.path).join('\n') }, named(r.datasets.map((d) => baseName(d.path)).join(' vs '))),
      h('span', { class: 'muted' }, r.datasets.some((d) => d.label) ? ` · labels ${r.datasets.map((d) => d.label ?? '–').join(', ')}` : '', this.meta?.at ? h('span', {}, ' · compared ', moment(this.meta.at, formatRelativeTime(this.meta.at))) : null),
    );
  }

  private header(r: ComparisonReport): HTMLElement {
    return h(
      'header',
      { class: 'datasets' },
      ...r.datasets.map((d, i) =>
        h(
          'div',
          { class: `dataset-chip ${i === 0 ? 'ref' : 'other'}`, 'data-dataset': d.name },
          h('span', { class: 'swatch' }),
          h('strong', {}, d.name),
          h('span', { class: 'muted' }, ' ', bound(formatCount(d.rows), ['datasets', i, 'rows']), ' rows · ', bound(formatCount(d.columns.length), ['datasets', i, 'columns', 'length']), ` columns${d.label ? ` · label ${d.label}` : ''}`),
        ),
      ),
    );
  }

  /** The scaffold button for the recommended kind, and a menu of the other kinds (a kind the labels rule out is disabled, with the reason). */
  private scaffoldActions(r: ComparisonReport): HTMLElement {
    const recommended = RECOMMENDED_KIND[r.recommendation.strategy] ?? r.recommendation.scaffold;
    const mergeProblem = mergedArmProblem(reportLabels(r));
    const run = async (kind: ExperimentKind, el: HTMLButtonElement | HTMLSelectElement) => {
      el.disabled = true;
      try {
        await this.options.onScaffold(kind);
      } finally {
        el.disabled = false;
      }
    };
    const button = h(
      'button',
      {
        class: 'primary',
        'data-action': 'scaffold',
        'data-kind': recommended,
        onclick: (e: Event) => void run(recommended, e.currentTarget as HTMLButtonElement),
      },
      icon('new-file'),
      ` Scaffold experiment: ${EXPERIMENT_KIND_TITLES[recommended]}`,
    );
    const menu = h('select', {
      class: 'kind-menu',
      'aria-label': 'Scaffold another kind of experiment',
      'data-action': 'scaffold-other',
      onchange: (e: Event) => {
        const sel = e.currentTarget as HTMLSelectElement;
        const kind = sel.value as ExperimentKind;
        sel.value = '';
        if (kind) void run(kind, sel);
      },
    });
    menu.append(h('option', { value: '', selected: true }, 'Other kinds…'));
    for (const k of EXPERIMENT_KINDS) {
      if (k === recommended) continue;
      const blocked = k === 'merge' && mergeProblem;
      menu.append(h('option', { value: k, disabled: !!blocked, title: blocked ? `No merged arm: ${mergeProblem}` : '', 'data-kind': k }, `${EXPERIMENT_KIND_TITLES[k]}${blocked ? ' (labels differ)' : ''}`));
    }
    return h('div', { class: 'actions' }, button, ' ', menu, mergeProblem && recommended !== 'merge' ? h('p', { class: 'muted no-merge' }, `No merged arm is offered: ${mergeProblem}.`) : null);
  }

  private recommendation(r: ComparisonReport): HTMLElement {
    const rec = r.recommendation;
    return h(
      'div',
      { class: `card recommendation strategy-${rec.strategy}`, 'data-strategy': rec.strategy },
      h('div', { class: 'eyebrow' }, 'Recommendation'),
      h('h2', {}, STRATEGY_TITLES[rec.strategy] ?? rec.strategy, h('span', { class: 'badge' }, rec.strategy)),
      h('ul', { class: 'reasons' }, ...rec.reasons.map((t) => h('li', {}, t))),
      rec.cautions.length ? h('div', { class: 'cautions' }, h('strong', {}, 'Check also: '), h('ul', {}, ...rec.cautions.map((t) => h('li', {}, t)))) : null,
      this.testedBy(r),
      this.options.canScaffold ? this.scaffoldActions(r) : null,
    );
  }

  /** Whether a run of these files confirmed the recommendation: the recommended arm best or tied for best on every dataset. */
  private testedBy(r: ComparisonReport): HTMLElement | null {
    // A static report knows no runs: it says nothing rather than "not tested".
    if (!this.options.canOpenRuns) return null;
    const run = testingRun(r, this.runs);
    if (!run?.verdict) return h('p', { class: 'tested muted', 'data-run': '' }, 'Not tested yet: no completed run of these files. Scaffold the experiment and run it to see whether the recommended arm wins.');
    const arm = RECOMMENDED_ARM[r.recommendation.strategy];
    const v = run.verdict;
    const agrees = v.bestOrTied.includes(arm);
    // A run without the recommended arm did not test it: say so rather than "not best or tied".
    const trained = run.arms === undefined || run.arms.includes(arm);
    const outcome = v.best
      ? `${v.best} was significantly best on every dataset`
      : v.bestOrTied.length
        ? `no arm was significantly best everywhere; best or tied on every dataset: ${v.bestOrTied.join(', ')}`
        : 'no arm was best or tied on every dataset';
    const link = h('button', { class: 'link', 'data-run': run.runId, title: run.runId, onclick: () => void this.options.onOpenRun(run.runId) }, runName(run));
    return h(
      'p',
      { class: `tested ${agrees ? 'agrees' : trained ? 'disagrees' : 'untested'}`, 'data-run': run.runId, 'data-agrees': String(agrees), 'data-trained': String(trained) },
      icon(agrees ? 'pass' : trained ? 'warning' : 'info'),
      trained ? ' Tested by run ' : ' Run ',
      link,
      ` (${v.method}): ${outcome}. ${
        agrees
          ? `The recommended arm (${arm}) is ${v.best === arm ? 'the best' : 'best or tied'}.`
          : trained
            ? `The recommended arm (${arm}) was not best or tied.`
            : `It did not train the recommended arm (${arm}): scaffold the recommended experiment to test it.`
      }`,
    );
  }

  private domainClassifier(pair: Pair): HTMLElement {
    const dc = pair.domainClassifier;
    if (!dc) return h('div', { class: 'card' }, h('h3', {}, 'Domain classifier'), h('p', { class: 'muted' }, 'Not computed (skipped or too few shared numeric features).'));
    const score = Math.max(0, Math.min(1, dc.score));
    return h(
      'div',
      { class: 'card domain', 'data-score': dc.score, 'data-auc': dc.auc },
      h('h3', {}, 'Domain classifier'),
      h('div', { class: 'big-number' }, bound(fmt(dc.score, 3), [...this.pairPath(), 'domainClassifier', 'score']), h('span', { class: 'muted' }, ' score (2·AUC−1)')),
      h('div', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': score }, h('div', { class: 'meter-fill', style: `width:${(score * 100).toFixed(1)}%` })),
      h('p', { class: 'muted' }, 'AUC ', bound(fmt(dc.auc, 3), [...this.pairPath(), 'domainClassifier', 'auc']), ` over ${dc.folds} folds on `, bound(formatCount(dc.rowsUsed), [...this.pairPath(), 'domainClassifier', 'rowsUsed']), ' rows. 0 = indistinguishable, 1 = perfectly separable.'),
      this.separating(dc),
    );
  }

  /** The features the classifier separates the datasets by; those it never used are named apart, not listed with "(0)". */
  private separating(dc: NonNullable<Pair['domainClassifier']>): HTMLElement | null {
    const used = dc.topFeatures.map((t, i) => ({ t, i })).filter(({ t }) => t.importance > 0).slice(0, 5);
    if (!used.length) return dc.topFeatures.length ? h('p', { class: 'muted' }, 'No feature separates the datasets.') : null;
    const items: (HTMLElement | string)[] = [];
    used.forEach(({ t, i }, k) => {
      if (k) items.push(', ');
      items.push(named(t.name), ' (', bound(formatPercent(t.importance, 0), [...this.pairPath(), 'domainClassifier', 'topFeatures', i, 'importance'], 'percent'), ')');
    });
    const unused = dc.topFeatures.filter((t) => !(t.importance > 0)).length;
    return h('p', {}, 'Most separating (share of importance): ', ...items, unused ? h('span', { class: 'muted' }, ` · ${unused} feature(s) not used by the classifier (they may still drift one by one: see the table)`) : null);
  }

  /** Where the shown pair sits in the report (for data-json paths). */
  private pairPath(): (string | number)[] {
    return ['comparisons', this.pairIndex];
  }

  private labelSection(pair: Pair, names: [string, string], width: number): HTMLElement {
    const l = pair.label;
    if (!l) return h('div', { class: 'card' }, h('h3', {}, 'Labels'), h('p', { class: 'muted' }, 'No label column chosen.'));
    const at = (...k: (string | number)[]) => [...this.pairPath(), 'label', ...k];
    const card = h(
      'div',
      { class: 'card labels', 'data-overlap': l.overlap, 'data-task': l.task, 'data-same-column': String(l.sameColumn) },
      h('h3', {}, `Labels: ${l.referenceColumn}${l.sameColumn ? '' : ` / ${l.otherColumn}`}`),
    );
    const chartWidth = Math.min(560, Math.max(280, width / 2 - 60));
    if (!l.sameColumn) {
      // Different targets: no overlap, no distance between them; each side's own distribution.
      card.append(
        h('p', { class: 'different-labels' }, icon('info'), ` Different label columns: ${names[0]} predicts "${l.referenceColumn}", ${names[1]} predicts "${l.otherColumn}". They are different targets, so nothing compares them: one merged model cannot learn both (multi-head or separate models can).`),
      );
      if (l.task === 'classification') {
        card.append(h('figure', { class: 'chart label-chart', 'data-chart': 'labels' }, labelChart(l.referenceDistribution, l.otherDistribution, names, chartWidth, [`${names[0]}: ${l.referenceColumn}`, `${names[1]}: ${l.otherColumn}`])));
      } else if (l.distribution?.edges) {
        card.append(h('figure', { class: 'chart label-chart', 'data-chart': 'labels' }, regressionLabelChart(l.distribution, l.referenceMean, l.otherMean, names, chartWidth, `${l.referenceColumn} / ${l.otherColumn}`)));
      }
      return card;
    }
    if (l.task === 'classification') {
      card.append(
        h('div', { class: 'big-number' }, bound(formatPercent(l.overlap, 0), at('overlap'), 'percent'), h('span', { class: 'muted' }, ' label-space overlap')),
        h(
          'p',
          { class: 'muted' },
          `shared: ${l.shared.join(', ') || 'none'}`,
          l.onlyReference.length ? ` · only in ${names[0]}: ${l.onlyReference.join(', ')}` : '',
          l.onlyOther.length ? ` · only in ${names[1]}: ${l.onlyOther.join(', ')}` : '',
        ),
        h('figure', { class: 'chart label-chart', 'data-chart': 'labels' }, labelChart(l.referenceDistribution, l.otherDistribution, names, chartWidth)),
        h(
          'p',
          { class: 'muted' },
          'imbalance (largest/smallest class): ',
          bound(fmt(l.referenceImbalance, 3), at('referenceImbalance')),
          ' vs ',
          bound(fmt(l.otherImbalance, 3), at('otherImbalance')),
          l.jensenShannon !== undefined ? h('span', {}, ' · JS distance ', bound(fmt(l.jensenShannon, 3), at('jensenShannon'))) : null,
        ),
      );
    } else {
      // A regression label: the shift of its mean is the key fact, then the overlaid distributions.
      const diff = l.referenceMean !== undefined && l.otherMean !== undefined ? l.otherMean - l.referenceMean : undefined;
      card.append(
        h(
          'div',
          { class: 'big-number label-means' },
          bound(formatNumber(l.referenceMean), at('referenceMean')),
          h('span', { class: 'muted' }, ' → '),
          bound(formatNumber(l.otherMean), at('otherMean')),
          h('span', { class: 'muted' }, ` mean ${l.referenceColumn}${diff !== undefined && l.referenceMean ? ` (${diff >= 0 ? '+' : ''}${formatPercent(diff / Math.abs(l.referenceMean), 0)})` : ''}`),
        ),
        ...(l.distribution?.edges ? [h('figure', { class: 'chart label-chart', 'data-chart': 'labels' }, regressionLabelChart(l.distribution, l.referenceMean, l.otherMean, names, chartWidth, l.referenceColumn))] : []),
        h(
          'p',
          { class: 'muted' },
          'KS ',
          l.ks ? bound(fmt(l.ks.statistic, 3), at('ks', 'statistic')) : '–',
          l.ks ? h('span', {}, ' (p ', bound(formatPValue(l.ks.pvalue), at('ks', 'pvalue')), ')') : null,
          ' · normalised Wasserstein ',
          bound(fmt(l.wassersteinNorm, 3), at('wassersteinNorm')),
          ' (the distance between the distributions in units of the reference\'s spread)',
        ),
      );
    }
    return card;
  }

  private schemaTable(pair: Pair): HTMLElement {
    const s = pair.schema;
    const rows: HTMLElement[] = [];
    for (const m of s.matched) {
      rows.push(
        h(
          'tr',
          { class: m.typeConflict ? 'warn' : '' },
          h('td', {}, m.reference),
          h('td', {}, m.other, m.renamed ? h('span', { class: 'badge subtle' }, 'renamed') : null),
          h('td', {}, m.referenceType === m.otherType ? m.referenceType : `${m.referenceType} / ${m.otherType}`),
          h('td', {}, m.typeConflict ? h('span', { class: 'verdict drift' }, 'type conflict') : h('span', { class: 'verdict ok' }, 'matched')),
        ),
      );
    }
    for (const c of s.onlyReference) rows.push(h('tr', { class: 'missing' }, h('td', {}, c), h('td', { class: 'muted' }, '—'), h('td', {}, ''), h('td', {}, h('span', { class: 'verdict drift' }, `only in ${pair.reference}`))));
    for (const c of s.onlyOther) rows.push(h('tr', { class: 'missing' }, h('td', { class: 'muted' }, '—'), h('td', {}, c), h('td', {}, ''), h('td', {}, h('span', { class: 'verdict drift' }, `only in ${pair.other}`))));
    return h(
      'div',
      { class: 'card wide' },
      h('h3', {}, 'Schema alignment', h('span', { class: 'muted' }, ' ', bound(pct(pair.sharedFeatureShare, 0), [...this.pairPath(), 'sharedFeatureShare'], 'percent'), ' of feature columns shared · size ratio ', bound(fmt(pair.sizeRatio, 3), [...this.pairPath(), 'sizeRatio']))),
      h('table', { class: 'data schema-table' }, h('thead', {}, h('tr', {}, h('th', {}, pair.reference), h('th', {}, pair.other), h('th', {}, 'type'), h('th', {}, 'status'))), h('tbody', {}, ...rows)),
      s.suggestions.length
        ? h(
            'div',
            { class: 'suggestions' },
            h('strong', {}, 'Suggested mappings'),
            h('ul', {}, ...s.suggestions.map((g) => h('li', { 'data-mapping': 'rename', 'data-reference': g.reference, 'data-other': g.other }, `${g.reference} ↔ ${g.other} (${fmt(g.similarity, 2)}, ${g.reason}) `, this.mappingButton(pair, renameStep(g.reference, g.other))))),
          )
        : null,
      pair.unitDifferences?.length
        ? h(
            'div',
            { class: 'suggestions unit-differences' },
            h('strong', {}, 'Unit differences'),
            h(
              'ul',
              {},
              ...pair.unitDifferences.map((u) =>
                h(
                  'li',
                  { 'data-mapping': 'unit', 'data-reference': u.reference, 'data-other': u.other, 'data-factor': u.factor },
                  `${u.other} (${pair.other}) ≈ ${factorText(u.factor)} × ${u.reference} (${pair.reference}): medians ${fmt(u.otherMedian, 4)} and ${fmt(u.referenceMedian, 4)}${u.conversion ? `, ${u.conversion}` : ''} `,
                  this.mappingButton(pair, unitStep(u.reference, u.other, u.factor)),
                ),
              ),
            ),
          )
        : null,
    );
  }

  /** "Use this mapping" for the pair's other dataset; nothing in a static report. */
  private mappingButton(pair: Pair, step: MappingStep): HTMLElement | null {
    const file = this.report?.datasets.find((d) => d.name === pair.other)?.path;
    if (!this.options.canUseMapping || file === undefined) return null;
    return h(
      'button',
      {
        class: 'secondary small',
        'data-action': 'use-mapping',
        title: `Add to the transform of ${pair.other} in an experiment file: ${describeStep(step)}`,
        onclick: async (e: Event) => {
          const b = e.currentTarget as HTMLButtonElement;
          b.disabled = true;
          try {
            await this.options.onUseMapping(file, step);
          } finally {
            b.disabled = false;
          }
        },
      },
      icon('edit'),
      ' Use this mapping',
    );
  }

  private sorted(features: readonly Feature[]): Feature[] {
    const key = (f: Feature): number | string => {
      switch (this.sortKey) {
        case 'name':
          return f.name;
        case 'effect':
          return effectSize(f);
        case 'psi':
          return f.psi;
        case 'js':
          return f.jensenShannon;
        case 'pvalue':
          return f.ks?.pvalue ?? f.chi2?.pvalue ?? 1;
        case 'verdict':
          return Number(f.drift);
      }
    };
    return [...features].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = typeof ka === 'string' ? ka.localeCompare(kb as string) : (ka as number) - (kb as number);
      return this.sortDesc ? -c : c;
    });
  }

  private driftTable(pair: Pair, width: number): { el: HTMLElement; rows: number } {
    const header = (label: string, key: SortKey, title: string) =>
      h(
        'th',
        {
          class: `sortable ${this.sortKey === key ? (this.sortDesc ? 'desc' : 'asc') : ''}`,
          'data-sort': key,
          title,
          'aria-sort': this.sortKey === key ? (this.sortDesc ? 'descending' : 'ascending') : 'none',
          onclick: () => {
            if (this.sortKey === key) this.sortDesc = !this.sortDesc;
            else {
              this.sortKey = key;
              this.sortDesc = key !== 'name';
            }
            this.render(width);
          },
        },
        label,
      );
    const index = new Map(pair.features.map((f, i) => [f, i]));
    // Below 900 px the table folds the PSI and JS columns under the effect size and the type under the name, so its verdict stays in view.
    const narrow = width < 900;
    const rows = this.sorted(pair.features).map((f) => {
      const at = (...k: (string | number)[]) => [...this.pairPath(), 'features', index.get(f) as number, ...k];
      const p = f.ks?.pvalue ?? f.chi2?.pvalue;
      const pKey = f.ks ? ['ks', 'pvalue'] : ['chi2', 'pvalue'];
      // The verdict's own test, with its comparison: a p-value drifts below its threshold, a distance at or above it.
      const t = testText(f);
      const test = isPValueMethod(f)
        ? h('span', { title: t.long }, `${t.short} `, bound(formatPValue(f.verdictValue), at('verdictValue')), ` ${f.drift ? '<' : '≥'} `, bound(fmt(f.threshold, 3), at('threshold')))
        : h('span', { title: t.long }, `${t.short} `, bound(fmt(f.verdictValue, 3), at('verdictValue')), ` ${f.drift ? '≥' : '<'} `, bound(fmt(f.threshold, 3), at('threshold')));
      const type = f.type === 'numeric' && f.method === 'chi2' ? h('span', { title: 'few distinct values: tested as categories (chi-squared)' }, 'numeric (few values)') : f.type;
      return h(
        'tr',
        { 'data-feature': f.name, class: f.drift ? 'drifted' : '', 'data-compared': String(!f.identifierLike) },
        h(
          'td',
          { class: 'feature-name', title: f.name, 'data-col': 'feature' },
          h('a', { href: `#chart-${cssId(f.name)}` }, named(f.name)),
          f.identifierLike ? h('span', { class: 'badge subtle', title: 'one value per row: not compared' }, 'id-like') : null,
          // Narrow: the type under the name instead of a column of its own.
          narrow ? h('div', { class: 'muted small' }, type) : null,
        ),
        narrow ? null : h('td', { 'data-col': 'type' }, type),
        h(
          'td',
          { class: 'num', 'data-col': 'effect', 'data-value': effectSize(f) },
          fmt(effectSize(f), 3),
          // Narrow: PSI and JS under the effect size instead of columns of their own.
          narrow ? h('div', { class: 'muted small', 'data-col': 'psi-js' }, 'PSI ', bound(fmt(f.psi, 3), at('psi')), ' · JS ', bound(fmt(f.jensenShannon, 3), at('jensenShannon'))) : null,
        ),
        h('td', { class: 'verdict-cell', 'data-col': 'verdict' }, h('span', { class: `verdict ${f.drift ? 'drift' : 'ok'}` }, f.drift ? 'drift' : 'no drift')),
        h('td', { class: 'num test-cell', 'data-col': 'test', 'data-method': f.method }, test),
        h('td', { class: 'num', 'data-col': 'pvalue', 'data-value': p ?? '' }, p !== undefined ? bound(formatPValue(p), at(...pKey)) : '–'),
        narrow ? null : h('td', { class: 'num', 'data-col': 'psi', 'data-value': f.psi }, bound(fmt(f.psi, 3), at('psi'))),
        narrow ? null : h('td', { class: 'num', 'data-col': 'js', 'data-value': f.jensenShannon }, bound(fmt(f.jensenShannon, 3), at('jensenShannon'))),
        h('td', { class: 'num', 'data-col': 'mean' }, f.referenceMean !== undefined && f.otherMean !== undefined ? h('span', {}, bound(fmt(f.referenceMean, 4), at('referenceMean')), narrow ? h('br', {}) : ' ', '→ ', bound(fmt(f.otherMean, 4), at('otherMean'))) : '–'),
      );
    });
    const compared = pair.features.filter((f) => !f.identifierLike);
    const drifted = compared.filter((f) => f.drift).length;
    const skipped = pair.features.length - compared.length;
    const el = h(
      'div',
      { class: 'card wide drift-card' },
      h(
        'h3',
        {},
        'Feature drift',
        h(
          'span',
          { class: 'muted' },
          ' ',
          counted(drifted, 'tr.drifted[data-compared="true"]'),
          ' of ',
          counted(compared.length, 'tr[data-compared="true"]'),
          ' compared features drifted (',
          bound(pct(pair.driftShare, 0), [...this.pairPath(), 'driftShare'], 'percent'),
          ')',
          skipped ? ` · ${skipped} identifier-like column${skipped === 1 ? '' : 's'} not compared` : '',
        ),
      ),
      h(
        'table',
        { class: 'data drift-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            header('feature', 'name', 'Sort by name'),
            narrow ? null : h('th', {}, 'type'),
            header(narrow ? 'effect' : 'effect size', 'effect', 'Effect size: normalised Wasserstein (numeric) or Jensen-Shannon distance (categorical)'),
            header('verdict', 'verdict', 'Sort by verdict'),
            h('th', { class: 'num', title: 'The test that decided the verdict, against its threshold' }, 'decided by'),
            header('p-value', 'pvalue', 'KS (numeric) or chi-squared (categorical) p-value'),
            narrow ? null : header('PSI', 'psi', 'Population stability index'),
            narrow ? null : header('JS', 'js', 'Jensen-Shannon distance'),
            h('th', { class: 'num' }, 'mean'),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );
    return { el, rows: rows.length };
  }

  private featureCharts(pair: Pair, names: [string, string], width: number): { el: HTMLElement; count: number } {
    const cols = width > 1100 ? 3 : width > 700 ? 2 : 1;
    const chartWidth = Math.max(240, Math.floor((width - 40) / cols) - 24);
    // Identifier-like columns (dates, ids) have one value per row: nothing to chart.
    const features = this.sorted(pair.features).filter((f) => !f.identifierLike);
    const shown = this.showAllCharts ? features : features.slice(0, FEATURE_CHART_LIMIT);
    const grid = h('div', { class: 'chart-grid', style: `grid-template-columns: repeat(${cols}, minmax(0, 1fr))` });
    for (const f of shown) {
      grid.append(
        h(
          'figure',
          { class: 'chart feature-chart', id: `chart-${cssId(f.name)}`, 'data-chart': 'feature', 'data-feature': f.name, 'data-type': f.type, 'data-bins': f.distribution.reference.length },
          h('figcaption', {}, h('strong', {}, f.name), ' ', h('span', { class: `verdict ${f.drift ? 'drift' : 'ok'}` }, f.drift ? 'drift' : 'no drift'), h('span', { class: 'muted' }, ` effect ${fmt(effectSize(f), 3)}`)),
          featureChart(f, names, chartWidth),
        ),
      );
    }
    const el = h(
      'div',
      { class: 'card wide' },
      h('h3', {}, 'Distributions', h('span', { class: 'muted' }, ' normalised per dataset; ordered like the drift table')),
      h('div', { class: 'legend' }, h('span', { class: 'swatch ref' }), names[0], h('span', { class: 'swatch other' }), names[1]),
      grid,
    );
    if (features.length > shown.length) {
      el.append(
        h(
          'button',
          {
            class: 'secondary',
            onclick: () => {
              this.showAllCharts = true;
              this.render(width);
            },
          },
          `Show all ${features.length} features`,
        ),
      );
    }
    return { el, count: shown.length };
  }
}

function cssId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

/** The file name of a workspace-relative path. */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
