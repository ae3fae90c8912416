/**
 * The language client: starts the Dataset Lab language server (dist/server.js, a separate Node
 * process over IPC) for CSV/TSV and experiment files, and asks it for what it knows of an open
 * file (its live column profiles, the experiments pairing it). Loaded lazily by ctx.ts after
 * activation returns, so neither vscode-languageclient nor the protocol library count toward
 * activation time.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import { ColumnProfilesRequest, PairingsRequest } from '../protocol/lsp';
import { SERVER_PROCESS } from '../protocol/serverProcess';
import { LargeFiles } from './largeFiles';

export class DatasetLabClient {
  private constructor(
    private readonly client: LanguageClient,
    private readonly largeFiles: LargeFiles,
  ) {}

  static async start(serverModule: string, output: vscode.OutputChannel): Promise<DatasetLabClient> {
    const run = {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_PROCESS.execArgv], env: { ...process.env, ...SERVER_PROCESS.env } },
    };
    const client = new LanguageClient(
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
    // Files over VS Code's 50 MB synchronisation limit never reach the client: the server reads them.
    return new DatasetLabClient(client, new LargeFiles(client));
  }

  /** The server's profile of an open document, from its live text; null when it has no current model of it. */
  columnProfiles(uri: vscode.Uri): Promise<ColumnProfilesRequest.Result | null> {
    return this.client.sendRequest(ColumnProfilesRequest.type, { uri: uri.toString() });
  }

  /** The experiment files that pair this CSV file with other datasets, as the server indexed them. */
  pairings(uri: vscode.Uri): Promise<PairingsRequest.Result> {
    return this.client.sendRequest(PairingsRequest.type, { uri: uri.toString() });
  }

  async stop(): Promise<void> {
    this.largeFiles.dispose();
    await this.client.stop();
  }
}
