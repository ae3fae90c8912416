// Measures CSV parser candidates on the benchmark file (1,000,000 rows x 12 columns), each
// producing the same columns: Float64Array for the 8 numeric columns, dictionary codes for the
// 4 categorical ones. Each run is a fresh child process; candidates alternate; medians reported.
// Usage: node bench/parsers.mjs [--runs N] [--file F]      (results: bench/RESULTS.md)
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

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

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
  const runs = Number(opt('--runs', '3'));
  const file = opt('--file', join(TMP, 'bench-1m.csv'));
  mkdirSync(TMP, { recursive: true });
  if (!existsSync(file)) {
    const { generateBenchCsv } = await import('./ingest-generate.mjs');
    process.stderr.write(`generating ${file}\n`);
    await generateBenchCsv(file);
  }
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [join(root, 'src/core/ingest.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(TMP, 'parsers-ours.js'), logLevel: 'warning' });
  const names = Object.keys(candidates).filter((n) => !opt('--only', '') || opt('--only', '').split(',').includes(n));
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', name, file], { encoding: 'utf8' });
      const wall = performance.now() - t0;
      if (p.status !== 0) { process.stderr.write(`${name} failed: ${p.stderr}\n`); continue; }
      const out = JSON.parse(p.stdout.trim().split('\n').pop());
      results[name].push({ wall, ...out });
      process.stderr.write(`run ${r + 1} ${name}: ${(wall / 1000).toFixed(2)} s, ${out.maxRssMB.toFixed(0)} MB, rows ${out.rows}\n`);
    }
  }
  const size = statSync(file).size;
  const rows = names.map((n) => ({
    parser: n,
    wallSeconds: median(results[n].map((x) => x.wall)) / 1000,
    parseSeconds: median(results[n].map((x) => x.ms)) / 1000,
    peakRssMB: Math.max(...results[n].map((x) => x.maxRssMB)),
    rows: results[n][0]?.rows,
    checksum: results[n][0]?.checksum,
  }));
  const oursWall = rows.find((r) => r.parser === 'ours')?.wallSeconds;
  console.log(`file: ${size} bytes; runs per parser: ${runs} (alternated); medians`);
  console.log('| parser | whole process (s) | parse (s) | vs ours | peak RSS (MB) | rows | numeric checksum |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.parser} | ${r.wallSeconds.toFixed(2)} | ${r.parseSeconds.toFixed(2)} | ${oursWall ? (r.wallSeconds / oursWall).toFixed(2) + 'x' : ''} | ${r.peakRssMB.toFixed(0)} | ${r.rows} | ${r.checksum?.toFixed(3)} |`);
  }
  console.log(JSON.stringify({ bench: 'parsers', fileBytes: size, runs, results: rows }));
}

await main();
