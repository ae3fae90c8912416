/** Compare view: recommendation, domain classifier, schema alignment, drift table, label and feature distributions. */
import type { ComparisonReport, PastRun } from '../src/protocol/dashboard';
import { describeStep, renameStep, unitStep, type MappingStep } from '../src/protocol/mappingSteps';
import { featureChart, labelChart } from './charts';
import { fmt, h, icon, pct, pvalue } from './dom';

type Pair = ComparisonReport['comparisons'][number];
type Feature = Pair['features'][number];

export interface CompareViewOptions {
  readonly canScaffold: boolean;
  readonly onScaffold: (experiment: 'merge' | 'multihead') => Promise<void>;
  readonly canOpenRuns: boolean;
  readonly onOpenRun: (runId: string) => Promise<void>;
  /** "Use this mapping": write the step into the transform of `file` in an experiment file. */
  readonly canUseMapping: boolean;
  readonly onUseMapping: (file: string, step: MappingStep) => Promise<void>;
}

/** The arm a recommendation stands for: merge -> merged, multihead -> multihead, separate -> separate. */
const RECOMMENDED_ARM: Record<string, string> = { merge: 'merged', multihead: 'multihead', separate: 'separate' };

/**
 * The newest completed run that trained on exactly the compared files: the run that tested the
 * recommendation (its experiment.json names the same data files).
 */
