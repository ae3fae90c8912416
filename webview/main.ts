/**
 * Dashboard app, in the webview's browser process: four views (Compare, Profile, Training, Results) fed
 * by the extension host's updates over postMessage (through host.ts), or by the JSON embedded in
 * a static HTML report. It reports back what it drew and sends its buttons' requests. Rendering
 * is batched into animation frames so a stream of updates never queues up work.
 */
import type { DashboardUpdate, DashboardView } from '../src/protocol/dashboard';
import { assertNever, DASHBOARD_VIEWS } from '../src/protocol/dashboard';
import { CompareView } from './compareView';
import { h, icon } from './dom';
import { createHost } from './host';
import { ProfileView } from './profileView';
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
  get canCompareRun() {
    return !staticReport;
  },
  onCompareRun: (runId) => ask(host.request('compareRun', { runId })),
});
const profile = new ProfileView();

const views: Record<DashboardView, { root: HTMLElement; render(width: number): { charts: number; rows: number; busy?: boolean } }> = { compare, profile, training, results };
const tabs = new Map<DashboardView, HTMLButtonElement>();
const labels: Record<DashboardView, [string, string]> = { compare: ['Compare', 'diff'], profile: ['Profile', 'graph'], training: ['Training', 'pulse'], results: ['Results', 'checklist'] };
/** Each tab names the data it shows (the files compared, the file profiled, the run). */
const tabData = new Map<DashboardView, HTMLElement>();
const nav = h('nav', { class: 'tabs', role: 'tablist' });
for (const v of DASHBOARD_VIEWS) {
  const data = h('span', { class: 'tab-data', 'data-tab-data': v });
  tabData.set(v, data);
  const b = h('button', { role: 'tab', 'data-tab': v, onclick: () => select(v) }, icon(labels[v][1]), ` ${labels[v][0]}`, data);
  tabs.set(v, b);
  nav.append(b);
}

/** What each tab's data is called: shown small beside its name, in full on hover. */
function tabSubjects(): Record<DashboardView, string> {
  return { compare: compare.subject(), profile: profile.current?.path ?? '', training: training.subject(), results: results.subject() };
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
  const subjects = tabSubjects();
  for (const [v, b] of tabs) {
    b.setAttribute('aria-selected', String(v === view));
    b.classList.toggle('active', v === view);
    const el = tabData.get(v);
    if (el) el.textContent = subjects[v] ? subjects[v] : '';
    b.title = subjects[v] ? `${labels[v][0]}: ${subjects[v]}` : labels[v][0];
  }
  for (const [v, obj] of Object.entries(views) as [DashboardView, (typeof views)[DashboardView]][]) obj.root.hidden = v !== view;
  restricted.hidden = trainingAllowed || staticReport;
  // Only the visible view is drawn; hidden views are redrawn when shown.
  if (dirty.has(view)) {
    dirty.delete(view);
    const width = Math.max(320, main.clientWidth || window.innerWidth - 32);
    const drawn = views[view].render(width);
    document.body.dataset.view = view;
    host.send({ type: 'rendered', view, charts: drawn.charts, rows: drawn.rows, ...(drawn.busy ? { busy: true } : {}) });
  }
}

function handle(m: DashboardUpdate): void {
  switch (m.type) {
    case 'snapshot': {
      const s = m.snapshot;
      staticReport = host.isStatic || s.staticReport === true;
      trainingAllowed = s.trainingAllowed !== false;
      document.body.classList.toggle('static-report', staticReport);
      compare.set(s.compare, s.compareMeta);
      compare.setProgress(s.comparing);
      profile.set(s.profile);
      // A past run's training status knows its folder; its results know the experiment's name and start.
      const st = s.training?.status;
      const named = st && s.results && st.runId === s.results.runId && !st.experiment ? { ...st, experiment: s.results.experiment, startedAt: st.startedAt ?? s.results.startedAt } : st;
      training.reset(named, s.training?.points ?? []);
      results.set(s.results);
      results.setRuns(s.runs ?? []);
      compare.setRuns(s.runs ?? []);
      view = host.persisted()?.view && !staticReport && s.view === 'compare' ? (host.persisted()?.view ?? s.view) : s.view;
      if (staticReport) {
        for (const [v, b] of tabs) b.hidden = (v === 'compare' && !s.compare) || (v === 'profile' && !s.profile) || (v === 'training' && !s.training) || (v === 'results' && !s.results);
      }
      for (const v of DASHBOARD_VIEWS) dirty.add(v);
      schedule(view);
      return;
    }
    case 'compare':
      compare.set(m.report, m.meta);
      compare.setProgress(undefined);
      view = 'compare';
      schedule('compare');
      return;
    case 'compareStarted':
      compare.setProgress(m.progress);
      view = 'compare';
      schedule('compare');
      return;
    case 'compareStage':
      // In place while the card is on screen; a full draw only when it is not.
      if (!compare.setStage(m.stage)) schedule('compare');
      return;
    case 'compareEnded':
      compare.setProgress(undefined, m.reason);
      schedule('compare');
      return;
    case 'profile':
      profile.set(m.profile);
      view = 'profile';
      schedule('profile');
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
    for (const v of DASHBOARD_VIEWS) dirty.add(v);
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
