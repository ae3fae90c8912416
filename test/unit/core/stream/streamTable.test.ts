// Streaming JSON Lines and Parquet (src/core/stream/streamTable.ts) against scipy/numpy: the rows
// of stream_reference.json's two generated files written as JSON Lines and read 4 KiB of lines at
// a time (thousands of chunk ends), and as Parquet (parquet-wasm, arrow-rs's writer, in a child
// process) with row groups of 7,000 rows read one group at a time: counts, moments and quantiles
// as numpy states them, KS and Wasserstein inside the stated bounds of scipy's exact values,
// chi-squared as scipy's; the sketches equal those of the same rows streamed as CSV; a bad line
// past many chunks is reported on the line the in-memory reader names; the reader fixtures'
// Parquet files (several row groups, every codec, a struct) give the in-memory reader's columns.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readJsonLinesBytes } from '../../../../src/core/readers/jsonl';
import { compareStreams, type StreamComparison } from '../../../../src/core/stream/streamCompare';
import { streamProfile, type StreamProfile } from '../../../../src/core/stream/streamProfile';
import { readTable } from '../../../../src/core/readers/readTable';
import { streamJsonLines, streamParquet } from '../../../../src/core/stream/streamTable';
import { fixtures, repoRoot, tempDir } from '../../helpers';
import { csvToJsonLines, makeCsv } from './streamFiles';

interface Reference {
  features: Record<'x' | 'y' | 'k', { n: [number, number]; ks: number; wasserstein: number; mean: [number, number]; std: [number, number]; quantiles: Record<string, [number, number]> }> & {
    c: { chi2: number };
  };
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'reference', 'stream', 'stream_reference.json'), 'utf8')) as Reference;
const tmp = tempDir('dataset-lab-stream-jsonl-');
after(tmp.cleanup);
let ref: StreamProfile;
let other: StreamProfile;
let comparison: StreamComparison;
let parquetComparison: StreamComparison;
let parquetRef: StreamProfile;

