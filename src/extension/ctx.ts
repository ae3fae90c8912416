/**
 * The extension's state while it is active, owned in one place: the output channel, the
 * input-problem diagnostics, the dashboard panel, the training session, the language client
 * and every disposable. Commands are registered through it (so their errors are reported the
 * same way) and receive it; deactivate() disposes it, which stops the language server.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ComparisonReport } from '../protocol/dashboard';
import type { CommandId } from './commandIds';
import { DashboardController, type DashboardRequestHandlers } from './dashboard';
import { errorMessage, reportCommandError } from './errors';
import { InputProblems } from './inputProblems';
import type { DatasetLabClient } from './languageClient';
import { TrainingManager } from './training';

export class Ctx implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Dataset Lab');
  readonly problems = new InputProblems();
  readonly dashboard: DashboardController;
  readonly training: TrainingManager;
  /** The last comparison shown (for tests and other extensions). */
  lastReport: ComparisonReport | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private client: DatasetLabClient | undefined;
  private clientStarting: Promise<boolean> | undefined;

  constructor(
    readonly extension: vscode.ExtensionContext,
    dashboardRequests: (ctx: Ctx) => DashboardRequestHandlers,
  ) {
    this.dashboard = new DashboardController(extension.extensionUri, this.output, dashboardRequests(this));
    this.dashboard.trainingAllowed = vscode.workspace.isTrusted;
    this.training = new TrainingManager(extension.extensionUri, this.output, this.dashboard);
    this.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.dashboard.trainingAllowed = true;
      }),
    );
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  /** Per-workspace memory of the pickers and the last comparison. */
  get state(): vscode.Memento {
    return this.extension.workspaceState;
  }

  push(...disposables: vscode.Disposable[]): void {
    this.subscriptions.push(...disposables);
  }

  /** A command whose failure is logged with its stack and shown in one notification line. */
  registerCommand(id: CommandId, run: (...args: unknown[]) => unknown): void {
    this.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (e) {
          reportCommandError(this.output, id, e);
          return undefined;
        }
      }),
    );
  }

  /** The running language client, if any: commands ask the server for its live models through it. */
  get languageClient(): DatasetLabClient | undefined {
    return this.client;
  }

  /** Starts the language server (when dist/server.js exists); resolves with whether it runs. */
  startLanguageClient(): Promise<boolean> {
    if (this.client) return Promise.resolve(true);
    if (this.clientStarting) return this.clientStarting;
    const serverModule = vscode.Uri.joinPath(this.extensionUri, 'dist', 'server.js').fsPath;
    if (!existsSync(serverModule)) return Promise.resolve(false);
    this.clientStarting = (async () => {
      try {
        // Loaded lazily: esbuild keeps this dynamic import's module out of the startup path.
        const { DatasetLabClient } = await import('./languageClient');
        this.client = await DatasetLabClient.start(serverModule, this.output);
        return true;
      } catch (e) {
        this.output.appendLine(`[language client] failed to start: ${errorMessage(e)}`);
        return false;
      } finally {
        this.clientStarting = undefined;
      }
    })();
    return this.clientStarting;
  }

  async stopLanguageClient(): Promise<void> {
    await this.clientStarting;
    const client = this.client;
    this.client = undefined;
    await client?.stop();
  }

  /** Stops the language server and releases everything, newest first. */
  async dispose(): Promise<void> {
    await this.stopLanguageClient();
    for (const d of this.subscriptions.splice(0).reverse()) d.dispose();
    this.training.dispose();
    this.dashboard.dispose();
    this.problems.dispose();
    this.output.dispose();
  }
}
