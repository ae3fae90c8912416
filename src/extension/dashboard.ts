/**
 * The dashboard webview panel, host side. The dashboard app (webview/, in the webview's browser
 * process) and this controller in the extension host talk the messages of
 * src/protocol/dashboard.ts over postMessage: state updates go to the webview; notifications
 * and requests come back, and each request gets one typed reply. One controller owns the state
 * (a snapshot of the compare report, the training curves and the results) so the panel can be
 * closed, reopened or restored after a reload (WebviewPanelSerializer) and always receives a
 * complete snapshot after its `ready`. The requests' work is done by the handlers it is given
 * (src/extension/commands/dashboardRequests.ts).
 */
import * as vscode from 'vscode';
import type {
  CompareMeta,
  CompareDocument,
  CompareProgress,
  CurvePoint,
  ProfileSnapshot,
  DashboardPersistedState,
  DashboardRequest,
  DashboardRequestType,
  DashboardSnapshot,
  DashboardView,
  FromWebviewMessage,
  PastRun,
  RenderedMessage,
  ReplyOf,
  RunExperimentReply,
  UseMappingRequest,
  DashboardResults,
  ScaffoldRequest,
  ToWebviewMessage,
  TrainingStatus,
} from '../protocol/dashboard';
import type { CompareProgressEvent } from '../protocol/compareProgress';
import { assertNever, isReply } from '../protocol/dashboard';
import { dashboardPage, newNonce } from '../protocol/htmlPage';
import { errorMessage } from './errors';

export const DASHBOARD_VIEW_TYPE = 'datasetLab.dashboard';

/** Curve points kept in the host per run; the webview downsamples for drawing. */
const MAX_POINTS = 20_000;

/** The work behind the webview's requests; what each returns becomes its reply. */
export interface DashboardRequestHandlers {
  /** The experiment file created (workspace-relative), or null when the user cancelled. */
  scaffold(experiment: ScaffoldRequest['experiment']): Promise<string | null>;
  stopTraining(): boolean;
  /** False when the run has no results to show. */
  openRun(runId: string): Promise<boolean>;
  runExperiment(): Promise<RunExperimentReply['state']>;
  /** The experiment file the step was written into (workspace-relative), or null. */
  useMapping(file: string, step: UseMappingRequest['step']): Promise<string | null>;
  /** Compares the files a run trained on, with its labels; false when the run names none. */
  compareRun(runId: string): Promise<boolean>;
}