/** The rows of a generated CSV as a Parquet file with row groups of `rowGroup` rows, written by parquet-wasm in a child process. */
function writeParquet(csv: string, path: string, rowGroup: number): void {
  const [head, ...rows] = csv.trim().split('\n');
  const names = head.split(',');
  const columns = Object.fromEntries(names.map((n, j) => [n, rows.map((r) => { const v = r.split(',')[j]; return n === 'c' ? v : v === '' ? null : Number(v); })]));
  const json = `${path}.json`;
  writeFileSync(json, JSON.stringify(columns));
  const script = `
    import { readFileSync, writeFileSync } from 'node:fs';
    import * as fl from '@uwdata/flechette';
    import * as pw from 'parquet-wasm';
    const c = JSON.parse(readFileSync(process.argv[1], 'utf8'));
    const table = fl.tableFromArrays(c, { types: { x: fl.float64(), y: fl.float64(), k: fl.float64(), c: fl.utf8() } });
    const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(Number(process.argv[3])).build();
    writeFileSync(process.argv[2], pw.writeParquet(pw.Table.fromIPCStream(fl.tableToIPC(table, { format: 'stream' })), props));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, json, path, String(rowGroup)], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const within = (exact: number, b: { estimate: number; lower: number; upper: number }, what: string, slack = 1e-9) =>
  assert.ok(b.lower - slack <= exact && exact <= b.upper + slack, `${what}: exact ${exact} outside the stated bounds [${b.lower}, ${b.upper}]`);

before(async () => {
  for (const [name, [n, seed, shifted]] of Object.entries({ reference: [60000, 7, false], other: [50000, 11, true] } as const)) {
    const csv = makeCsv(n, seed, shifted);
    writeFileSync(join(tmp.path, `${name}.csv`), csv);
    writeFileSync(join(tmp.path, `${name}.jsonl`), csvToJsonLines(csv));
    writeParquet(csv, join(tmp.path, `${name}.parquet`), 7000);
  }
  ref = streamJsonLines(join(tmp.path, 'reference.jsonl'), { chunkBytes: 4096 });
  other = streamJsonLines(join(tmp.path, 'other.jsonl'), { chunkBytes: 65536 });
  comparison = compareStreams(ref, other);
  parquetRef = await streamParquet(join(tmp.path, 'reference.parquet'));
  parquetComparison = compareStreams(parquetRef, await streamParquet(join(tmp.path, 'other.parquet')));
});

describe('streaming JSON Lines', () => {
  test('counts, missing values, moments and quantiles as numpy states them', () => {
    assert.equal(ref.rows, 60000);
    assert.equal(other.rows, 50000);
    assert.deepEqual(ref.columns.map((c) => [c.name, c.kind]), [['x', 'numeric'], ['y', 'numeric'], ['k', 'numeric'], ['c', 'categorical']]);
    for (const [j, col] of (['x', 'y', 'k'] as const).entries()) {
      const r = reference.features[col];
      for (const [side, p] of [ref, other].entries()) {
        const c = p.columns[j];
        assert.equal(c.numbers, r.n[side], `${col} count`);
        assert.equal(c.missing, p.rows - r.n[side], `${col} missing (null)`);
        assert.ok(Math.abs(c.mean - r.mean[side]) < 1e-9, `${col} mean`);
        assert.ok(Math.abs(Math.sqrt(c.m2 / c.numbers) - r.std[side]) < 1e-9, `${col} std`);
        for (const [q, exact] of Object.entries(r.quantiles)) within(exact[side], c.sketch.quantile(Number(q)), `${col} q${q}`, 1e-6);
      }
    }
  });

  test('KS and Wasserstein inside the stated bounds of scipy\'s; chi-squared as scipy\'s; the sketches those of the same rows as CSV', () => {
    for (const col of ['x', 'y', 'k'] as const) {
      const f = comparison.features.find((x) => x.name === col);
      assert.ok(f?.ks && f.wasserstein, col);
      within(reference.features[col].ks, f.ks.statistic, `${col} KS`);
      within(reference.features[col].wasserstein, f.wasserstein, `${col} Wasserstein`, 1e-6);
    }
    const c = comparison.features.find((x) => x.name === 'c');
    assert.ok(Math.abs((c?.chi2?.statistic ?? NaN) - reference.features.c.chi2) < 1e-6 * reference.features.c.chi2);
    const csv = streamProfile(join(tmp.path, 'reference.csv'));
    csv.columns.forEach((col, j) => {
      assert.deepEqual(ref.columns[j].sketch.segments(), col.sketch.segments(), `${col.name} sketch`);
      assert.deepEqual(ref.columns[j].categories.top(), col.categories.top(), `${col.name} categories`);
    });
  });

  test('a bad line past many chunks: reported on the line the in-memory reader names; keys appearing late count as missing before', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(JSON.stringify(i >= 2000 ? { a: i, late: `v${i % 3}` } : { a: i }));
    lines[2345] = '{"a": 1, broken';
    const path = join(tmp.path, 'bad.jsonl');
    writeFileSync(path, lines.join('\n') + '\n');
    const memory = readJsonLinesBytes(readFileSync(path), path, 'bad', { missingTokens: [], maxProblems: 10, numericTolerance: 0.05 });
    const streamed = streamJsonLines(path, { chunkBytes: 1000 });
    assert.equal(streamed.problemCount, memory.problemCount);
    assert.equal(streamed.problems[0].line, memory.problems[0].line);
    assert.equal(streamed.problems[0].line, 2346);
    assert.equal(streamed.rows, memory.rows);
    const late = streamed.columns.find((c) => c.name === 'late');
    assert.equal(late?.missing, 2000);
    assert.equal(late?.odd, 999);
    assert.equal(late?.categories.get('v1'), memory.columns.find((c) => c.name === 'late')?.type === 'categorical' ? 333 : NaN);
  });
});

describe('streaming Parquet, one row group at a time', () => {
  test('the generated rows in 9 and 8 row groups: KS and Wasserstein inside the bounds of scipy\'s, chi-squared as scipy\'s, the CSV stream\'s sketches and moments', () => {
    assert.equal(parquetRef.rows, 60000);
    for (const col of ['x', 'y', 'k'] as const) {
      const f = parquetComparison.features.find((x) => x.name === col);
      assert.ok(f?.ks && f.wasserstein, col);
      within(reference.features[col].ks, f.ks.statistic, `${col} KS`);
      within(reference.features[col].wasserstein, f.wasserstein, `${col} Wasserstein`, 1e-6);
    }
    const c = parquetComparison.features.find((x) => x.name === 'c');
    assert.ok(Math.abs((c?.chi2?.statistic ?? NaN) - reference.features.c.chi2) < 1e-6 * reference.features.c.chi2);
    const csv = streamProfile(join(tmp.path, 'reference.csv'));
    csv.columns.forEach((col, j) => {
      const p = parquetRef.columns[j];
      assert.deepEqual([p.name, p.kind, p.numbers, p.missing, p.odd], [col.name, col.kind, col.numbers, col.missing, col.odd], col.name);
      assert.ok(Math.abs(p.mean - col.mean) < 1e-9 * Math.max(1, Math.abs(col.mean)), `${col.name} mean`);
      assert.deepEqual(p.sketch.segments(), col.sketch.segments(), `${col.name} sketch`);
      assert.deepEqual(p.categories.top(), col.categories.top(), `${col.name} categories`);
    });
  });

  test('the reader fixtures (16-row groups, Snappy/ZSTD v2/GZIP pages, a struct): the in-memory reader\'s counts, means and values', async () => {
    for (const name of ['mixed.snappy.parquet', 'mixed.zstd.parquet', 'mixed.gzip.parquet', 'nested.parquet']) {
      const path = fixtures('readers', name);
      const memory = await readTable(path);
      const streamed = await streamParquet(path);
      assert.equal(streamed.rows, memory.rows, name);
      for (const m of memory.columns) {
        const s = streamed.columns.find((c) => c.name === m.name);
        assert.ok(s, `${name} ${m.name}`);
        if (m.type === 'numeric') {
          const values = [...m.values].filter((v) => !Number.isNaN(v));
          assert.equal(s.kind, 'numeric', `${name} ${m.name}`);
          assert.equal(s.numbers, values.length, `${name} ${m.name} count`);
          assert.ok(Math.abs(s.mean - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9, `${name} ${m.name} mean`);
          assert.deepEqual(s.sketch.segments().map((g) => [g.l, g.c]), [...new Set(values)].sort((a, b) => a - b).map((v) => [v, values.filter((x) => x === v).length]), `${name} ${m.name} values`);
        } else if (m.type === 'categorical') {
          const counts = new Map<string, number>();
          for (const k of m.codes) if (k >= 0) counts.set(m.dictionary[k], (counts.get(m.dictionary[k]) ?? 0) + 1);
          assert.deepEqual(new Map(s.categories.top().map((t) => [t.value, t.count])), counts, `${name} ${m.name} categories`);
        }
      }
    }
    const refused = await streamParquet(fixtures('readers', 'nested.parquet'));
    assert.match(refused.problems[0].message, /column "tags" is a list/);
    assert.equal(refused.problemCount, 1, 'said once, not per row group');
  });
});
