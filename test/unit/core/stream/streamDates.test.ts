// Dates in the streaming comparison (src/core/stream/streamDates.ts, streamCompare.ts): two
// generated CSVs with date columns (ISO dates, day-first dates whose order only the last rows
// decide, `Jun 12 1998`, ISO date-times, and a column whose first cells fit a format the rest
// does not) streamed in small chunks and compared; the time ranges, overlap and calendar-part
// drift must equal the in-memory comparison of the same files exactly, and the calendar-part
// counts and chi-squared figures pandas / scipy's (test/reference/stream/stream_dates_reference.json,
// made by make_stream_dates_reference.py from the same generator). The accumulators do not grow
// with rows.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareDatasets } from '../../../../src/core/compare';
import type { FeatureComparison, TimePartDrift } from '../../../../src/core/compare/types';
import type { ComparisonReport } from '../../../../src/core/compare';
import { inferDateFormat } from '../../../../src/core/dates/inferDates';
import { readCsvFile } from '../../../../src/core/ingest';
import { compareStreams, type StreamComparison, type StreamFeature, type StreamPartCounts, type StreamTimeComparison } from '../../../../src/core/stream/streamCompare';
import { DATE_WINDOW, DateTracker } from '../../../../src/core/stream/streamDates';
import { mergeProfiles, profileFromJson, profileToJson, streamProfile, type StreamProfile } from '../../../../src/core/stream/streamProfile';
import { streamPairComparison, unavailableInputs } from '../../../../src/core/stream/streamRecommend';
import { streamJsonLines, streamParquet } from '../../../../src/core/stream/streamTable';
import { readTable } from '../../../../src/core/readers/readTable';
import type { DataTable } from '../../../../src/core/table';
import { repoRoot, tempDir } from '../../helpers';
import { makeDatesCsv, writeCheckedCsv } from './streamFiles';

interface PartRef {
  part: string;
  categories: string[];
  reference: number[];
  other: number[];
  chi2: { statistic: number; pvalue: number; dof: number };
  jensenShannon: number;
}
interface Reference {
  files: Record<'reference' | 'other', { rows: number; bytes: number; checksum: number }>;
  columns: Record<string, { format: [string, string]; dates: [number, number]; referenceRange: [string, string]; otherRange: [string, string]; overlap: number; otherInReferenceRange: number; parts: PartRef[] }>;
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'reference', 'stream', 'stream_dates_reference.json'), 'utf8')) as Reference;

const DATE_COLUMNS = ['day', 'dmy', 'mon', 'ts'];
const tmp = tempDir('dataset-lab-stream-dates-');
after(tmp.cleanup);
let refProfile: StreamProfile;
let otherProfile: StreamProfile;
let stream: StreamComparison;
let memory: ComparisonReport;
let tables: DataTable[];

before(async () => {
  for (const [name, [n, seed, shifted]] of Object.entries({ reference: [20000, 3, false], other: [15000, 5, true] } as const)) {
    writeCheckedCsv(tmp.path, name, makeDatesCsv(n, seed, shifted), reference.files[name as 'reference']);
  }
  // Small chunks (records straddle chunk ends) and a small sample (it misses the day-first rows).
  refProfile = streamProfile(join(tmp.path, 'reference.csv'), { chunkBytes: 4096, sampleRows: 1000 });
  otherProfile = streamProfile(join(tmp.path, 'other.csv'), { chunkBytes: 65536, sampleRows: 1000 });
  stream = compareStreams(refProfile, otherProfile, { skipDomainClassifier: true });
  tables = [await readCsvFile(join(tmp.path, 'reference.csv')), await readCsvFile(join(tmp.path, 'other.csv'))];
  memory = compareDatasets(tables, { skipDomainClassifier: true });
});

const feature = (name: string): StreamFeature => {
  const f = stream.features.find((x) => x.name === name);
  assert.ok(f, name);
  return f;
};
const memoryFeature = (name: string): FeatureComparison => {
  const f = memory.comparisons[0].features.find((x) => x.name === name);
  assert.ok(f, name);
  return f;
};

