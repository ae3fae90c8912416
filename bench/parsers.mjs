// Measures CSV parser candidates on the benchmark file (1,000,000 rows x 12 columns), each
// producing the same columns: Float64Array for the 8 numeric columns, dictionary codes for the
// 4 categorical ones. Each run is a fresh child process (wall time, CPU and peak RSS from wait4,
// bench/measure.py; parse time timed inside it); candidates alternate, rotating the order each
// round; medians and every run reported.
// Usage: node bench/parsers.mjs [--runs N] [--file F] [--only a,b]      (results: bench/RESULTS.md)
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { benchHeader, loadAverage, measureProcess, median, option, printHeader, runsList } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(import.meta.url);
const TMP = join(here, '.tmp');
const NUMERIC = 8; // the generator writes 8 numeric columns, then 4 categorical
const MISSING = new Set(['', 'NA', 'N/A', 'NaN', 'null', '?']);

/** Columns every candidate fills the same way, one row (array of strings) at a time. */
class ColumnSink {
  constructor(ncols) {
    this.ncols = ncols;
    this.rows = 0;
    this.capacity = 1 << 16;
    this.values = Array.from({ length: NUMERIC }, () => new Float64Array(this.capacity));
    this.codes = Array.from({ length: ncols - NUMERIC }, () => new Int32Array(this.capacity));
    this.dicts = Array.from({ length: ncols - NUMERIC }, () => new Map());
  }
  grow() {
    this.capacity *= 2;
    this.values = this.values.map((v) => { const n = new Float64Array(this.capacity); n.set(v); return n; });
    this.codes = this.codes.map((v) => { const n = new Int32Array(this.capacity); n.set(v); return n; });
  }
  row(fields) {
    if (fields.length !== this.ncols) return;
    if (this.rows === this.capacity) this.grow();
    const r = this.rows++;
    for (let j = 0; j < NUMERIC; j++) {
      const s = fields[j];
      this.values[j][r] = MISSING.has(s.trim()) ? NaN : Number(s);
    }
    for (let j = NUMERIC; j < this.ncols; j++) {
      const s = fields[j];
      const d = this.dicts[j - NUMERIC];
      let c = -1;
      if (!MISSING.has(s.trim())) {
        c = d.get(s);
        if (c === undefined) d.set(s, (c = d.size));
      }
      this.codes[j - NUMERIC][r] = c;
    }
  }
  summary() {
    let checksum = 0;
    for (const v of this.values) for (let i = 0; i < this.rows; i++) if (v[i] === v[i]) checksum += v[i];
    return { rows: this.rows, checksum, distinct: this.dicts.map((d) => d.size) };
  }
}

const candidates = {
  async ours(file) {
    const { readCsvFile } = require(join(TMP, 'parsers-ours.js'));
    const t = await readCsvFile(file);
    let checksum = 0;
    for (const c of t.columns) if (c.type === 'numeric') for (let i = 0; i < t.rows; i++) if (c.values[i] === c.values[i]) checksum += c.values[i];
    return { rows: t.rows, checksum, distinct: t.columns.filter((c) => c.type === 'categorical').map((c) => c.dictionary.length) };
  },
  async papaparse(file) {
    const Papa = require('papaparse');
    let sink;
    await new Promise((resolve, reject) => {
      Papa.parse(createReadStream(file, 'utf8'), {
        chunk: (res) => {
          let rows = res.data;
          if (!sink) { sink = new ColumnSink(rows[0].length); rows = rows.slice(1); }
          for (const r of rows) sink.row(r);
        },
        complete: resolve,
        error: reject,
      });
    });
    return sink.summary();
  },
  async udsv(file) {
    const { inferSchema, initParser } = require('udsv');
    let parser = null;
    let sink;
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    for await (const chunk of stream) {
      if (!parser) {
        const schema = inferSchema(chunk);
        sink = new ColumnSink(schema.cols.length);
        parser = initParser(schema);
      }
      parser.chunk(chunk, parser.stringArrs, (row) => sink.row(row));
    }
    parser.end();
    return sink.summary();
  },
  async 'csv-parse'(file) {
    const { parse } = require('csv-parse');
    let sink;
    const parser = createReadStream(file).pipe(parse({ relax_column_count: true }));
    for await (const record of parser) {
      if (!sink) sink = new ColumnSink(record.length);
      else sink.row(record);
    }
    return sink.summary();
  },
  async 'd3-dsv'(file) {
    const { csvParseRows } = await import('d3-dsv');
    // No streaming API: the whole file is one string.
    const text = readFileSync(file, 'utf8');
    let sink;
    csvParseRows(text, (row) => {
      if (!sink) sink = new ColumnSink(row.length);
      else sink.row(row);
      return null;
    });
    return sink.summary();
  },
};

