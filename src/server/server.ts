/**
 * Dataset Lab language server: diagnostics, hovers, CodeLens and quick fixes for CSV/TSV files
 * and experiment files. Runs in its own process (`node dist/server.js --stdio` or
 * `--node-ipc`); it never imports `vscode`.
 */
import { inspect } from 'node:util';
import {
  CodeActionKind,
  IPCMessageReader,
  IPCMessageWriter,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  createConnection,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DatasetLabServer } from './datasetLabServer';
import { HeaderResync } from './headerResync';
import { QueuedChanges } from './queuedChanges';

const args = process.argv.slice(2);
let shutdownReceived = false;
let queued: QueuedChanges | undefined;
let connection: Connection;
// The transports clients use (IPC for VS Code, stdio for other editors) are built here, as the
// library would from the same argument, so that the reader can note when each edit arrives
// (QueuedChanges). --socket and --pipe are left to the library: edits there are checked one
// by one.
if (args.includes('--node-ipc')) {
  queued = new QueuedChanges(new IPCMessageReader(process));
  connection = createConnection(ProposedFeatures.all, queued, new IPCMessageWriter(process));
} else if (args.includes('--stdio')) {
  const stderrLine = (line: string) => void process.stderr.write(`${line}\n`);
  // A malformed header would put the library's reader out of step for good: HeaderResync
  // checks the framing first and skips garbage to the next header.
  const reader = new StreamMessageReader(process.stdin.pipe(new HeaderResync(stderrLine)));
  reader.onError((err) => stderrLine(`dataset-lab server: unreadable message: ${err.message.split('\n')[0]}`));
  queued = new QueuedChanges(reader);
  connection = createConnection(ProposedFeatures.all, queued, new StreamMessageWriter(process.stdout));
  // What the library does for --stdio itself: end with the client's stdin, and keep console
  // output off stdout, which carries the protocol.
  const end = () => process.exit(shutdownReceived ? 0 : 1);
  process.stdin.on('end', end);
  process.stdin.on('close', end);
  const log = (level: 'log' | 'warn' | 'error') => (...parts: unknown[]) => connection.console[level](parts.map((p) => (typeof p === 'string' ? p : inspect(p))).join(' '));
  console.log = console.info = console.debug = log('log');
  console.warn = log('warn');
  console.error = log('error');
} else {
  connection = createConnection(ProposedFeatures.all);
}
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
connection.onShutdown(() => {
  shutdownReceived = true;
});
connection.onDidOpenTextDocument((p) => server.open(TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text)));
connection.onDidChangeTextDocument((p) => server.change(p.textDocument.uri, p.textDocument.version, p.contentChanges, queued?.next()));
connection.onDidCloseTextDocument((p) => server.close(p.textDocument.uri));
connection.onDidChangeConfiguration(() => server.configurationChanged());
connection.onDidChangeWatchedFiles((p) => server.watchedFilesChanged(p.changes));
connection.onHover((p) => server.hover(p));
connection.onCodeLens((p) => server.codeLens(p));
connection.onCodeAction((p) => server.codeAction(p));
server.registerCustomRequests();

process.on('uncaughtException', (err) => connection.console.error(`dataset-lab server: ${err.stack ?? err}`));
connection.listen();
