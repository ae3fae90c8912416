/**
 * Dataset Lab language server: diagnostics, hovers, CodeLens and quick fixes for CSV/TSV files
 * and experiment files. Runs in its own process (`node dist/server.js --stdio` or
 * `--node-ipc`); it never imports `vscode`.
 */
import {
  CodeActionKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  createConnection,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DatasetLabServer } from './datasetLabServer';

const connection: Connection = createConnection(ProposedFeatures.all);
const server = new DatasetLabServer(connection);

connection.onInitialize((params): InitializeResult => {
  server.initialize(params);
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
});
connection.onInitialized(() => server.initialized());
connection.onDidOpenTextDocument((p) => server.open(TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text)));
connection.onDidChangeTextDocument((p) => server.change(p.textDocument.uri, p.textDocument.version, p.contentChanges));
connection.onDidCloseTextDocument((p) => server.close(p.textDocument.uri));
connection.onDidChangeConfiguration(() => server.configurationChanged());
connection.onDidChangeWatchedFiles((p) => server.watchedFilesChanged(p.changes));
connection.onHover((p) => server.hover(p));
connection.onCodeLens((p) => server.codeLens(p));
connection.onCodeAction((p) => server.codeAction(p));
server.registerCustomRequests();

process.on('uncaughtException', (err) => connection.console.error(`dataset-lab server: ${err.stack ?? err}`));
connection.listen();