describe('streaming dates', () => {
  test('the in-memory ingest reads the same columns as dates, in the formats the reference names', () => {
    for (const name of DATE_COLUMNS) {
      tables.forEach((t, k) => {
        const c = t.columns.find((x) => x.name === name);
        assert.equal(c?.type, 'datetime', `${name} in file ${k}`);
        if (c?.type === 'datetime') assert.equal(c.format, reference.columns[name].format[k], `${name} format in file ${k}`);
      });
    }
    assert.equal(tables[0].columns.find((x) => x.name === 'late')?.type, 'datetime', 'late: dates with times in memory');
  });

  test('date columns are compared as dates, in the format the whole column decides', () => {
    for (const name of DATE_COLUMNS) {
      const f = feature(name);
      assert.equal(f.type, 'datetime', name);
      assert.ok(f.time, name);
      assert.deepEqual(f.time.formats, reference.columns[name].format, `${name}: formats`);
      assert.deepEqual(f.time.dates, reference.columns[name].dates, `${name}: cells read as dates`);
      assert.equal(f.time.exact, true);
      assert.equal(f.verdictSure, true);
    }
    // The sample misses the five day-first rows: alone it would read month-first; the exact counts read day-first.
    const j = refProfile.columns.findIndex((c) => c.name === 'dmy');
    const counts = new Map<string, number>();
    for (const row of refProfile.sample) counts.set(row[j], (counts.get(row[j]) ?? 0) + 1);
    const fromSample = inferDateFormat([...counts.keys()], [...counts.values()], 0.05);
    assert.deepEqual(fromSample.kind === 'datetime' ? fromSample.format : fromSample.kind, '%m/%d/%Y', 'the sample alone reads month-first');
    assert.equal(feature('dmy').time?.formats[0], '%d/%m/%Y');
  });

  test('ranges, overlap and calendar-part drift equal the in-memory comparison exactly', () => {
    for (const name of DATE_COLUMNS) {
      const s = feature(name);
      const m = memoryFeature(name);
      assert.equal(m.type, 'datetime');
      const st = s.time;
      const mt = m.time;
      assert.ok(st && mt, name);
      assert.deepEqual(st.referenceRange, mt.referenceRange, `${name}: reference range`);
      assert.deepEqual(st.otherRange, mt.otherRange, `${name}: other range`);
      assert.equal(st.overlap, mt.overlap, `${name}: overlap`);
      assert.deepEqual(st.parts, mt.parts, `${name}: calendar-part drift`);
      assert.equal(st.decidedBy, mt.decidedBy, `${name}: deciding part`);
      assert.equal(s.drift, m.drift, `${name}: verdict`);
      assert.equal(s.method, m.method);
      assert.equal(s.verdictValue, m.verdictValue);
      assert.equal(s.referenceN, m.referenceN, `${name}: dates in the reference`);
      assert.equal(s.otherN, m.otherN);
      assert.equal(s.referenceMissingShare, m.referenceMissingShare);
      // The share inside the reference's range comes from the instants' sketches: exact while they are, else within its bounds.
      const [lo, hi] = st.otherInReferenceRangeBounds;
      assert.ok(lo <= mt.otherInReferenceRange + 1e-12 && mt.otherInReferenceRange <= hi + 1e-12, `${name}: ${mt.otherInReferenceRange} in [${lo}, ${hi}]`);
      if (s.exact) assert.equal(st.otherInReferenceRange, mt.otherInReferenceRange, `${name}: exact share inside the range`);
    }
    assert.equal(feature('day').exact, true, 'four years of days: the sketches count every day exactly');
    assert.equal(feature('ts').exact, false, 'minutes over a year: bucketed');
    assert.deepEqual(feature('ts').time?.parts.map((p) => p.part), ['year', 'month', 'dayOfWeek', 'hour']);
    assert.deepEqual(feature('day').time?.parts.map((p) => p.part), ['year', 'month', 'dayOfWeek']);
  });

  test('counts, ranges and statistics equal pandas / scipy (committed reference)', () => {
    for (const name of DATE_COLUMNS) {
      const r = reference.columns[name];
      const t: StreamTimeComparison | undefined = feature(name).time;
      assert.ok(t);
      assert.deepEqual(t.referenceRange, r.referenceRange, `${name}: pandas min/max`);
      assert.deepEqual(t.otherRange, r.otherRange);
      assert.ok(Math.abs(t.overlap - r.overlap) < 1e-12, `${name}: overlap ${t.overlap} vs ${r.overlap}`);
      const [lo, hi] = t.otherInReferenceRangeBounds;
      assert.ok(lo <= r.otherInReferenceRange + 1e-12 && r.otherInReferenceRange <= hi + 1e-12, `${name}: share inside the range`);
      assert.deepEqual(
        t.parts.map((p) => p.part),
        r.parts.map((p) => p.part),
      );
      for (const pr of r.parts) {
        const counts: StreamPartCounts | undefined = t.counts.find((c) => c.part === pr.part);
        assert.ok(counts, `${name} ${pr.part}`);
        const mine: Map<string, number[]> = new Map(counts.categories.map((c, k) => [c, [counts.reference[k], counts.other[k]]]));
        const theirs = new Map(pr.categories.map((c, k) => [c, [pr.reference[k], pr.other[k]]]));
        assert.deepEqual(mine, theirs, `${name} ${pr.part}: counts as pandas .dt counts them`);
        const p: TimePartDrift | undefined = t.parts.find((x) => x.part === pr.part);
        assert.ok(p);
        assert.equal(p.chi2.dof, pr.chi2.dof, `${name} ${pr.part} dof`);
        assert.ok(Math.abs(p.chi2.statistic - pr.chi2.statistic) <= 1e-9 * Math.max(1, pr.chi2.statistic), `${name} ${pr.part} chi2 ${p.chi2.statistic} vs ${pr.chi2.statistic}`);
        assert.ok(Math.abs(p.chi2.pvalue - pr.chi2.pvalue) <= 1e-9 + 1e-6 * pr.chi2.pvalue, `${name} ${pr.part} p ${p.chi2.pvalue} vs ${pr.chi2.pvalue}`);
        assert.ok(Math.abs(p.jensenShannon - pr.jensenShannon) < 1e-12, `${name} ${pr.part} JS`);
      }
    }
  });

  test('a column whose first cells fit a format the rest does not stays categorical, and says why', () => {
    const late = feature('late');
    assert.equal(late.type, 'categorical');
    assert.equal(late.sampledKind, 'datetime');
    assert.match(late.datesNotFollowed ?? '', /reference\.csv, the date formats of its first cells \(%Y-%m-%d\) stopped reading it/);
    const u = unavailableInputs(stream, 'reference', 'other', true).filter((x) => x.input === 'dates');
    assert.equal(u.length, 1);
    assert.match(u[0].message, /"late" holds dates \(by the sampled rows\) that could not be followed in one pass/);
    assert.doesNotMatch(u[0].message, /"day"|"dmy"|"mon"|"ts"/);
  });

  test('the recommendation reads the periods as in memory', () => {
    const pair = streamPairComparison(stream, 'reference', 'other');
    const day = pair.features.find((f) => f.name === 'day');
    assert.deepEqual(day?.time?.referenceRange, memoryFeature('day').time?.referenceRange);
    assert.equal(day?.type, 'datetime');
  });

  test('chunks read apart and merged give the same date figures', () => {
    const file = join(tmp.path, 'reference.csv');
    const size = readFileSync(file).length;
    const cuts = [0, Math.floor(size / 3), Math.floor((2 * size) / 3), size];
    const parts = cuts.slice(0, -1).map((start, k) => profileFromJson(JSON.parse(JSON.stringify(profileToJson(streamProfile(file, { range: { start, end: cuts[k + 1] }, sampleRows: 1000 }))))));
    const merged = mergeProfiles(parts);
    const again = compareStreams(merged, otherProfile, { skipDomainClassifier: true });
    for (const name of DATE_COLUMNS) {
      const a = again.features.find((f) => f.name === name)?.time;
      const b = feature(name).time;
      assert.ok(a && b, name);
      assert.deepEqual(a.referenceRange, b.referenceRange, `${name}: merged range`);
      assert.deepEqual(a.parts, b.parts, `${name}: merged parts`);
      assert.deepEqual(a.counts, b.counts, `${name}: merged counts`);
    }
  });
});

