// How the Parquet and Arrow readers were chosen: each candidate from the npm registry reads the
// same files (the 1M-row table of bench/read_formats.mjs, which writes them) into the columns a
// DataTable holds (Float64Array with NaN for numbers, codes into a dictionary for text), timed
// in a process of its own (wall and CPU), alternated, medians over the runs. Candidates:
// hyparquet + hyparquet-compressors (pure JavaScript, used as hyparquet's documentation shows:
// parquetRead with onChunk), parquet-wasm (Rust's arrow-rs in WebAssembly; its Arrow output
// decoded with flechette), @duckdb/node-api (native DuckDB: a prebuilt binary shipped inside the
// npm package), apache-arrow and @uwdata/flechette for Arrow IPC, and ours (readTable: hyparquet's
// page functions with our flat-column path; flechette). The candidates that are not dependencies
// are installed into bench/.data/readers/ (git-ignored) on first use.
// Usage: node bench/read_formats.mjs --rows 1000000 (once, to write the files), then
//        npm run build && node bench/parquet_readers.mjs [--runs N]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { benchHeader, measureProcess, median, option, printHeader, reported, ROOT, runsList, TMP } from './measure.mjs';

const args = process.argv.slice(2);
const runs = Number(option(args, '--runs', '3'));
const base = join(TMP, 'read-1000000');
const files = { csv: `${base}.csv`, snappy: `${base}.snappy.parquet`, zstd: `${base}.zstd.parquet`, gzip: `${base}.gzip.parquet`, arrow: `${base}.arrow` };
for (const f of Object.values(files)) if (!existsSync(f)) throw new Error(`${f} is missing: run node bench/read_formats.mjs --rows 1000000 first`);
const dir = join(ROOT, 'bench', '.data', 'readers');
if (!existsSync(join(dir, 'node_modules', '@duckdb', 'node-api'))) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', 'parquet-wasm@0.8.0', 'apache-arrow@21', '@duckdb/node-api@1.5.6-r.1', 'hyparquet@1.33.0', 'hyparquet-compressors@1.1.2', '@uwdata/flechette@2.6.0'], { cwd: dir, stdio: 'inherit' });
}
const ours = join(TMP, 'read-entry.js');
await esbuild.build({ entryPoints: [join(ROOT, 'bench', 'read-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: ours, logLevel: 'warning' });

// One script per candidate, run with the candidates' node_modules.
const script = join(dir, 'candidate.mjs');
writeFileSync(
  script,
  `import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
const [which, file] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
function codes(values) {
  const index = new Map(); const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) { const v = values[i]; if (v === null || v === undefined) { out[i] = -1; continue; } const s = typeof v === 'string' ? v : String(v); let c = index.get(s); if (c === undefined) { c = index.size; index.set(s, c); } out[i] = c; }
  return out;
}
function numbers(values) { const out = new Float64Array(values.length); for (let i = 0; i < values.length; i++) { const v = values[i]; out[i] = v === null || v === undefined ? NaN : Number(v); } return out; }
const isText = (values) => { for (const v of values) if (v !== null && v !== undefined) return typeof v === 'string' || typeof v === 'boolean'; return false; };
let rows = 0;
if (which === 'hyparquet') {
  const { parquetRead, parquetMetadata } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const b = readFileSync(file); const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  const metadata = parquetMetadata(ab); rows = Number(metadata.num_rows);
  const chunks = {};
  await parquetRead({ file: ab, metadata, compressors: { ...compressors, GZIP: (i) => new Uint8Array(gunzipSync(i)) }, onChunk: (c) => (chunks[c.columnName] ??= []).push(c) });
  for (const list of Object.values(chunks)) { const all = new Array(rows); for (const c of list) for (let i = 0; i < c.columnData.length; i++) all[c.rowStart + i] = c.columnData[i]; isText(all) ? codes(all) : numbers(all); }
} else if (which === 'parquet-wasm') {
  const pw = await import('parquet-wasm'); const { tableFromIPC } = await import('@uwdata/flechette');
  const t = tableFromIPC(pw.readParquet(new Uint8Array(readFileSync(file))).intoIPCStream()); rows = t.numRows;
  for (const n of t.names) { const v = t.getChild(n).toArray(); isText(v) ? codes(v) : numbers(v); }
} else if (which === 'duckdb') {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  const r = await c.runAndReadAll("SELECT * FROM read_parquet('" + file.replace(/'/g, "''") + "')"); rows = r.currentRowCount;
  for (const v of r.getColumns()) isText(v) ? codes(v) : numbers(v);
} else if (which === 'apache-arrow' || which === 'flechette') {
  const t = which === 'flechette' ? (await import('@uwdata/flechette')).tableFromIPC(readFileSync(file)) : (await import('apache-arrow')).tableFromIPC(readFileSync(file));
  rows = t.numRows;
  for (const f of t.schema.fields) { const col = t.getChild(f.name); const v = Array.from({ length: rows }, (_, i) => col.at(i)); isText(v) ? codes(v) : numbers(v); }
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ rows }) + '\\n');
process.stderr.write('read_s=' + (performance.now() - t0) / 1000 + '\\ncpu_s=' + (cpu.user + cpu.system) / 1e6 + '\\n');
`,
);
const programs = [
  { name: 'ours: CSV (for reference)', argv: [process.execPath, ours, files.csv] },
  ...['snappy', 'zstd', 'gzip'].flatMap((codec) => [
    { name: `ours (readTable): Parquet ${codec}`, argv: [process.execPath, ours, files[codec]] },
    { name: `hyparquet + compressors: Parquet ${codec}`, argv: [process.execPath, script, 'hyparquet', files[codec]] },
    { name: `parquet-wasm + flechette: Parquet ${codec}`, argv: [process.execPath, script, 'parquet-wasm', files[codec]] },
    { name: `@duckdb/node-api: Parquet ${codec}`, argv: [process.execPath, script, 'duckdb', files[codec]] },
  ]),
  { name: 'ours (readTable, flechette): Arrow', argv: [process.execPath, ours, files.arrow] },
  { name: 'flechette tableFromIPC + at(): Arrow', argv: [process.execPath, script, 'flechette', files.arrow] },
  { name: 'apache-arrow tableFromIPC + at(): Arrow', argv: [process.execPath, script, 'apache-arrow', files.arrow] },
];
printHeader(benchHeader());
const taken = new Map(programs.map((p) => [p.name, { read: [], cpu: [], rss: [] }]));
for (let r = 0; r < runs; r++) {
  for (const p of r % 2 ? [...programs].reverse() : programs) {
    const m = measureProcess(p.argv, { tag: 'readers' });
    const t = taken.get(p.name);
    t.read.push(reported(m.stderr, 'read_s'));
    t.cpu.push(reported(m.stderr, 'cpu_s'));
    t.rss.push(m.rssMB);
  }
}
console.log('\n| reader: file | read to columns, median s | every run | CPU s (median) | peak RSS MB |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, t] of taken) console.log(`| ${name} | ${median(t.read).toFixed(2)} | ${runsList(t.read)} | ${median(t.cpu).toFixed(2)} | ${median(t.rss).toFixed(0)} |`);
