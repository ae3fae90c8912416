/**
 * Dataset Lab language server: diagnostics, hovers, CodeLens and quick fixes for CSV/TSV files
 * and experiment files. Runs in its own process (`node dist/server.js --stdio` or
 * `--node-ipc`); it never imports `vscode`. This file is the process: the transport, the exit
 * code, uncaught errors; datasetLabServer.ts says which feature answers each message.
 */
import { inspect } from 'node:util';
import { IPCMessageReader, IPCMessageWriter, ProposedFeatures, StreamMessageReader, StreamMessageWriter, createConnection, type Connection } from 'vscode-languageserver/node';
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
connection.onShutdown(() => {
  shutdownReceived = true;
});
new DatasetLabServer(connection).listen(queued);

process.on('uncaughtException', (err) => connection.console.error(`dataset-lab server: ${err.stack ?? err}`));
connection.listen();
