// Language-server benchmark: starts the real server (dist/server.js) as the extension does
// (forked, Node IPC, the flags of src/protocol/serverProcess.ts), talks LSP to it and measures,
// against peers run in the same process and the same run:
//   - first diagnostics for a 5 MB and a 100 MB CSV (didOpen -> publishDiagnostics),
//   - updated diagnostics after a one-line edit on the 5 MB file (didChange -> publishDiagnostics
//     of that version), and after a typing burst (last didChange -> diagnostics of its version),
//   - the server's resident memory with the files open, against their size (over IPC, and
//     over stdio as `node dist/server.js --stdio` runs for other editors), and after ten
//     one-line edits on the 100 MB file (with their times); hovers on its header cells.
// Peers: the engine's in-memory ingest + profile (parseCsvText + profileTable, src/core) and
// papaparse with dynamic typing, on the same text, alternated with the server's runs. Every run
// is printed beside its median.
// Usage: npm run bench:server  (node --expose-gc bench/server.mjs [--runs N] [--mem-runs M] [--skip-large] [--plain-launch] [--server-node PATH])
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { generateBenchCsv } from './ingest-generate.mjs';
import { benchHeader, loadAverage, median, printHeader, runsList } from './measure.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const TMP = join(here, '.tmp');
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5);
// Fresh servers measured for memory per transport (each opens 105 MB and edits it).
const memRuns = Number(args.includes('--mem-runs') ? args[args.indexOf('--mem-runs') + 1] : 3);
const skipLarge = args.includes('--skip-large');
// --server-node PATH: run the server on another Node (e.g. the test host's Node 24, which is
// what code-server's extension host forks it with); the default is this Node.
const serverNode = args.includes('--server-node') ? args[args.indexOf('--server-node') + 1] : process.execPath;

const rpc = require('vscode-languageserver-protocol/node');
const Papa = require('papaparse');

const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const ms = (x) => `${x.toFixed(1)} ms`;

async function ensureFile(path, rows) {
  if (!existsSync(path)) {
    mkdirSync(TMP, { recursive: true });
    await generateBenchCsv(path, rows);
  }
  return path;
}

/**
 * Starts dist/server.js as the extension's language client does (src/extension/extension.ts):
 * forked over Node IPC with the flags and environment of src/protocol/serverProcess.ts; or,
 * with transport 'stdio', as a standalone `node dist/server.js --stdio` with the same flags.
 */
async function startServer(launch, transport = 'ipc') {
  const env = { ...process.env, ...launch.env };
  let proc;
  let conn;
  if (transport === 'ipc') {
    proc = fork(join(root, 'dist', 'server.js'), ['--node-ipc'], { execPath: serverNode, execArgv: [...launch.execArgv], env, silent: true });
    proc.stderr.pipe(process.stderr);
    conn = rpc.createProtocolConnection(new rpc.IPCMessageReader(proc), new rpc.IPCMessageWriter(proc));
  } else {
    proc = spawn(serverNode, [...launch.execArgv, join(root, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env });
    conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  }
  const waiters = [];
  /** Versions published per document, to see which versions of a typing burst were checked. */
  const versions = new Map();
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    const t = performance.now();
    if (!versions.has(p.uri)) versions.set(p.uri, []);
    versions.get(p.uri).push(p.version);
    for (const w of waiters.splice(0)) {
      if (w.uri === p.uri && (w.version === p.version || (w.version === undefined && p.version === undefined))) w.resolve({ t, p });
      else waiters.push(w);
    }
  });
  conn.onRequest(rpc.RegistrationRequest.type, () => null);
  conn.listen();
  await conn.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
  await conn.sendNotification(rpc.InitializedNotification.type, {});
  const published = (uri, version) => new Promise((resolve) => waiters.push({ uri, version, resolve }));
  /** The time of the next publication for `uri`, whatever its version (disk files have none). */
  const onPublish = (uri, resolve) => waiters.push({ uri, version: undefined, resolve: ({ t }) => resolve(t) });
  const rss = () => {
    const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)[1]);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  };
  const stop = async () => {
    await conn.sendRequest(rpc.ShutdownRequest.type);
    await conn.sendNotification(rpc.ExitNotification.type);
    await new Promise((r) => proc.once('exit', r));
    conn.dispose();
  };
  return { conn, published, onPublish, rss, stop, versions };
}