describe('streaming dates from JSON Lines', () => {
  test('date strings in a JSON Lines file are followed as a CSV\'s: the same time figures', () => {
    const [head, ...rows] = readFileSync(join(tmp.path, 'reference.csv'), 'utf8').trim().split('\n');
    const names = head.split(',');
    // Empty cells as null, the id a number, every other cell a JSON string.
    const lines = rows.map((r) => JSON.stringify(Object.fromEntries(r.split(',').map((v, j) => [names[j], v === '' ? null : names[j] === 'id' ? Number(v) : v]))));
    const file = join(tmp.path, 'reference.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const jsonl = compareStreams(streamJsonLines(file, { chunkBytes: 65536, sampleRows: 1000 }), otherProfile, { skipDomainClassifier: true });
    for (const name of DATE_COLUMNS) {
      const a = jsonl.features.find((f) => f.name === name);
      assert.equal(a?.type, 'datetime', name);
      assert.deepEqual(a?.time, feature(name).time, `${name}: the CSV stream's time comparison`);
    }
  });
});

describe('streaming dates from Parquet date and timestamp columns', () => {
  test('naive, zoned and date-only columns give the in-memory ranges and parts', async () => {
    const file = join(repoRoot, 'test', 'fixtures', 'readers', 'times.parquet');
    const s = compareStreams(await streamParquet(file), await streamParquet(file), { skipDomainClassifier: true });
    const table = await readTable(file);
    const m = compareDatasets([table, { ...table, name: 'copy' }], { skipDomainClassifier: true });
    for (const name of ['at_ms', 'at_us', 'at_utc', 'day']) {
      const a = s.features.find((f) => f.name === name);
      const b = m.comparisons[0].features.find((f) => f.name === name);
      assert.equal(a?.type, 'datetime', name);
      for (const k of ['referenceRange', 'otherRange', 'overlap', 'parts', 'decidedBy'] as const) assert.deepEqual(a?.time?.[k], b?.time?.[k], `${name} ${k}`);
    }
    assert.deepEqual(s.features.find((f) => f.name === 'at_ms')?.time?.referenceRange, ['2012-01-01T00:00:00', '2015-12-31T23:59:30.500'], 'a naive timestamp prints without a zone');
    assert.deepEqual(s.features.find((f) => f.name === 'at_utc')?.time?.referenceRange, ['2012-01-01T00:00:00Z', '2015-12-31T23:59:30.500Z']);
  });
});

describe('date accumulators in bounded memory', () => {
  const fill = (t: DateTracker, n: number) => {
    for (let i = 0; i < n; i++) {
      const d = new Date(Date.UTC(2000, 0, 1) + (i % 3653) * 86_400_000);
      t.add(`${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`);
    }
  };
  test('the same size for 10,000 and 1,000,000 cells', () => {
    const small = new DateTracker(0.001, 4096);
    const large = new DateTracker(0.001, 4096);
    fill(small, 10_000);
    fill(large, 1_000_000);
    small.settle();
    large.settle();
    assert.equal(small.size, large.size, `entries held: ${small.size} vs ${large.size}`);
    assert.ok(large.size < 10_000, `${large.size} entries`);
    assert.equal(large.seen, 1_000_000);
    assert.deepEqual(
      large.candidates.map((c) => c.format),
      ['%d/%m/%Y'],
      'month-first dropped once it clearly fails',
    );
    assert.equal(large.candidates[0].cells, 1_000_000);
  });
  test('a column that is not dates keeps nothing per row', () => {
    const t = new DateTracker(0.001, 4096);
    for (let i = 0; i < 100_000; i++) t.add(`name ${i}`);
    assert.equal(t.candidates.length, 0);
    assert.equal(t.size, 0);
    assert.ok(DATE_WINDOW <= 64);
  });
});
