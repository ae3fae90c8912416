/**
 * The dashboard webview panel. One controller owns the state (a snapshot of the compare report,
 * the training curves and the results) so the panel can be closed, reopened or restored after a
 * reload (WebviewPanelSerializer) and always receives a complete snapshot after its `ready`.
 */
import * as vscode from 'vscode';
import type {
  ComparisonReport,
  CurvePoint,
  DashboardPersistedState,
  DashboardRequest,
  DashboardSnapshot,
  DashboardView,
  FromWebviewMessage,
  PastRun,
  RenderedMessage,
  RunResults,
  ToWebviewMessage,
  TrainingStatus,
} from '../protocol/dashboard';
import { assertNever } from '../protocol/dashboard';

export const DASHBOARD_VIEW_TYPE = 'datasetLab.dashboard';

/** Curve points kept in the host per run; the webview downsamples for drawing. */
const MAX_POINTS = 20_000;

export type RequestHandler = (request: DashboardRequest) => Promise<void>;

export function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

export class DashboardController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: ToWebviewMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];
  private view: DashboardView = 'compare';
  private compare: ComparisonReport | undefined;
  private trainingStatus: TrainingStatus | undefined;
  private points: CurvePoint[] = [];
  private results: RunResults | undefined;
  private runs: PastRun[] = [];
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedMessage>();
  /** Fires when the webview reports what it drew (used by tests and for logging). */
  readonly onDidRender = this.renderedEmitter.event;
  readonly rendered: RenderedMessage[] = [];
  trainingAllowed = true;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.OutputChannel,
    private readonly onRequest: RequestHandler,
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
      ...(this.trainingStatus ? { training: { status: this.trainingStatus, points: this.points } } : {}),
      ...(this.results ? { results: this.results } : {}),
      runs: this.runs,
      trainingAllowed: this.trainingAllowed,
    };
  }

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
    const n = nonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'dashboard.css'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'codicons', 'codicon.css'));
    // Chart libraries set inline styles on their SVG, hence 'unsafe-inline' for styles only;
    // scripts need the nonce, and nothing may come from the network.
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource} 'unsafe-inline'`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${n}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons.toString()}">
<link rel="stylesheet" href="${css.toString()}">
<title>Dataset Lab</title>
</head>
<body>
<div id="app" data-host="vscode"></div>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
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
      case 'request': {
        const id = m.id;
        this.onRequest(m.request).then(
          () => this.post({ type: 'response', id, ok: true }),
          (e: unknown) => this.post({ type: 'response', id, ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
        return;
      }
      default:
        assertNever(m);
    }
  }

  private post(message: ToWebviewMessage): void {
    if (!this.panel) return;
    // Before `ready`, the snapshot sent on ready already carries the state; only keep
    // messages that are not state (view switches, responses).
    if (!this.ready) {
      if (message.type === 'showView' || message.type === 'response') this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  showCompare(report: ComparisonReport): void {
    this.compare = report;
    this.view = 'compare';
    this.show('compare');
    this.post({ type: 'compare', report });
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

  trainingFinished(status: TrainingStatus, results?: RunResults): void {
    this.trainingStatus = status;
    if (results) {
      this.results = results;
      this.view = 'results';
    }
    this.post({ type: 'trainingFinished', status, ...(results ? { results } : {}) });
  }

  showResults(results: RunResults, points?: readonly CurvePoint[], status?: TrainingStatus): void {
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
    this.show('results');
    this.post({ type: 'results', results, runs: this.runs });
  }

  setRuns(runs: readonly PastRun[]): void {
    this.runs = [...runs];
    this.post({ type: 'runs', runs: this.runs });
  }

  /** Resolves with the next `rendered` report of `view` (or the latest one already seen). */
  waitForRender(view: DashboardView, timeoutMs: number, since = 0): Promise<RenderedMessage> {
    const seen = this.rendered.slice(since).reverse().find((r) => r.view === view);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`dashboard did not render the ${view} view within ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = this.onDidRender((r) => {
        if (r.view === view) {
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