/**
 * The peers run in this process and leave hundreds of MB of garbage; collect it before each
 * timed message (when run with --expose-gc, as `npm run bench:server` does) so that the client
 * side of a measurement is not a collection of the peers' heap.
 */
const settle = () => globalThis.gc?.();

async function firstDiagnostics(server, text, name) {
  const uri = `file:///bench/${name}.csv`;
  settle();
  const wait = server.published(uri, 1);
  const t0 = performance.now();
  await server.conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'csv', version: 1, text } });
  const { t, p } = await wait;
  return { ms: t - t0, uri, diagnostics: p.diagnostics.length };
}

/**
 * `count` one-line edits on an open document (versions 2, 3, ...), each replacing the second
 * cell of another line; returns the times from didChange to that version's diagnostics.
 */
async function oneLineEdits(server, uri, text, count, between = () => {}) {
  const lines = text.split('\n');
  const times = [];
  for (let v = 2; v < 2 + count; v++) {
    const line = 1 + ((v * 7919) % (lines.length - 3));
    const cells = lines[line].split(',');
    const start = cells[0].length + 1;
    settle();
    const wait = server.published(uri, v);
    const t0 = performance.now();
    await server.conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: v },
      contentChanges: [{ range: { start: { line, character: start }, end: { line, character: start + cells[1].length } }, text: String(v % 97) }],
    });
    const { t } = await wait;
    times.push(t - t0);
    if (process.env.BENCH_VERBOSE) console.error(`edit ${v}: ${ms(t - t0)}`);
    between();
  }
  return times;
}

/**
 * Typing: `keys` one-character insertions at the end of one cell, `gapMs` apart, without waiting
 * for diagnostics between them (versions from..from+keys-1). Returns the time from the last
 * didChange to the diagnostics of the last version (what the user waits for once they stop
 * typing) and how many of the burst's versions were published.
 */
async function typingBurst(server, uri, text, line, from, keys, gapMs) {
  const cells = text.split('\n', line + 1)[line].split(',');
  const end = cells[0].length + 1 + cells[1].length;
  const before = (server.versions.get(uri) ?? []).length;
  settle();
  const last = from + keys - 1;
  const wait = server.published(uri, last);
  let t0 = 0;
  for (let k = 0; k < keys; k++) {
    if (k > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    t0 = performance.now();
    await server.conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: from + k },
      contentChanges: [{ range: { start: { line, character: end + k }, end: { line, character: end + k } }, text: String(k % 10) }],
    });
  }
  const { t } = await wait;
  const published = (server.versions.get(uri) ?? []).slice(before).filter((v) => v >= from && v <= last).length;
  return { ms: t - t0, published };
}

async function closeDoc(server, uri) {
  await server.conn.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
}