async function child(name, file) {
  const t0 = performance.now();
  const result = await candidates[name](file);
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ name, ms, maxRssMB: process.resourceUsage().maxRSS / 1024, ...result }) + '\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  const runs = Number(option(args, '--runs', '5'));
  const file = option(args, '--file', join(TMP, 'bench-1m.csv'));
  mkdirSync(TMP, { recursive: true });
  if (!existsSync(file)) {
    const { generateBenchCsv } = await import('./ingest-generate.mjs');
    process.stderr.write(`generating ${file}\n`);
    await generateBenchCsv(file);
  }
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [join(root, 'src/core/ingest.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(TMP, 'parsers-ours.js'), logLevel: 'warning' });
  const names = Object.keys(candidates).filter((n) => !option(args, '--only', '') || option(args, '--only', '').split(',').includes(n));
  const header = benchHeader();
  header.file = `${file} (${(statSync(file).size / 1e6).toFixed(1)} MB)`;
  printHeader(header);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    // Rotate the order each round so no candidate always runs first.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const m = measureProcess([process.execPath, '--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', name, file], { tag: 'parsers' });
      const out = JSON.parse(m.stdout.trim().split('\n').pop());
      results[name].push({ wall: m.wall, rssMB: m.rssMB, ...out });
      process.stderr.write(`round ${r + 1} ${name}: ${m.wall.toFixed(2)} s, parse ${(out.ms / 1000).toFixed(2)} s, ${m.rssMB.toFixed(0)} MB, rows ${out.rows}\n`);
    }
  }
  header.loadAverageAfter = loadAverage();
  console.log(`loadAverageAfter: ${header.loadAverageAfter}`);
  const size = statSync(file).size;
  const rows = names.map((n) => ({
    parser: n,
    wallSeconds: median(results[n].map((x) => x.wall)),
    wallRuns: results[n].map((x) => x.wall),
    parseSeconds: median(results[n].map((x) => x.ms)) / 1000,
    parseRuns: results[n].map((x) => x.ms / 1000),
    peakRssMB: Math.max(...results[n].map((x) => x.rssMB)),
    rows: results[n][0]?.rows,
    checksum: results[n][0]?.checksum,
  }));
  const ours = rows.find((r) => r.parser === 'ours');
  console.log(`\nfile: ${size} bytes; ${runs} alternated runs per parser; medians, then every run`);
  console.log('| parser | whole process (s) | every run (s) | parse (s) | every run (s) | parse time / ours | peak RSS (MB) | rows | numeric checksum |');
  console.log('| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.parser} | ${r.wallSeconds.toFixed(2)} | ${runsList(r.wallRuns)} | ${r.parseSeconds.toFixed(2)} | ${runsList(r.parseRuns)} | ${ours ? (r.parseSeconds / ours.parseSeconds).toFixed(2) + 'x' : ''} | ${r.peakRssMB.toFixed(0)} | ${r.rows} | ${r.checksum?.toFixed(3)} |`);
  }
  console.log(JSON.stringify({ bench: 'parsers', header, fileBytes: size, runs, results: rows }));
}

await main();