export class DashboardController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: ToWebviewMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];
  private view: DashboardView = 'compare';
  private compare: CompareDocument | undefined;
  private compareMeta: CompareMeta | undefined;
  private comparing: CompareProgress | undefined;
  private profile: ProfileSnapshot | undefined;
  private trainingStatus: TrainingStatus | undefined;
  private points: CurvePoint[] = [];
  private results: DashboardResults | undefined;
  private runs: PastRun[] = [];
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedMessage>();
  /** Fires when the webview reports what it drew (used by tests and for logging). */
  readonly onDidRender = this.renderedEmitter.event;
  readonly rendered: RenderedMessage[] = [];
  /** The stages of the latest comparisons, in order (the last 1,000 to 2,000; for the integration tests and logging). */
  readonly compareStages: CompareProgressEvent[] = [];
  private allowed = true;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.OutputChannel,
    private readonly requests: DashboardRequestHandlers,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
          const s = state as Partial<DashboardPersistedState> | undefined;
          if (s && s.version === 1 && s.view) this.view = s.view;
          this.attach(panel);
        },
      }),
      this.renderedEmitter,
    );
  }

  /** False in an untrusted workspace (Restricted Mode): the webview shows a notice and no training buttons. */
  get trainingAllowed(): boolean {
    return this.allowed;
  }

  /** When trust is granted, an open panel hears it at once: its notice goes without reopening it. */
  set trainingAllowed(allowed: boolean) {
    if (allowed === this.allowed) return;
    this.allowed = allowed;
    // Before `ready`, the snapshot sent on ready carries it.
    if (this.panel && this.ready) void this.panel.webview.postMessage({ type: 'snapshot', snapshot: this.snapshot() } satisfies ToWebviewMessage);
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get isReady(): boolean {
    return this.ready;
  }

  snapshot(): DashboardSnapshot {
    return {
      view: this.view,
      ...(this.compare ? { compare: this.compare } : {}),
      ...(this.compareMeta ? { compareMeta: this.compareMeta } : {}),
      ...(this.comparing ? { comparing: this.comparing } : {}),
      ...(this.profile ? { profile: this.profile } : {}),
      ...(this.trainingStatus ? { training: { status: this.trainingStatus, points: this.points } } : {}),
      ...(this.results ? { results: this.results } : {}),
      runs: this.runs,
      trainingAllowed: this.trainingAllowed,
    };
  }

  /**
   * Reveals the panel on `view`. Callers post their data first: a view switch that reached the
   * webview before its data would draw the view once empty (seen in CI: a Profile drawn with 0
   * rows before its profile arrived).
   */
  show(view?: DashboardView): void {
    if (view) this.view = view;
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Active, false);
      if (view) this.post({ type: 'showView', view });
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Dataset Lab', vscode.ViewColumn.Active, this.webviewOptions());
    this.attach(panel);
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.ready = false;
    this.queue = [];
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.options = this.webviewOptions();
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((m: FromWebviewMessage) => this.receive(m)),
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.ready = false;
          for (const d of this.panelDisposables) d.dispose();
          this.panelDisposables = [];
        }
      }),
    ];
  }

  private html(webview: vscode.Webview): string {
    const uri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...path)).toString();
    return dashboardPage('Dataset Lab', newNonce(), {
      kind: 'webview',
      origin: webview.cspSource,
      stylesheets: [uri('dist', 'codicons', 'codicon.css'), uri('media', 'dashboard.css')],
      script: uri('dist', 'webview.js'),
    });
  }

  private receive(m: FromWebviewMessage): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.panel?.webview.postMessage({ type: 'snapshot', snapshot: this.snapshot() } satisfies ToWebviewMessage);
        for (const q of this.queue.splice(0)) void this.panel?.webview.postMessage(q);
        return;
      case 'rendered':
        this.rendered.push(m);
        if (this.rendered.length > 100) this.rendered.splice(0, this.rendered.length - 100);
        this.renderedEmitter.fire(m);
        return;
      case 'viewChanged':
        this.view = m.view;
        return;
      case 'error':
        this.output.appendLine(`[dashboard] ${m.message}`);
        return;
      case 'scaffold':
        this.answer(m, async (id) => ({ type: 'scaffoldReply', id, experimentFile: await this.requests.scaffold(m.experiment) }));
        return;
      case 'stopTraining':
        this.answer(m, async (id) => ({ type: 'stopTrainingReply', id, stopped: this.requests.stopTraining() }));
        return;
      case 'openRun':
        this.answer(m, async (id) => ({ type: 'openRunReply', id, opened: await this.requests.openRun(m.runId) }));
        return;
      case 'runExperiment':
        this.answer(m, async (id) => ({ type: 'runExperimentReply', id, state: await this.requests.runExperiment() }));
        return;
      case 'useMapping':
        this.answer(m, async (id) => ({ type: 'useMappingReply', id, experimentFile: await this.requests.useMapping(m.file, m.step) }));
        return;
      case 'compareRun':
        this.answer(m, async (id) => ({ type: 'compareRunReply', id, compared: await this.requests.compareRun(m.runId) }));
        return;
      default:
        assertNever(m);
    }
  }

  /** Posts the request's reply, or `requestFailed` with the error when its handler throws. */
  private answer<T extends DashboardRequestType>(request: DashboardRequest & { readonly type: T }, reply: (id: number) => Promise<ReplyOf<T>>): void {
    reply(request.id).then(
      (r) => this.post(r),
      (e: unknown) => this.post({ type: 'requestFailed', id: request.id, request: request.type, message: errorMessage(e) }),
    );
  }

  private post(message: ToWebviewMessage): void {
    if (!this.panel) return;
    // Before `ready`, the snapshot sent on ready already carries the state; only keep
    // messages that are not state (view switches, replies).
    if (!this.ready) {
      if (message.type === 'showView' || isReply(message)) this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  showCompare(report: CompareDocument): void {
    this.compare = report;
    this.compareMeta = { at: new Date().toISOString() };
    this.comparing = undefined;
    this.view = 'compare';
    this.post({ type: 'compare', report, meta: this.compareMeta });
    this.show('compare');
  }

  /** A comparison started: the compare view shows its progress instead of a blank panel. */
  compareStarted(files: readonly string[], streaming = false): void {
    this.comparing = { files: [...files], startedAt: new Date().toISOString(), ...(streaming ? { streaming } : {}) };
    this.view = 'compare';
    this.post({ type: 'compareStarted', progress: this.comparing });
    this.show('compare');
  }

  /** The running comparison's latest stage (the CLI's --progress-json), kept for a panel opened later. */
  compareStage(stage: CompareProgressEvent): void {
    if (!this.comparing) return;
    this.comparing = { ...this.comparing, stage };
    this.compareStages.push(stage);
    if (this.compareStages.length > 2000) this.compareStages.splice(0, this.compareStages.length - 1000);
    this.post({ type: 'compareStage', stage });
  }

  /** A comparison ended without a report: the view shows what it showed before. */
  compareEnded(reason: 'cancelled' | 'failed'): void {
    if (!this.comparing) return;
    this.comparing = undefined;
    this.post({ type: 'compareEnded', reason });
  }

  showProfile(profile: ProfileSnapshot): void {
    this.profile = profile;
    this.view = 'profile';
    this.post({ type: 'profile', profile });
    this.show('profile');
  }

  trainingStarted(status: TrainingStatus): void {
    this.trainingStatus = status;
    this.points = [];
    this.view = 'training';
    this.post({ type: 'trainingStarted', status });
  }

  trainingPoints(points: readonly CurvePoint[], status: TrainingStatus): void {
    this.trainingStatus = status;
    this.points.push(...points);
    if (this.points.length > MAX_POINTS) this.points = thin(this.points);
    this.post({ type: 'trainingPoints', points, status });
  }

  trainingFinished(status: TrainingStatus, results?: DashboardResults): void {
    this.trainingStatus = status;
    if (results) {
      this.results = results;
      this.view = 'results';
    }
    this.post({ type: 'trainingFinished', status, ...(results ? { results } : {}) });
  }

  showResults(results: DashboardResults, points?: readonly CurvePoint[], status?: TrainingStatus): void {
    this.results = results;
    if (points && status) {
      this.points = [...points];
      this.trainingStatus = status;
    }
    this.view = 'results';
    if (this.panel && this.ready && points && status) {
      // A whole run replaces what is drawn: send a fresh snapshot.
      void this.panel.webview.postMessage({ type: 'snapshot', snapshot: this.snapshot() } satisfies ToWebviewMessage);
      this.show('results');
      return;
    }
    this.post({ type: 'results', results, runs: this.runs });
    this.show('results');
  }

  setRuns(runs: readonly PastRun[]): void {
    this.runs = [...runs];
    this.post({ type: 'runs', runs: this.runs });
  }

  /** Resolves with the next `rendered` report of `view` (or the latest one already seen); a render of work in progress does not count. */
  waitForRender(view: DashboardView, timeoutMs: number, since = 0): Promise<RenderedMessage> {
    const seen = this.rendered.slice(since).reverse().find((r) => r.view === view && !r.busy);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`dashboard did not render the ${view} view within ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = this.onDidRender((r) => {
        if (r.view === view && !r.busy) {
          clearTimeout(timer);
          sub.dispose();
          resolve(r);
        }
      });
    });
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.panelDisposables) d.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Halve a long point list, keeping every series' first and last points. */
function thin(points: CurvePoint[]): CurvePoint[] {
  const perSeries = new Map<string, CurvePoint[]>();
  for (const p of points) {
    const k = `${p.arm}\u0000${p.metric}`;
    const list = perSeries.get(k) ?? [];
    list.push(p);
    perSeries.set(k, list);
  }
  const out: CurvePoint[] = [];
  for (const list of perSeries.values()) {
    for (let i = 0; i < list.length; i++) if (i % 2 === 0 || i === list.length - 1) out.push(list[i]);
  }
  return out.sort((a, b) => a.step - b.step);
}
