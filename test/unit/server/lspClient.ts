/**
 * A minimal LSP client for tests and benchmarks: spawns the real server bundle
 * (`node dist/server.js --stdio`) and speaks JSON-RPC to it over its stdio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgressCreateRequest,
  createProtocolConnection,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Registration,
  type TextDocumentContentChangeEvent,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { CheckedNotification } from '../../../src/protocol/lsp';

/** Repository root: tests run from out/test/unit/server, sources from test/unit/server. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export const SERVER_JS = path.join(repoRoot(), 'dist', 'server.js');
export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'server');
export const fileUri = (p: string) => pathToFileURL(p).toString();

export interface StartOptions {
  readonly workspace?: string;
  readonly initializationOptions?: unknown;
  /** When set, the client advertises workspace/configuration and answers with this for `datasetLab`. */
  readonly configuration?: unknown;
  readonly execArgv?: readonly string[];
  /** Advertise window.workDoneProgress: the server may then report progress (collected in `progress`). */
  readonly workDoneProgress?: boolean;
}

type Waiter = { pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

export class TestClient {
  readonly published = new Map<string, PublishDiagnosticsParams>();
  readonly checked: CheckedNotification.Params[] = [];
  /** Capabilities the server registered with the client (client/registerCapability), in order. */
  readonly registrations: Registration[] = [];
  /** Work-done progress the server created (tokens) and reported (`$/progress` values), in order. */
  readonly progressTokens: (string | number)[] = [];
  readonly progress: { token: string | number; value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd }[] = [];
  stderr = '';
  private waiters: Waiter[] = [];
  private checkedWaiters: { pred: (p: CheckedNotification.Params) => boolean; resolve: (p: CheckedNotification.Params) => void }[] = [];
  private exited = false;
  exitCode: number | null = null;

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: ProtocolConnection,
  ) {
    proc.on('exit', (code) => {
      this.exited = true;
      this.exitCode = code;
    });
    proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.set(p.uri, p);
      const ready = this.waiters.filter((w) => w.pred(p));
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(p);
    });
    conn.onNotification(CheckedNotification.type, (p) => {
      this.checked.push(p);
      const ready = this.checkedWaiters.filter((w) => w.pred(p));
      this.checkedWaiters = this.checkedWaiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(p);
    });
  }

  static async start(options: StartOptions = {}): Promise<{ client: TestClient; init: InitializeResult }> {
    const proc = spawn(process.execPath, [...(options.execArgv ?? []), SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new TestClient(proc, conn);
    conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => options.configuration ?? null));
    conn.onRequest(RegistrationRequest.type, (p) => {
      client.registrations.push(...p.registrations);
      return null;
    });
    conn.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
      client.progressTokens.push(p.token);
      return null;
    });
    conn.onNotification('$/progress', (p: { token: string | number; value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd }) => {
      client.progress.push({ token: p.token, value: p.value });
    });
    conn.listen();
    const ws = options.workspace;
    const init = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: ws ? fileUri(ws) : null,
      workspaceFolders: ws ? [{ uri: fileUri(ws), name: path.basename(ws) }] : null,
      initializationOptions: options.initializationOptions,
      capabilities: {
        workspace: { configuration: options.configuration !== undefined, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
        ...(options.workDoneProgress ? { window: { workDoneProgress: true } } : {}),
      },
    });
    await conn.sendNotification(InitializedNotification.type, {});
    return { client, init };
  }

  async open(uri: string, text: string, languageId = 'csv', version = 1): Promise<void> {
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Resolves with the next (or an already received) publication for `uri` that satisfies `pred`. */
  diagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 20000): Promise<Diagnostic[]> {
    const have = this.published.get(uri);
    if (have && pred(have)) return Promise.resolve(have.diagnostics);
    return new Promise<Diagnostic[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        pred: (p) => p.uri === uri && pred(p),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p.diagnostics);
        },
      });
    });
  }

  /** Diagnostics published for exactly this document version. */
  diagnosticsFor(uri: string, version: number, timeoutMs?: number): Promise<Diagnostic[]> {
    return this.diagnostics(uri, (p) => p.version === version, timeoutMs);
  }

  nextChecked(pred: (p: CheckedNotification.Params) => boolean, timeoutMs = 60000): Promise<CheckedNotification.Params> {
    const have = this.checked.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no check within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.checkedWaiters.push({
        pred,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    try {
      await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      // The process may already be gone.
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
    this.conn.dispose();
  }
}

/** A compact, comparable form of a diagnostic: "code line:char-line:char". */
export function brief(d: Diagnostic): string {
  const r = d.range;
  return `${String(d.code)} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** `text` with LSP text edits applied (non-overlapping; positions in the text before the edits). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  const at = (p: { line: number; character: number }) => starts[p.line] + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => at(b.range.start) - at(a.range.start))) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}
