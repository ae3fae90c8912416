// Reading the same table from CSV, Parquet (Snappy, ZSTD, GZIP, uncompressed), Arrow IPC and
// JSON Lines with readTable (src/core/readers), in-process (bench/read-entry.ts: the read alone,
// wall and CPU time) and as the real `node dist/cli.js profile FILE --json` (whole process, peak
// RSS from bench/measure.py). Two tables, both the ingest bench's generated columns (8 numeric,
// 4 categorical, some missing): 1,000,000 rows (the CSV is ~100 MB) and 3,000,000 rows (the
// Snappy Parquet file is ~100 MB). Parquet and Arrow files are written from the CSV's table by
// parquet-wasm (arrow-rs) and flechette, as a user's tools would write them. Formats alternate
// in each round; medians of every run, all runs listed.
// Usage: npm run build && node bench/read_formats.mjs [--runs N] [--rows 1000000,3000000] [--skip-cli]
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import * as fl from '@uwdata/flechette';
import * as pw from 'parquet-wasm';
import { benchHeader, measureProcess, median, option, printHeader, reported, ROOT, runsList, TMP } from './measure.mjs';
import { generateBenchCsv } from './ingest-generate.mjs';

const args = process.argv.slice(2);
const runs = Number(option(args, '--runs', '5'));
const sizes = option(args, '--rows', '1000000,3000000').split(',').map(Number);
const withCli = !args.includes('--skip-cli');
mkdirSync(TMP, { recursive: true });
const entry = join(TMP, 'read-entry.js');
await esbuild.build({ entryPoints: [join(ROOT, 'bench', 'read-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: entry, logLevel: 'warning' });

/** The CSV's table as an Arrow table (numbers as float64, text as dictionary-encoded utf8). */
async function arrowOf(csvFile) {
  const bundle = join(TMP, 'read-convert.cjs');
  await esbuild.build({ stdin: { contents: "export { readCsvFile } from './src/core/ingest';", resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning' });
  const { readCsvFile } = await import(bundle);
  const t = await readCsvFile(csvFile);
  const data = {};
  const types = {};
  for (const c of t.columns) {
    if (c.type === 'numeric') {
      data[c.name] = Array.from(c.values, (v) => (Number.isNaN(v) ? null : v));
      types[c.name] = fl.float64();
    } else {
      data[c.name] = Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k]));
      types[c.name] = fl.dictionary(fl.utf8());
    }
  }
  return fl.tableFromArrays(data, { types });
}

function prepare(rows) {
  return (async () => {
    const base = join(TMP, `read-${rows}`);
    const files = { csv: `${base}.csv`, 'parquet snappy': `${base}.snappy.parquet`, 'parquet zstd': `${base}.zstd.parquet`, 'parquet gzip': `${base}.gzip.parquet`, 'parquet uncompressed': `${base}.plain.parquet`, arrow: `${base}.arrow`, jsonl: `${base}.jsonl` };
    if (!existsSync(files.csv)) await generateBenchCsv(files.csv, rows);
    if (Object.values(files).every((f) => existsSync(f))) return files;
    const table = await arrowOf(files.csv);
    const ipc = fl.tableToIPC(table, { format: 'stream' });
    for (const [codec, file] of [[pw.Compression.SNAPPY, files['parquet snappy']], [pw.Compression.ZSTD, files['parquet zstd']], [pw.Compression.GZIP, files['parquet gzip']], [pw.Compression.UNCOMPRESSED, files['parquet uncompressed']]]) {
      const props = new pw.WriterPropertiesBuilder().setCompression(codec).setMaxRowGroupSize(128 * 1024).build();
      writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(ipc), props));
    }
    writeFileSync(files.arrow, fl.tableToIPC(table, { format: 'file' }));
    const names = table.names;
    const cols = names.map((n) => table.getChild(n).toArray());
    // Written in pieces: 3M lines are more text than one JavaScript string may hold.
    const fd = openSync(files.jsonl, 'w');
    let piece = '';
    for (let i = 0; i < table.numRows; i++) {
      piece += JSON.stringify(Object.fromEntries(names.map((n, j) => [n, cols[j][i]]))) + '\n';
      if (piece.length > 1 << 24) {
        writeSync(fd, piece);
        piece = '';
      }
    }
    writeSync(fd, piece);
    closeSync(fd);
    return files;
  })();
}

const header = benchHeader();
printHeader(header);
for (const rows of sizes) {
  const files = await prepare(rows);
  console.log(`\n## ${rows} rows\n`);
  for (const [k, f] of Object.entries(files)) console.log(`${k}: ${f} (${(statSync(f).size / 1e6).toFixed(1)} MB)`);
  const taken = new Map(Object.keys(files).map((k) => [k, { read: [], cpu: [], wall: [], rss: [] }]));
  // The same table from each file: checked once, before timing.
  let expected;
  // A file the reader refuses (e.g. JSON Lines over 512 MB: one string) is listed with its message, not timed.
  const failed = new Map();
  for (const [k, f] of Object.entries(files)) {
    let m;
    try {
      m = measureProcess([process.execPath, entry, f], { tag: 'read' });
    } catch (e) {
      failed.set(k, String(e.message).split('exited with').pop().trim().split('\n')[0]);
      console.log(`note: ${k} cannot be read: ${failed.get(k)}`);
      taken.delete(k);
      continue;
    }
    const shape = m.stdout.trim();
    if (k === 'parquet zstd') console.log(`ZSTD decoder on Node ${process.version}: ${m.stderr.match(/zstd_decoder=(\S+)/)?.[1] ?? 'unknown'} (src/core/readers/zstd.ts)`);
    expected ??= shape;
    if (shape !== expected) console.log(`note: ${k} reads to ${shape.slice(0, 300)} (CSV: ${expected.slice(0, 300)})`);
  }
  for (let r = 0; r < runs; r++) {
    const order = Object.entries(files).filter(([k]) => !failed.has(k));
    if (r % 2) order.reverse();
    for (const [k, f] of order) {
      const t = taken.get(k);
      const m = measureProcess([process.execPath, entry, f], { tag: 'read' });
      t.read.push(reported(m.stderr, 'read_s'));
      t.cpu.push(reported(m.stderr, 'cpu_s'));
      if (withCli) {
        const w = measureProcess([process.execPath, join(ROOT, 'dist', 'cli.js'), 'profile', f, '--json'], { tag: 'read-cli' });
        t.wall.push(w.wall);
        t.rss.push(w.rssMB);
      }
    }
  }
  console.log(`\n| file | MB | read, in-process (median s) | every run | CPU s (median) | ratio to CSV (CPU) | profile --json, whole process (median s) | peak RSS MB |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const csvCpu = median(taken.get('csv').cpu);
  for (const [k, t] of taken) {
    console.log(`| ${k} | ${(statSync(files[k]).size / 1e6).toFixed(1)} | ${median(t.read).toFixed(2)} | ${runsList(t.read)} | ${median(t.cpu).toFixed(2)} | ${(median(t.cpu) / csvCpu).toFixed(2)} | ${withCli ? median(t.wall).toFixed(2) : '-'} | ${withCli ? median(t.rss).toFixed(0) : '-'} |`);
  }
  for (const [k, why] of failed) console.log(`| ${k} | ${(statSync(files[k]).size / 1e6).toFixed(1)} | cannot be read: ${why} | | | | | |`);
}
