// Very wide CSV files: how `dataset-lab profile` and the language server scale with the number
// of columns (20,000 / 40,000 / 100,000 columns of 30 rows by default). Time that grows with
// the square of the columns shows as a per-1,000-column time that grows with the width.
//   - CLI: the real `node dist/cli.js profile FILE` (whole process, output discarded), against
//     pandas `read_csv` + `describe` as a whole process too (start-up and imports on both
//     sides), alternated in each round; medians of --runs, every run listed.
//   - Language server: `node dist/server.js --stdio`, fresh per file: didOpen -> first
//     publishDiagnostics, then a hover on the last header cell (request -> answer).
// Usage: npm run build && node bench/wide.mjs [--columns 20000,40000,100000] [--rows 30] [--runs 3] [--no-peer]
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const TMP = join(here, '.tmp');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const widths = option('--columns', '20000,40000,100000').split(',').map(Number);
const rows = Number(option('--rows', '30'));
const runs = Number(option('--runs', '3'));
const withPeer = !args.includes('--no-peer');
const PYTHON = '/usr/bin/python3';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sec = (ms) => (ms / 1000).toFixed(2);

/** `columns` x `rows`: numbers, every 100th column text, every 7th cell of column 3 missing. */
function generate(path, columns) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject);
    out.on('finish', resolve);
    const header = [];
    for (let j = 0; j < columns; j++) header.push(j % 100 === 99 ? `label_${j}` : `feature_${j}`);
    out.write(header.join(',') + '\n');
    const labels = ['low', 'mid', 'high'];
    for (let r = 0; r < rows; r++) {
      const cells = [];
      for (let j = 0; j < columns; j++) {
        if (j % 100 === 99) cells.push(labels[(r + j) % 3]);
        else if (j === 3 && r % 7 === 0) cells.push('');
        else cells.push(String(((r * 37 + j * 11) % 1000) / 10));
      }
      out.write(cells.join(',') + '\n');
    }
    out.end();
  });
}

/** Wall time (ms) and peak RSS (bytes, from /usr/bin/time) of one process. */
function timed(argv, env) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited with ${r.status}: ${r.stderr.slice(-2000)}`);
  const rssKb = Number(r.stderr.trim().split('\n').at(-1));
  const readCsv = /read_csv_s=([\d.e-]+)/.exec(r.stdout);
  return { ms, rss: rssKb * 1024, readCsvMs: readCsv ? Number(readCsv[1]) * 1000 : undefined };
}

// describe(include='all'): numeric and text columns, as `profile` summarises both. The time of
// read_csv alone is printed too: on wide frames describe's per-column cost dominates.
const PANDAS = `
import sys, time, pandas as pd
t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t1 = time.perf_counter()
d = df.describe(include='all')
print('read_csv_s=%r' % (t1 - t0), df.shape, d.shape)
`;

async function serverTimes(file) {
  const proc = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  let onPublish = () => undefined;
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => onPublish(p));
  conn.onRequest(rpc.RegistrationRequest.type, () => null);
  conn.listen();
  await conn.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
  await conn.sendNotification(rpc.InitializedNotification.type, {});
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).toString();
  const published = new Promise((resolve) => (onPublish = (p) => p.uri === uri && p.version === 1 && resolve(p)));
  const t0 = performance.now();
  await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'csv', version: 1, text } });
  const p = await published;
  const open = performance.now() - t0;
  const headerLine = text.slice(0, text.indexOf('\n'));
  const t1 = performance.now();
  const hover = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: headerLine.length - 1 } });
  const hoverMs = performance.now() - t1;
  if (!hover) throw new Error('no hover on the last header cell');
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) * 1024;
  await conn.sendRequest(rpc.ShutdownRequest.type);
  await conn.sendNotification(rpc.ExitNotification.type);
  await new Promise((r) => proc.once('exit', r));
  conn.dispose();
  return { open, hoverMs, diagnostics: p.diagnostics.length, hwm };
}

async function main() {
  mkdirSync(TMP, { recursive: true });
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  const peerOk = withPeer && spawnSync(PYTHON, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
  const pandasVersion = peerOk ? spawnSync(PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' }).stdout.trim() : 'not run';
  console.log(`# wide CSV bench, ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; pandas ${pandasVersion}`);
  console.log(`${rows} rows per file, ${runs} runs per program (alternated), medians; whole processes on both sides`);
  const results = [];
  for (const columns of widths) {
    const file = join(TMP, `wide-${columns}x${rows}.csv`);
    if (!existsSync(file)) await generate(file, columns);
    const mb = statSync(file).size / 1e6;
    const ours = [];
    const peer = [];
    for (let i = 0; i < runs; i++) {
      ours.push(timed([process.execPath, cli, 'profile', file]));
      // The machine's OpenBLAS overrides slow a current numpy (shared/notes/BENCHMARKS.md): unset for the peer only.
      if (peerOk) peer.push(timed(['env', '-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE', PYTHON, '-c', PANDAS, file]));
    }
    const server = await serverTimes(file);
    const r = {
      columns,
      mb,
      cli: median(ours.map((x) => x.ms)),
      cliRuns: ours.map((x) => x.ms),
      cliRss: median(ours.map((x) => x.rss)),
      peer: peer.length ? median(peer.map((x) => x.ms)) : undefined,
      peerRuns: peer.map((x) => x.ms),
      peerRss: peer.length ? median(peer.map((x) => x.rss)) : undefined,
      peerReadCsv: peer.length ? median(peer.map((x) => x.readCsvMs ?? NaN)) : undefined,
      server,
    };
    results.push(r);
    console.log(
      `${columns} columns (${mb.toFixed(1)} MB): profile ${sec(r.cli)} s [${r.cliRuns.map(sec).join(', ')}], ${(r.cliRss / 1e6).toFixed(0)} MB peak` +
        (r.peer !== undefined ? `; pandas ${sec(r.peer)} s [${r.peerRuns.map(sec).join(', ')}] (read_csv alone, in-process: ${sec(r.peerReadCsv)} s), ${(r.peerRss / 1e6).toFixed(0)} MB peak; ours/pandas ${(r.cli / r.peer).toFixed(2)}` : '') +
        `; server first diagnostics ${sec(server.open)} s (${server.diagnostics} diagnostics), hover on the last column ${server.hoverMs.toFixed(1)} ms, server peak RSS ${(server.hwm / 1e6).toFixed(0)} MB`,
    );
  }
  console.log('\n| columns | file | `profile` (s) | per 1,000 columns (s) | pandas read_csv + describe (s) | ours / pandas | pandas read_csv alone, in-process (s) | server: first diagnostics (s) | per 1,000 columns (s) | hover, last column (ms) |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const k = r.columns / 1000;
    console.log(
      `| ${r.columns} | ${r.mb.toFixed(1)} MB | ${sec(r.cli)} | ${(r.cli / 1000 / k).toFixed(3)} | ${r.peer !== undefined ? sec(r.peer) : '-'} | ${r.peer !== undefined ? (r.cli / r.peer).toFixed(2) : '-'} | ${r.peerReadCsv !== undefined ? sec(r.peerReadCsv) : '-'} | ${sec(r.server.open)} | ${(r.server.open / 1000 / k).toFixed(3)} | ${r.server.hoverMs.toFixed(1)} |`,
    );
  }
}

await main();
