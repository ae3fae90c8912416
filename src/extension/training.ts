/**
 * Training from the editor: the engine runs in a forked child process (dist/trainer.js, started
 * by src/training/host.ts) that sends progress, epochs and the outcome in the typed messages of
 * src/protocol/training.ts and takes a cancel request. This session shows the progress (a
 * notification with Cancel, a status bar item, the output channel) and streams curves to the
 * dashboard at a bounded rate. Only one run at a time: a new run refuses while one is active.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { CurvePoint, DashboardResults, TrainingStatus } from '../protocol/dashboard';
import { formatDuration } from '../protocol/format';
import type { EncodingMessage, FromTrainerMessage } from '../protocol/training';
import type { ArmName } from '../protocol/runFolder/contract';
import { TrainingRun } from '../training/host';
import { CommandIds } from './commandIds';
import type { DashboardController } from './dashboard';
import { epochPoints, listRuns } from './runs';

/** The `when`-clause context key that is true while a run trains (package.json's menus read it). */
const TRAINING_CONTEXT = 'datasetLab.training';

/** Dashboard updates at most this often while training streams. */
const FLUSH_MS = 200;

export interface TrainingOutcome {
  readonly state: 'completed' | 'cancelled' | 'failed';
  readonly runDir: string | null;
  readonly results?: DashboardResults;
  readonly error?: string;
}

