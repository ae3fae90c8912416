/**
 * The language server assembled: its shared state (serverState.ts), its features, and which
 * feature answers each LSP message (`listen`). Setup and settings live here too: `initialize`
 * (capabilities, workspace folders), `initialized` (configuration, file watchers, the first scan
 * of the workspace's experiment files) and `workspace/didChangeConfiguration`. server.ts picks the
 * transport and starts it.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CSV_GLOB } from '../protocol/files';
import { MODEL_FILE_GLOB } from './documents';
import { CONFIGURATION_SECTION } from '../protocol/lsp';
import { CheckScheduler } from './checkScheduler';
import { codeLens } from './codeLens';
import { registerCustomRequests } from './customRequests';
import { Documents } from './documents';
import { ExperimentChecks } from './experimentChecks';
import { EXPERIMENT_SUFFIX } from './experiments';
import { hover } from './hover';
import { Partners } from './partners';
import type { QueuedChanges } from './queuedChanges';
import { QuickFixes } from './quickFixes';
import { ServerState, uriToPath } from './serverState';
import { resolveSettings } from './settings';

export class DatasetLabServer {
  private readonly state: ServerState;
  private readonly partners: Partners;
  private readonly scheduler: CheckScheduler;
  private readonly experiments: ExperimentChecks;
  private readonly documents: Documents;
  private readonly quickFixes: QuickFixes;
  private initOptions: unknown;
  private canPullConfig = false;
  private canWatch = false;
  private canWatchFolders = false;

  constructor(private readonly connection: Connection) {
    const state = (this.state = new ServerState(connection));
    // Partners and the scheduler need each other: a check compares with partners, and a
    // partner's new content (or a comparison held back while typing) schedules a check.
    this.partners = new Partners(state, (st) => this.scheduler.schedule(st, 0));
    this.scheduler = new CheckScheduler(state, this.partners);
    this.experiments = new ExperimentChecks(state, () => this.scheduler.recheckAll());
    this.documents = new Documents(state, this.scheduler, this.partners, this.experiments);
    this.quickFixes = new QuickFixes(state);
  }

  /**
   * Registers a handler for every message the server answers. `queued` (when the transport is
   * read through QueuedChanges) tells each edit how it arrived, for checking bursts once.
   */
  listen(queued: QueuedChanges | undefined): void {
    const { connection, state, documents, partners } = this;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => this.initialized());
    connection.onDidChangeConfiguration(() => this.configurationChanged());
    connection.onDidOpenTextDocument((p) => documents.open(TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text)));
    connection.onDidChangeTextDocument((p) => documents.change(p.textDocument.uri, p.textDocument.version, p.contentChanges, queued?.next()));
    connection.onDidCloseTextDocument((p) => documents.close(p.textDocument.uri));
    connection.onDidChangeWatchedFiles((p) => documents.watchedFilesChanged(p.changes));
    connection.onHover((p) => hover(p, state, partners));
    connection.onCodeLens((p) => codeLens(p, state, partners));
    connection.onCodeAction((p) => this.quickFixes.codeAction(p));
    registerCustomRequests(connection, state, documents, partners);
  }

  private initialize(params: InitializeParams): InitializeResult {
    const state = this.state;
    this.initOptions = params.initializationOptions;
    state.settings = resolveSettings(params.initializationOptions);
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    state.roots = folders.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
    this.canPullConfig = params.capabilities.workspace?.configuration === true;
    this.canWatch = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.canWatchFolders = params.capabilities.workspace?.workspaceFolders === true;
    state.canShowProgress = params.capabilities.window?.workDoneProgress === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'dataset-lab-server', version: '0.1.0' },
    };
  }

  private async initialized(): Promise<void> {
    const state = this.state;
    try {
      if (this.canPullConfig) {
        void this.connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIGURATION_SECTION });
        await this.pullConfiguration();
      }
      if (this.canWatch) {
        void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/*${EXPERIMENT_SUFFIX}` }, { globPattern: CSV_GLOB }, { globPattern: MODEL_FILE_GLOB }],
        });
      }
      if (this.canWatchFolders) {
        this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
          for (const f of e.removed) state.roots = state.roots.filter((r) => r !== uriToPath(f.uri));
          for (const f of e.added) {
            const p = uriToPath(f.uri);
            if (p) state.roots.push(p);
          }
          void this.documents.scanWorkspace();
        });
      }
      await this.documents.scanWorkspace();
    } catch (err) {
      this.connection.console.error(`dataset-lab: initialisation: ${(err as Error).stack ?? err}`);
    } finally {
      state.markReady();
    }
  }

  private async pullConfiguration(): Promise<void> {
    try {
      const cfg: unknown = await this.connection.workspace.getConfiguration(CONFIGURATION_SECTION);
      // Settings from the client win; initializationOptions fill what it does not send.
      const base = (this.initOptions && typeof this.initOptions === 'object' ? this.initOptions : {}) as Record<string, unknown>;
      const c = (cfg && typeof cfg === 'object' ? cfg : {}) as Record<string, unknown>;
      this.state.settings = resolveSettings({ ...base, ...c, diagnostics: { ...(base.diagnostics as object), ...(c.diagnostics as object) } });
    } catch {
      // Keep the current settings when the client cannot answer.
    }
  }

  private async configurationChanged(): Promise<void> {
    if (this.canPullConfig) await this.pullConfiguration();
    this.state.cache.invalidate();
    for (const st of this.state.csvDocs.values()) {
      st.needsFull = true;
      this.scheduler.schedule(st, 0);
    }
    this.experiments.recheckAll();
  }
}
