/**
 * Dashboard app, in the webview's browser process: three views (Compare, Training, Results) fed
 * by the extension host's updates over postMessage (through host.ts), or by the JSON embedded in
 * a static HTML report. It reports back what it drew and sends its buttons' requests. Rendering
 * is batched into animation frames so a stream of updates never queues up work.
 */
import type { DashboardUpdate, DashboardView } from '../src/protocol/dashboard';
import { assertNever } from '../src/protocol/dashboard';
import { CompareView } from './compareView';
import { h, icon } from './dom';
import { createHost } from './host';
import { ResultsView } from './resultsView';
import { TrainingView } from './trainingView';

const host = createHost();
const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
let staticReport = host.isStatic;
let trainingAllowed = true;
let view: DashboardView = host.persisted()?.view ?? 'compare';

function report(e: unknown): void {
  host.send({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
}

/** A button's request: the views wait for it to settle; a failure is reported to the host's output. */
function ask(reply: Promise<unknown>): Promise<void> {
  return reply.then(() => undefined, report);
}

const compare = new CompareView({
  get canScaffold() {
    return !staticReport;
  },
  onScaffold: (experiment) => ask(host.request('scaffold', { experiment })),
  get canOpenRuns() {
    return !staticReport;
  },
  onOpenRun: (runId) => ask(host.request('openRun', { runId })),
  get canUseMapping() {
    return !staticReport;
  },
  onUseMapping: (file, step) => ask(host.request('useMapping', { file, step })),
});
const training = new TrainingView({
  get canStop() {
    return !staticReport && trainingAllowed;
  },
  onStop: () => ask(host.request('stopTraining', {})),
});
const results = new ResultsView({
  get canOpenRuns() {
    return !staticReport;
  },
  onOpenRun: (runId) => ask(host.request('openRun', { runId })),
});

const views: Record<DashboardView, { root: HTMLElement; render(width: number): { charts: number; rows: number } }> = { compare, training, results };
const tabs = new Map<DashboardView, HTMLButtonElement>();
const labels: Record<DashboardView, [string, string]> = { compare: ['Compare', 'diff'], training: ['Training', 'pulse'], results: ['Results', 'checklist'] };
const nav = h('nav', { class: 'tabs', role: 'tablist' });
for (const v of ['compare', 'training', 'results'] as const) {
  const b = h('button', { role: 'tab', 'data-tab': v, onclick: () => select(v) }, icon(labels[v][1]), ` ${labels[v][0]}`);
  tabs.set(v, b);
  nav.append(b);
}
const restricted = h('div', { class: 'notice', hidden: true }, icon('shield'), ' Restricted Mode: training is disabled until you trust this workspace. Comparison and diagnostics still work.');
const main = h('main', {});
app.replaceChildren(nav, restricted, main);
for (const v of Object.values(views)) main.append(v.root);

function select(v: DashboardView): void {
  view = v;
  host.persist({ version: 1, view });
  host.send({ type: 'viewChanged', view });
  schedule(v);
}

const dirty = new Set<DashboardView>();
let frame = 0;
function schedule(v: DashboardView = view): void {
  dirty.add(v);
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    try {
      draw();
    } catch (e) {
      report(e);
    }
  });
}

function draw(): void {
  for (const [v, b] of tabs) {
    b.setAttribute('aria-selected', String(v === view));
    b.classList.toggle('active', v === view);
  }
  for (const [v, obj] of Object.entries(views) as [DashboardView, (typeof views)[DashboardView]][]) obj.root.hidden = v !== view;
  restricted.hidden = trainingAllowed || staticReport;
  // Only the visible view is drawn; hidden views are redrawn when shown.
  if (dirty.has(view)) {
    dirty.delete(view);
    const width = Math.max(320, main.clientWidth || window.innerWidth - 32);
    const drawn = views[view].render(width);
    document.body.dataset.view = view;
    host.send({ type: 'rendered', view, charts: drawn.charts, rows: drawn.rows });
  }
}

function handle(m: DashboardUpdate): void {
  switch (m.type) {
    case 'snapshot': {
      const s = m.snapshot;
      staticReport = host.isStatic || s.staticReport === true;
      trainingAllowed = s.trainingAllowed !== false;
      document.body.classList.toggle('static-report', staticReport);
      compare.set(s.compare);
      training.reset(s.training?.status, s.training?.points ?? []);
      results.set(s.results);
      results.setRuns(s.runs ?? []);
      compare.setRuns(s.runs ?? []);
      view = host.persisted()?.view && !staticReport && s.view === 'compare' ? (host.persisted()?.view ?? s.view) : s.view;
      if (staticReport) {
        for (const [v, b] of tabs) b.hidden = (v === 'compare' && !s.compare) || (v === 'training' && !s.training) || (v === 'results' && !s.results);
      }
      dirty.add('compare');
      dirty.add('training');
      dirty.add('results');
      schedule(view);
      return;
    }
    case 'compare':
      compare.set(m.report);
      view = 'compare';
      schedule('compare');
      return;
    case 'trainingStarted':
      training.reset(m.status, []);
      view = 'training';
      schedule('training');
      return;
    case 'trainingPoints':
      training.append(m.points, m.status);
      schedule('training');
      return;
    case 'trainingFinished':
      training.setStatus(m.status);
      dirty.add('training');
      if (m.results) {
        results.set(m.results);
        view = 'results';
        schedule('results');
      } else schedule('training');
      return;
    case 'results':
      results.set(m.results);
      if (m.runs) {
        results.setRuns(m.runs);
        compare.setRuns(m.runs);
      }
      view = 'results';
      schedule('results');
      return;
    case 'runs':
      results.setRuns(m.runs);
      compare.setRuns(m.runs);
      dirty.add('compare');
      schedule('results');
      return;
    case 'showView':
      select(m.view);
      return;
    default:
      assertNever(m);
  }
}

host.onMessage((m) => {
  try {
    handle(m);
  } catch (e) {
    report(e);
  }
});
window.addEventListener('error', (e) => report(e.error ?? e.message));
let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    dirty.add('compare');
    dirty.add('training');
    dirty.add('results');
    schedule(view);
  }, 150);
});
// Theme switches change the resolved canvas colours: redraw.
new MutationObserver(() => {
  training.board.themeChanged();
  dirty.add(view);
  schedule(view);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

host.send({ type: 'ready' });
