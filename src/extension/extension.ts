/**
 * Dataset Lab extension entry. Activation only wires: commands, the dashboard serializer, the
 * CodeLens, the status bar and (when dist/server.js exists) the language client, started after
 * activation returns. No data is read and TensorFlow.js is never loaded in this process.
 */
const moduleLoadStart = performance.now();

import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { Commands } from './commands';
import { DashboardController } from './dashboard';
import { ExperimentCodeLens } from './codeLens';
import { InputProblems } from './inputProblems';
import { SERVER_PROCESS } from '../protocol/serverProcess';
import { TrainingManager } from './training';

/** What activate() returns: used by the integration tests, and by other extensions. */
export interface DatasetLabApi {
  /** Milliseconds spent in activate(). */
  readonly activationMs: number;
  /** Milliseconds evaluating this module's own top level (bundled dependencies load lazily). */
  readonly moduleEvalMs: number;
  /** Cumulative milliseconds at each activation step, for diagnosing a slow activation. */
  readonly activationMarks: readonly (readonly [string, number])[];
  readonly dashboard: DashboardController;
  readonly commands: Commands;
  readonly training: TrainingManager;
  readonly problems: InputProblems;
  /** Resolves once the language client has started (or immediately when there is no server). */
  readonly languageClientReady: Promise<boolean>;
}

const moduleEvalEnd = performance.now();

let stopClient: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): DatasetLabApi {
  const activateStart = performance.now();
  const marks: [string, number][] = [];
  const mark = (name: string) => marks.push([name, performance.now() - activateStart]);
  const output = vscode.window.createOutputChannel('Dataset Lab');
  const problems = new InputProblems();
  let commands: Commands | undefined;
  const dashboard = new DashboardController(context.extensionUri, output, (r) =>
    commands ? commands.handleDashboardRequest(r) : Promise.reject(new Error('not ready')),
  );
  mark('dashboard');
  dashboard.trainingAllowed = vscode.workspace.isTrusted;
  const training = new TrainingManager(context.extensionUri, output, dashboard);
  mark('training');
  commands = new Commands({ extensionUri: context.extensionUri, state: context.workspaceState, output, dashboard, problems, training });
  context.subscriptions.push(
    output,
    problems,
    dashboard,
    training,
    ...commands.register(),
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.experiment.json' }, new ExperimentCodeLens()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      dashboard.trainingAllowed = true;
    }),
  );
  mark('subscriptions');
  void vscode.commands.executeCommand('setContext', 'datasetLab.training', false);

  const serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const languageClientReady = existsSync(serverModule)
    ? new Promise<boolean>((resolve) => {
        // After activation returns, so the client's bundle never counts toward activation time.
        setTimeout(() => {
          startLanguageClient(context, serverModule, output).then(
            () => resolve(true),
            (e: unknown) => {
              output.appendLine(`[language client] failed to start: ${e instanceof Error ? e.message : String(e)}`);
              resolve(false);
            },
          );
        }, 0);
      })
    : Promise.resolve(false);

  mark('end');
  return {
    activationMarks: marks,
    activationMs: performance.now() - activateStart,
    moduleEvalMs: moduleEvalEnd - moduleLoadStart,
    dashboard,
    commands,
    training,
    problems,
    languageClientReady,
  };
}

async function startLanguageClient(context: vscode.ExtensionContext, serverModule: string, output: vscode.OutputChannel): Promise<void> {
  // Loaded lazily: esbuild keeps this dynamic import's module out of the startup path.
  const lc = await import('vscode-languageclient/node');
  const run = {
    module: serverModule,
    transport: lc.TransportKind.ipc,
    options: { execArgv: [...SERVER_PROCESS.execArgv], env: { ...process.env, ...SERVER_PROCESS.env } },
  };
  const client = new lc.LanguageClient(
    'datasetLab',
    'Dataset Lab Language Server',
    { run, debug: run },
    {
      documentSelector: [
        { scheme: 'file', language: 'csv' },
        { scheme: 'file', language: 'tsv' },
        { scheme: 'file', pattern: '**/*.experiment.json' },
      ],
      outputChannel: output,
      synchronize: { configurationSection: 'datasetLab' },
      initializationOptions: { missingTokens: vscode.workspace.getConfiguration('datasetLab').get<string[]>('missingTokens') },
    },
  );
  await client.start();
  stopClient = () => client.stop();
  context.subscriptions.push({ dispose: () => void client.stop() });
  // Files over VS Code's 50 MB synchronisation limit never reach the client: the server reads them.
  const { LargeFiles } = await import('./largeFiles');
  context.subscriptions.push(new LargeFiles(client));
}

export async function deactivate(): Promise<void> {
  await stopClient?.();
  stopClient = undefined;
}