async function main() {
  mkdirSync(TMP, { recursive: true });
  const peerJs = join(TMP, 'server-peer.js');
  await esbuild.build({ entryPoints: [join(here, 'server-peer-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: peerJs, logLevel: 'warning' });
  const peer = require(peerJs);
  const enginePeer = (text) => {
    const t0 = performance.now();
    peer.profileTable(peer.parseCsvText(text, 'bench.csv'));
    return performance.now() - t0;
  };
  const papaPeer = (text) => {
    const t0 = performance.now();
    Papa.parse(text, { dynamicTyping: true, skipEmptyLines: true });
    return performance.now() - t0;
  };

  // --plain-launch: no flags and no environment, to measure what src/protocol/serverProcess.ts buys.
  const launch = args.includes('--plain-launch') ? { execArgv: [], env: {} } : peer.SERVER_PROCESS;
  const smallFile = await ensureFile(join(TMP, 'server-5mb.csv'), 48_500);
  const small = readFileSync(smallFile, 'utf8');
  const serverNodeVersion = execFileSync(serverNode, ['--version'], { encoding: 'utf8' }).trim();
  const header = benchHeader();
  header.serverNode = `${serverNodeVersion} (${serverNode})`;
  header.launch = JSON.stringify(launch);
  header.threads = 'server, bench client and in-process peers each run on one JavaScript thread (plus V8 helper threads)';
  printHeader(header);
  const results = { header, runs, memRuns, files: {} };
  // Cold: the first document of a fresh server, before anything else runs here. It also pays
  // for compiling the server's code (the median below is of documents opened after it).
  const cold = [];
  for (let i = 0; i < runs; i++) {
    const freshServer = await startServer(launch);
    cold.push((await firstDiagnostics(freshServer, small, 'cold')).ms);
    await freshServer.stop();
  }
  const server = await startServer(launch);

  // 5 MB: first diagnostics, alternated with the peers.
  const s = { server: [], engine: [], papaparse: [] };
  for (let i = 0; i < runs; i++) {
    const r = await firstDiagnostics(server, small, `small-${i}`);
    s.server.push(r.ms);
    await closeDoc(server, r.uri);
    s.engine.push(enginePeer(small));
    s.papaparse.push(papaPeer(small));
  }
  results.files.small = { bytes: Buffer.byteLength(small), cold, ...s };

  // One-line edits on the open 5 MB document, each awaited: each replaces one numeric cell.
  const open = await firstDiagnostics(server, small, 'small-edit');
  const reparse = [];
  const edits = await oneLineEdits(server, open.uri, small, Math.max(20, runs * 4), () => reparse.push(enginePeer(small)));
  results.files.small.edits = edits;
  results.files.small.engineReparse = reparse;
  // Typing bursts on the same document: 10 keystrokes into one cell, not awaited, 50 ms apart
  // (steady typing), 10 ms apart (key repeat) and back to back (a tool or a macro), alternated. The server
  // checks an edit on its own at once and a burst once it pauses, so what the user waits for is
  // the time from the last keystroke to the diagnostics of that version.
  const bursts = { 50: [], 10: [], 0: [] };
  let version = 2 + edits.length;
  for (let i = 0; i < runs; i++) {
    for (const gap of [50, 10, 0]) {
      bursts[gap].push(await typingBurst(server, open.uri, small, 100 + 997 * i + gap, version, 10, gap));
      version += 10;
    }
  }
  results.files.small.bursts = bursts;

  if (!skipLarge) {
    const largeFile = await ensureFile(join(TMP, 'server-100mb.csv'), 1_130_000);
    const large = readFileSync(largeFile, 'utf8');
    const l = { server: [], engine: [], papaparse: [] };
    for (let i = 0; i < runs; i++) {
      const r = await firstDiagnostics(server, large, `large-${i}`);
      l.server.push(r.ms);
      if (process.env.BENCH_VERBOSE) console.error(`100 MB run ${i}: ${ms(r.ms)}`);
      await closeDoc(server, r.uri);
      l.engine.push(enginePeer(large));
      l.papaparse.push(papaPeer(large));
    }
    results.files.large = { bytes: Buffer.byteLength(large), ...l };
    // Memory: a fresh server with the 100 MB and the 5 MB documents open, after their first
    // diagnostics and a second of idle time (the garbage of earlier runs must not count).
    const memory = async (transport) => {
      const fresh = await startServer(launch, transport);
      const idleRss = fresh.rss().rss;
      await firstDiagnostics(fresh, small, 'mem-small');
      const first = await firstDiagnostics(fresh, large, 'mem-large');
      await new Promise((res) => setTimeout(res, 1000));
      const mem = fresh.rss();
      // Hovers on each header cell of the 100 MB file (each shows the column's profile), then
      // the first one again (cached per column version).
      const hovers = [];
      const names = large.slice(0, large.indexOf('\n')).split(',');
      let character = 0;
      for (const name of names) {
        const t0 = performance.now();
        await fresh.conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri: first.uri }, position: { line: 0, character: character + 1 } });
        hovers.push(performance.now() - t0);
        character += name.length + 1;
      }
      const t0 = performance.now();
      await fresh.conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri: first.uri }, position: { line: 0, character: 1 } });
      const hoverAgainMs = performance.now() - t0;
      // Then typing in the 100 MB file: one-line edits, and the memory after them.
      const largeEdits = await oneLineEdits(fresh, first.uri, large, 10);
      await new Promise((res) => setTimeout(res, 1000));
      const afterEdits = fresh.rss();
      await fresh.stop();
      const openBytes = Buffer.byteLength(large) + Buffer.byteLength(small);
      return {
        transport,
        idleRss,
        rss: mem.rss,
        peakRss: mem.hwm,
        openBytes,
        rssRatio: mem.rss / openBytes,
        peakRatio: mem.hwm / openBytes,
        largeFirstMs: first.ms,
        hovers,
        hoverAgainMs,
        largeEdits,
        rssAfterEditsRatio: afterEdits.rss / openBytes,
      };
    };
    // In VS Code a 100 MB file is over the editor's 50 MB synchronisation limit: no didOpen
    // comes; the extension names the open file and the server reads it from disk.
    const diskRuns = [];
    for (let i = 0; i < runs; i++) {
      const fresh = await startServer(launch);
      const uri = pathToFileURL(largeFile).toString();
      settle();
      const wait = new Promise((resolve) => fresh.onPublish(uri, resolve));
      const t0 = performance.now();
      await fresh.conn.sendNotification(new rpc.NotificationType(peer.DiskFilesNotification.method), { uris: [uri] });
      diskRuns.push((await wait) - t0);
      await fresh.stop();
    }
    results.files.large.fromDisk = diskRuns;
    // IPC as the extension runs it, and the standalone transport for other editors (stdio),
    // alternated.
    results.memory = [];
    results.stdio = [];
    for (let i = 0; i < memRuns; i++) {
      results.memory.push(await memory('ipc'));
      results.stdio.push(await memory('stdio'));
    }
  }
  await server.stop();
  header.loadAverageAfter = loadAverage();
  console.log(`loadAverageAfter: ${header.loadAverageAfter}`);

  const f = results.files;
  const row = (name, xs, target = '', d = 1) => console.log(`| ${name} | ${target} | ${median(xs).toFixed(d)} | ${runsList(xs, d)} |`);
  console.log(`\nserver on Node ${serverNodeVersion}; medians, then every run in the order taken (ms)\n`);
  console.log('| case | target | median | every run |');
  console.log('| --- | --- | ---: | --- |');
  row('5 MB first diagnostics (didOpen -> publishDiagnostics), running server', f.small.server, '< 200 ms');
  row('  peer in the bench process: engine parseCsvText + profileTable', f.small.engine);
  row('  peer: papaparse, dynamic typing', f.small.papaparse);
  row('5 MB first diagnostics, first document of a fresh server (cold)', f.small.cold);
  row(`5 MB one-line edit (didChange -> publishDiagnostics of that version), awaited; p95 ${p95(f.small.edits).toFixed(1)}`, f.small.edits, '< 50 ms');
  row('  engine full re-parse of the 5 MB text (between edits)', f.small.engineReparse);
  for (const gap of [50, 10, 0]) {
    const b = f.small.bursts[gap];
    row(`5 MB typing burst, 10 keys ${gap} ms apart: last didChange -> diagnostics of the last version (versions of the burst published: ${b.map((x) => x.published).join(', ')} of 10)`, b.map((x) => x.ms));
  }
  if (f.large) {
    row('100 MB first diagnostics (didOpen), running server', f.large.server, '< 3000 ms', 0);
    row('  peer: engine parseCsvText + profileTable', f.large.engine, '', 0);
    row('  peer: papaparse, dynamic typing', f.large.papaparse, '', 0);
    row('100 MB checked from disk (as in VS Code over its 50 MB limit): file named -> diagnostics, fresh server', f.large.fromDisk, '', 0);
    for (const [name, ms_] of [['ipc', results.memory], ['stdio', results.stdio]]) {
      const r2 = (xs) => `${median(xs).toFixed(2)} | ${runsList(xs)}`;
      console.log(`| ${name}: RSS / open text size (100 MB + 5 MB open, fresh server) | < 4x | ${r2(ms_.map((m) => m.rssRatio))} |`);
      console.log(`| ${name}: peak RSS / open text size | | ${r2(ms_.map((m) => m.peakRatio))} |`);
      console.log(`| ${name}: RSS / open size after 10 one-line edits on 100 MB | | ${r2(ms_.map((m) => m.rssAfterEditsRatio))} |`);
      row(`${name}: 10 one-line edits on 100 MB (all edits of all servers)`, ms_.flatMap((m) => m.largeEdits), '', 0);
      row(`${name}: hover on each header cell of 100 MB (all hovers of all servers); again: ${runsList(ms_.map((m) => m.hoverAgainMs))}`, ms_.flatMap((m) => m.hovers));
    }
  }
  console.log(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