export class TrainingManager implements vscode.Disposable {
  private child: TrainingRun | undefined;
  private status: TrainingStatus | undefined;
  private pending: CurvePoint[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly statusBar = vscode.window.createStatusBarItem('datasetLab.training', vscode.StatusBarAlignment.Left, 10);
  private readonly epochSeconds = new Map<string, number[]>();
  private models: string[] = [];
  /** The current run is a cross-validation run: epoch records carry their fold, the refit has none. */
  private crossValidation = false;
  private readonly doneEmitter = new vscode.EventEmitter<TrainingOutcome>();
  readonly onDidFinish = this.doneEmitter.event;
  /** The last embedding progress of the current run (a pretrained text encoder), until training starts. */
  private encoding: EncodingMessage | undefined;
  private readonly encodingEmitter = new vscode.EventEmitter<EncodingMessage>();
  /** Embedding progress of a pretrained text encoder, as the trainer reports it (status bar, notification, output). */
  readonly onDidEncode = this.encodingEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.OutputChannel,
    private readonly dashboard: DashboardController,
  ) {
    this.statusBar.name = 'Dataset Lab Training';
    this.statusBar.command = CommandIds.openDashboard;
    void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT, false);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  trainerPath(): string {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'trainer.js').fsPath;
  }

  /** Starts a run and resolves when it ends; progress shows in a cancellable notification. */
  async run(experiment: vscode.Uri, options: { arms?: readonly string[]; silent?: boolean } = {}): Promise<TrainingOutcome> {
    // Read before the check below, so no await sits between the check and the start.
    // The experiment's own name and data files: the Training tab says which run of what it shows.
    const spec = (await readExperimentSettings(experiment)) as { name?: unknown; datasets?: { path?: unknown }[]; model?: { type?: unknown } } | undefined;
    const datasets = (Array.isArray(spec?.datasets) ? spec.datasets : []).map((d) => d?.path).filter((p): p is string => typeof p === 'string');
    if (this.child) throw new Error('A training run is already in progress. Stop it first (Dataset Lab: Stop Training).');
    const trainer = this.trainerPath();
    if (!existsSync(trainer)) throw new Error(`The training engine is not built (${trainer} is missing). Run "npm run build".`);
    const folder = vscode.workspace.getWorkspaceFolder(experiment);
    const name = vscode.workspace.asRelativePath(experiment);
    const config = vscode.workspace.getConfiguration('datasetLab', experiment);
    const backend = config.get<string>('training.backend', 'auto');
    const runtime = config.get<string>('training.runtime', '').trim();
    this.output.appendLine(`[training] starting ${name}${backend !== 'auto' ? ` (backend ${backend})` : ''}`);
    const child = TrainingRun.start({
      experimentPath: experiment.fsPath,
      ...(folder ? { root: folder.uri.fsPath } : {}),
      ...(options.arms ? { arms: options.arms as readonly ArmName[] } : {}),
      ...(backend !== 'auto' ? { backend } : {}),
      progressIntervalMs: 100,
      trainerPath: trainer,
      ...(runtime ? { execPath: runtime } : {}),
      // In desktop VS Code the runtime is Electron: make it behave as plain Node.
      env: { ELECTRON_RUN_AS_NODE: '1' },
      // Models named by an experiment load only in a trusted workspace; a pretrained model id is
      // downloaded into the local model cache only when the setting allows it (never untrusted).
      text: { trusted: vscode.workspace.isTrusted, allowModelDownload: vscode.workspace.isTrusted && config.get<boolean>('text.allowModelDownload', false) },
    });
    this.child = child;
    this.encoding = undefined;
    this.pending = [];
    this.epochSeconds.clear();
    this.models = [];
    void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT, true);
    this.status = {
      runId: '',
      name,
      ...(typeof spec?.name === 'string' && spec.name ? { experiment: spec.name } : {}),
      ...(typeof spec?.model?.type === 'string' ? { modelType: spec.model.type } : {}),
      startedAt: new Date().toISOString(),
      ...(datasets.length ? { datasets } : {}),
      state: 'running',
      arms: [],
    };
    this.statusBar.text = `$(sync~spin) Dataset Lab: starting ${name}`;
    this.statusBar.tooltip = 'Training in progress: click to open the dashboard';
    this.statusBar.show();
    this.dashboard.trainingStarted(this.status);

    child.onMessage((m) => this.handle(m));
    const outcome: Promise<TrainingOutcome> = child.done.then((o) => {
      switch (o.status) {
        case 'completed':
          return { state: 'completed', runDir: o.runDir, results: o.results };
        case 'cancelled':
          return { state: 'cancelled', runDir: o.runDir };
        case 'failed': {
          const e = o.error;
          const kind = e.kind === 'diverged' ? 'training diverged' : e.kind === 'input' ? 'bad input' : e.kind === 'storage' ? 'cannot save the run' : 'internal error';
          return { state: 'failed', runDir: e.runDir, error: `${kind}: ${e.message}` };
        }
      }
    });

    const result = options.silent
      ? await outcome
      : await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Dataset Lab: training ${name}`, cancellable: true },
          async (progress, token) => {
            const sub = token.onCancellationRequested(() => this.stop());
            const timer = setInterval(() => {
              const s = this.status;
              const e = this.encoding;
              if (s?.arm) {
                const eta = s.etaSeconds !== undefined ? `, ETA ${formatSeconds(s.etaSeconds)}` : '';
                progress.report({ message: `${s.arm} epoch ${s.epoch ?? 0}/${s.epochs ?? '?'}${eta}` });
              } else if (e) {
                progress.report({ message: `embedding ${e.dataset}/${e.column} with ${e.model}: ${e.done}/${e.total} texts` });
              }
            }, 500);
            try {
              return await outcome;
            } finally {
              clearInterval(timer);
              sub.dispose();
            }
          },
        );
    this.flush();
    this.cleanup();
    const final: TrainingStatus = { ...(this.status ?? { runId: '', name, arms: [] }), state: result.state, ...(result.error ? { error: result.error } : {}) };
    this.status = final;
    this.dashboard.trainingFinished(final, result.results);
    this.dashboard.setRuns(await listRuns());
    this.output.appendLine(`[training] ${result.state}${result.error ? `: ${result.error}` : ''}${result.runDir ? ` (${result.runDir})` : ''}`);
    this.doneEmitter.fire(result);
    return result;
  }

  private handle(m: FromTrainerMessage): void {
    const s = this.status;
    if (!s) return;
    switch (m.type) {
      case 'started':
        this.models = [...m.models];
        this.crossValidation = m.folds !== undefined;
        this.status = { ...s, runId: m.runId, arms: m.models };
        this.output.appendLine(`[training] run ${m.runId} in ${m.runDir} (backend ${m.backend}; models ${m.models.join(', ')})`);
        this.dashboard.trainingStarted(this.status);
        return;
      case 'progress': {
        const step = m.epoch - 1 + (m.batches > 0 ? m.batch / m.batches : 1);
        // Cross-validation trains each model once per fold: batch losses would run back in time; epoch curves carry the folds.
        if (Number.isFinite(m.loss) && m.folds === undefined) this.pending.push({ arm: m.model, metric: 'batch_loss', step, value: m.loss });
        this.status = {
          ...s,
          arm: m.model,
          epoch: m.epoch,
          epochs: m.epochs,
          samplesPerSecond: m.samplesPerSecond,
          recorded: false,
          etaSeconds: this.eta(m.model, m.epoch, m.epochs, m.batch, m.batches),
        };
        this.statusBar.text = `$(sync~spin) ${m.model} ${m.epoch}/${m.epochs}`;
        this.schedule();
        return;
      }
      case 'encoding': {
        this.encoding = m;
        this.encodingEmitter.fire(m);
        const what = `${m.dataset}/${m.column} with ${m.model}`;
        this.statusBar.text = `$(sync~spin) embedding ${m.dataset} ${m.done}/${m.total}`;
        if (m.done === m.total) this.output.appendLine(`[training] ${m.cached ? `embeddings of ${what}: ${m.total} texts from the embedding cache` : `embedded ${m.total} texts of ${what} (${Math.round(m.rowsPerSecond)} texts/s${m.runtime ? `, ${m.runtime}` : ''})`}`);
        return;
      }
      case 'epoch': {
        const r = m.record;
        const list = this.epochSeconds.get(r.model) ?? [];
        list.push(r.seconds);
        this.epochSeconds.set(r.model, list);
        this.pending.push(...epochPoints(r, { cv: this.crossValidation }));
        const best = { ...(s.bestEpoch ?? {}) };
        const prev = this.bestLoss.get(r.model);
        if (typeof r.valLoss === 'number' && (prev === undefined || r.valLoss < prev)) {
          this.bestLoss.set(r.model, r.valLoss);
          best[r.model] = r.epoch;
        }
        // What history.jsonl's last line now says (the status line binds these to it).
        this.status = { ...s, arm: r.model, epoch: r.epoch, samplesPerSecond: r.samplesPerSecond, recorded: true, bestEpoch: best };
        this.output.appendLine(
          `[training] ${r.model} epoch ${r.epoch}: loss ${r.trainLoss !== null ? r.trainLoss.toFixed(4) : '-'}${r.valLoss !== null ? `, val_loss ${r.valLoss.toFixed(4)}` : ''}`,
        );
        this.schedule();
        return;
      }
      default:
        return;
    }
  }

  private readonly bestLoss = new Map<string, number>();

  private eta(model: string, epoch: number, epochs: number, batch: number, batches: number): number | undefined {
    const all = [...this.epochSeconds.values()].flat();
    if (!all.length) return undefined;
    const perEpoch = all.reduce((a, b) => a + b, 0) / all.length;
    const idx = this.models.indexOf(model);
    const laterModels = idx >= 0 ? this.models.length - idx - 1 : 0;
    const left = epochs - epoch + (batches > 0 ? 1 - batch / batches : 0) + laterModels * epochs;
    return Math.max(0, left * perEpoch);
  }

  private schedule(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, FLUSH_MS);
  }

  private flush(): void {
    if (!this.status) return;
    const pts = this.pending.splice(0);
    this.dashboard.trainingPoints(pts, this.status);
  }

  /** Ask the child to stop (it keeps finished epochs); kill it if it does not within 3 s. */
  stop(): boolean {
    const child = this.child;
    if (!child) return false;
    this.output.appendLine('[training] stop requested');
    child.cancel();
    // The engine stops within a second; a child that does not is ended.
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    return true;
  }

  private cleanup(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const child = this.child;
    this.child = undefined;
    this.bestLoss.clear();
    if (child) setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    this.statusBar.hide();
    void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT, false);
  }

  dispose(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.statusBar.dispose();
    this.doneEmitter.dispose();
    this.encodingEmitter.dispose();
  }
}

export function formatSeconds(s: number): string {
  return formatDuration(s);
}

/** The experiment file's JSON, for the Results view's settings section. */
export async function readExperimentSettings(uri: vscode.Uri): Promise<unknown> {
  try {
    return JSON.parse(await readFile(uri.fsPath, 'utf8'));
  } catch {
    return undefined;
  }
}