export function testingRun(report: ComparisonReport, runs: readonly PastRun[]): PastRun | undefined {
  const key = (paths: readonly string[]) => [...paths].map((p) => p.replace(/\\/g, '/')).sort().join('\n');
  const wanted = key(report.datasets.map((d) => d.path));
  return runs.find((r) => r.state === 'completed' && r.verdict && r.datasets && key(r.datasets) === wanted);
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
  private pairIndex = 0;
  private sortKey: SortKey = 'effect';
  private sortDesc = true;
  private showAllCharts = false;

  private runs: readonly PastRun[] = [];

  constructor(private readonly options: CompareViewOptions) {}

  setRuns(runs: readonly PastRun[]): void {
    this.runs = runs;
  }

  set(report: ComparisonReport | undefined): void {
    this.report = report;
    if (!report || this.pairIndex >= report.comparisons.length) this.pairIndex = 0;
  }

  /** Returns what was drawn, for the `rendered` message. */
  render(width: number): { charts: number; rows: number } {
    this.root.replaceChildren();
    const r = this.report;
    if (!r) {
      this.root.append(
        h('div', { class: 'empty' }, icon('diff'), h('p', {}, 'No comparison yet. Run "Dataset Lab: Compare Datasets..." or choose two CSV files in the explorer and pick Compare Datasets.')),
      );
      return { charts: 0, rows: 0 };
    }
    const pair = r.comparisons[this.pairIndex];
    const names: [string, string] = [pair.reference, pair.other];
    this.root.append(this.header(r), this.recommendation(r));
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
    const charts = this.featureCharts(pair, names, width);
    this.root.append(charts.el);
    if (r.problems.length) {
      this.root.append(
        h(
          'details',
          { class: 'problems' },
          h('summary', {}, `${r.problems.length} input problem(s)`),
          h('ul', {}, ...r.problems.slice(0, 50).map((p) => h('li', {}, `${p.file}:${p.line}:${p.column}: ${p.message}`))),
        ),
      );
    }
    const labelCharts = pair.label?.task === 'classification' ? 1 : 0;
    return { charts: charts.count + labelCharts, rows: drift.rows };
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
          h('span', { class: 'muted' }, ` ${d.rows.toLocaleString('en-US')} rows · ${d.columns.length} columns${d.label ? ` · label ${d.label}` : ''}`),
        ),
      ),
    );
  }

  private recommendation(r: ComparisonReport): HTMLElement {
    const rec = r.recommendation;
    const title: Record<string, string> = { merge: 'Merge the datasets', multihead: 'Train one multi-head model', separate: 'Keep separate models' };
    const button = h(
      'button',
      {
        class: 'primary',
        'data-action': 'scaffold',
        disabled: !this.options.canScaffold,
        title: this.options.canScaffold ? '' : 'Available in VS Code',
        onclick: async (e: Event) => {
          const b = e.currentTarget as HTMLButtonElement;
          b.disabled = true;
          try {
            await this.options.onScaffold(rec.scaffold);
          } finally {
            b.disabled = false;
          }
        },
      },
      icon('new-file'),
      ` Scaffold ${rec.scaffold === 'merge' ? 'merge' : 'multi-head'} experiment`,
    );
    return h(
      'div',
      { class: `card recommendation strategy-${rec.strategy}`, 'data-strategy': rec.strategy },
      h('div', { class: 'eyebrow' }, 'Recommendation'),
      h('h2', {}, title[rec.strategy] ?? rec.strategy, h('span', { class: 'badge' }, rec.strategy)),
      h('ul', { class: 'reasons' }, ...rec.reasons.map((t) => h('li', {}, t))),
      rec.cautions.length ? h('div', { class: 'cautions' }, h('strong', {}, 'Check also: '), h('ul', {}, ...rec.cautions.map((t) => h('li', {}, t)))) : null,
      this.testedBy(r),
      this.options.canScaffold ? h('div', { class: 'actions' }, button) : null,
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
    const outcome = v.best
      ? `${v.best} was significantly best on every dataset`
      : v.bestOrTied.length
        ? `no arm was significantly best everywhere; best or tied on every dataset: ${v.bestOrTied.join(', ')}`
        : 'no arm was best or tied on every dataset';
    const link = this.options.canOpenRuns ? h('button', { class: 'link', 'data-run': run.runId, onclick: () => void this.options.onOpenRun(run.runId) }, run.runId) : h('span', {}, run.runId);
    return h(
      'p',
      { class: `tested ${agrees ? 'agrees' : 'disagrees'}`, 'data-run': run.runId, 'data-agrees': String(agrees) },
      icon(agrees ? 'pass' : 'warning'),
      ' Tested by run ',
      link,
      ` (${v.method}): ${outcome}. ${agrees ? `The recommended arm (${arm}) is ${v.best === arm ? 'the best' : 'best or tied'}.` : `The recommended arm (${arm}) was not best or tied.`}`,
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
      h('div', { class: 'big-number' }, fmt(dc.score, 3), h('span', { class: 'muted' }, ' score (2·AUC−1)')),
      h('div', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': score }, h('div', { class: 'meter-fill', style: `width:${(score * 100).toFixed(1)}%` })),
      h('p', { class: 'muted' }, `AUC ${fmt(dc.auc, 3)} over ${dc.folds} folds on ${dc.rowsUsed.toLocaleString('en-US')} rows. 0 = indistinguishable, 1 = perfectly separable.`),
      dc.topFeatures.length
        ? h('p', {}, 'Most separating: ', dc.topFeatures.slice(0, 5).map((t) => `${t.name} (${fmt(t.importance, 2)})`).join(', '))
        : null,
    );
  }

  private labelSection(pair: Pair, names: [string, string], width: number): HTMLElement {
    const l = pair.label;
    if (!l) return h('div', { class: 'card' }, h('h3', {}, 'Labels'), h('p', { class: 'muted' }, 'No label column chosen.'));
    const card = h(
      'div',
      { class: 'card labels', 'data-overlap': l.overlap },
      h('h3', {}, `Labels: ${l.referenceColumn}${l.sameColumn ? '' : ` / ${l.otherColumn}`}`),
    );
    if (l.task === 'classification') {
      card.append(
        h('div', { class: 'big-number' }, pct(l.overlap, 0), h('span', { class: 'muted' }, ' label-space overlap')),
        h(
          'p',
          { class: 'muted' },
          `shared: ${l.shared.join(', ') || 'none'}`,
          l.onlyReference.length ? ` · only in ${names[0]}: ${l.onlyReference.join(', ')}` : '',
          l.onlyOther.length ? ` · only in ${names[1]}: ${l.onlyOther.join(', ')}` : '',
        ),
        h('figure', { class: 'chart label-chart', 'data-chart': 'labels' }, labelChart(l.referenceDistribution, l.otherDistribution, names, Math.min(520, Math.max(280, width / 2 - 60)))),
        h('p', { class: 'muted' }, `imbalance (largest/smallest class): ${fmt(l.referenceImbalance, 3)} vs ${fmt(l.otherImbalance, 3)}`, l.jensenShannon !== undefined ? ` · JS distance ${fmt(l.jensenShannon, 3)}` : ''),
      );
    } else {
      card.append(h('p', {}, `Regression label. KS ${l.ks ? fmt(l.ks.statistic, 3) : '–'}, normalised Wasserstein ${fmt(l.wassersteinNorm, 3)}`));
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
      h('h3', {}, 'Schema alignment', h('span', { class: 'muted' }, ` ${pct(pair.sharedFeatureShare, 0)} of feature columns shared · size ratio ${fmt(pair.sizeRatio, 3)}`)),
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
    const rows = this.sorted(pair.features).map((f) =>
      h(
        'tr',
        { 'data-feature': f.name, class: f.drift ? 'drifted' : '' },
        h('td', {}, h('a', { href: `#chart-${cssId(f.name)}` }, f.name), f.identifierLike ? h('span', { class: 'badge subtle' }, 'id-like') : null),
        h('td', {}, f.type),
        h('td', { class: 'num', 'data-value': effectSize(f) }, fmt(effectSize(f), 3)),
        h('td', { class: 'num' }, `${f.method} ${fmt(f.verdictValue, 3)} / ${fmt(f.threshold, 3)}`),
        h('td', { class: 'num', 'data-value': f.ks?.pvalue ?? f.chi2?.pvalue ?? '' }, pvalue(f.ks?.pvalue ?? f.chi2?.pvalue)),
        h('td', { class: 'num', 'data-value': f.psi }, fmt(f.psi, 3)),
        h('td', { class: 'num', 'data-value': f.jensenShannon }, fmt(f.jensenShannon, 3)),
        h('td', { class: 'num' }, f.referenceMean !== undefined ? `${fmt(f.referenceMean, 4)} → ${fmt(f.otherMean, 4)}` : '–'),
        h('td', {}, h('span', { class: `verdict ${f.drift ? 'drift' : 'ok'}` }, f.drift ? 'drift' : 'no drift')),
      ),
    );
    const drifted = pair.features.filter((f) => f.drift).length;
    const el = h(
      'div',
      { class: 'card wide' },
      h('h3', {}, 'Feature drift', h('span', { class: 'muted' }, ` ${drifted} of ${pair.features.length} features drifted (${pct(pair.driftShare, 0)})`)),
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
            h('th', {}, 'type'),
            header('effect size', 'effect', 'Normalised Wasserstein (numeric) or Jensen-Shannon distance (categorical)'),
            h('th', {}, 'test / threshold'),
            header('p-value', 'pvalue', 'KS (numeric) or chi-squared (categorical) p-value'),
            header('PSI', 'psi', 'Population stability index'),
            header('JS', 'js', 'Jensen-Shannon distance'),
            h('th', {}, 'mean'),
            header('verdict', 'verdict', 'Sort by verdict'),
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
