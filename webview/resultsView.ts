/** Results view: per-source metrics per arm with the gain over separate, confusion matrices, settings, past runs. */
import type { DashboardResults, PastRun } from '../src/protocol/dashboard';
import type { SourceResult } from '../src/protocol/runFolder/contract';
import { confusionChart } from './charts';
import { fmt, h, icon, pct, signed } from './dom';

export interface ResultsViewOptions {
  readonly canOpenRuns: boolean;
  readonly onOpenRun: (runId: string) => Promise<void>;
}

const ARM_ORDER = ['separate', 'merged', 'multihead'];

function headline(m: SourceResult | undefined): { metric: 'accuracy' | 'r2'; value: number | undefined } {
  if (m?.task === 'regression') return { metric: 'r2', value: m.r2 };
  return { metric: 'accuracy', value: m?.accuracy };
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
      this.root.append(
        h(
          'header',
          { class: 'run-header' },
          h('h2', {}, `Run ${r.runId}`),
          h('span', { class: 'muted' }, [r.backend ? `backend ${r.backend}` : '', r.seed !== undefined ? `seed ${r.seed}` : '', r.finishedAt ? `finished ${r.finishedAt}` : ''].filter(Boolean).join(' · ')),
        ),
      );
      if (cmp) {
        this.root.append(
          h(
            'div',
            { class: 'cards' },
            ...(['merged', 'multihead'] as const)
              .filter((a) => cmp.deltaM[a] !== null && cmp.deltaM[a] !== undefined)
              .map((a) => {
                const v = cmp.deltaM[a] as number;
                return h('div', { class: `card delta ${v > 0 ? 'gain' : v < 0 ? 'loss' : ''}`, 'data-arm': a, 'data-delta-m': v }, h('div', { class: 'eyebrow' }, `${a} vs separate`), h('div', { class: 'big-number' }, signed(v * 100, 1), '%'), h('div', { class: 'muted' }, 'average relative gain Δm over the per-dataset baselines'));
              }),
          ),
        );
      }
      // Headline table: one row per source, one column per arm, gain over separate highlighted.
      const head = h('tr', {}, h('th', {}, 'dataset'), h('th', {}, 'metric'), ...arms.map((a) => h('th', { class: 'num' }, a.arm)));
      const body = sources.map((s) => {
        const sep = arms.find((a) => a.arm === 'separate')?.bySource[s];
        const base = headline(sep).value;
        const metric = headline(arms.find((a) => a.bySource[s])?.bySource[s]).metric;
        const bestValue = Math.max(...arms.map((a) => headline(a.bySource[s]).value ?? -Infinity));
        return h(
          'tr',
          { 'data-source': s },
          h('td', {}, s),
          h('td', {}, metric === 'r2' ? 'R²' : 'accuracy'),
          ...arms.map((a) => {
            const v = headline(a.bySource[s]).value;
            const gain = cmp?.bySource[s]?.gain[a.arm as 'merged' | 'multihead'] ?? (a.arm !== 'separate' && v !== undefined && base !== undefined ? v - base : null);
            const cls = ['num', v !== undefined && v === bestValue ? 'best' : '', gain !== null && gain !== undefined ? (gain > 0 ? 'gain' : gain < 0 ? 'loss' : '') : ''].join(' ');
            return h(
              'td',
              { class: cls, 'data-arm': a.arm, 'data-value': v ?? '' },
              metric === 'accuracy' ? pct(v, 1) : fmt(v, 4),
              a.arm !== 'separate' && gain !== null && gain !== undefined ? h('span', { class: 'gain-note' }, ` ${signed(metric === 'accuracy' ? gain * 100 : gain, metric === 'accuracy' ? 1 : 3)}${metric === 'accuracy' ? ' pts' : ''}`) : null,
            );
          }),
        );
      });
      rows += body.length;
      this.root.append(h('div', { class: 'card wide' }, h('h3', {}, 'Test metrics per dataset'), h('table', { class: 'data results-table' }, h('thead', {}, head), h('tbody', {}, ...body))));
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
              h('td', { class: 'num' }, fmt(m.n)),
              h('td', { class: 'num' }, m.task === 'regression' ? `R² ${fmt(m.r2, 4)} · MAE ${fmt(m.mae, 4)} · RMSE ${fmt(m.rmse, 4)}` : `acc ${pct(m.accuracy)} · macro-F1 ${fmt(m.macroF1, 3)}`),
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
                  ? h('button', { class: 'link', 'data-run': run.runId, onclick: () => void this.options.onOpenRun(run.runId) }, run.runId)
                  : h('span', {}, run.runId),
                h('span', { class: 'muted' }, ` ${run.createdAt ?? ''}${runNote(run)}`),
              ),
            ),
          ),
        ),
      );
    }
    return { charts, rows };
  }
}

/** A past run's state when it did not complete: "(interrupted: the training process (pid 4242) is gone)". */
function runNote(run: PastRun): string {
  if ((run.state === undefined || run.state === 'completed') && run.hasResults) return '';
  return ` (${run.state ?? 'no results'}${run.reason ? `: ${run.reason}` : ''})`;
}
