// The streaming mode of profile and compare through dist/cli.js: chosen by --stream or by
// --max-memory; the same figures as the in-memory path while the sketches are exact (the weather
// files); "±" beside every approximate figure and the note saying what is approximate; CSV only;
// a truncated file's problems on stderr with their lines.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { examples, fixtures, runCli, tempDir } from '../helpers';
import { makeDatesCsv } from '../core/stream/streamFiles';

const seattle = examples('weather', 'seattle.csv');
const newYork = examples('weather', 'new-york.csv');
const tmp = tempDir('dataset-lab-cli-stream-');
after(tmp.cleanup);

const json = (args: string[]) => {
  const r = runCli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return { doc: JSON.parse(r.stdout), stderr: r.stderr };
};

describe('compare --stream', () => {
  test('exact sketches give the in-memory figures: KS, Wasserstein, PSI, JS, the verdict', () => {
    const memory = json(['compare', seattle, newYork]).doc.comparisons[0].features as { name: string; type: string; ks?: { statistic: number }; wasserstein?: number; psi: number; jensenShannon: number; drift: boolean }[];
    const stream = json(['compare', seattle, newYork, '--stream']).doc;
    assert.equal(stream.mode, 'streaming');
    assert.match(stream.approximate, /figures written "x ±e" are approximate/);
    for (const f of stream.features.filter((x: { type: string }) => x.type === 'numeric')) {
      const m = memory.find((x) => x.name === f.name);
      assert.ok(m?.ks, f.name);
      assert.equal(f.exact, true, `${f.name}: fewer than 4,096 distinct values, counted exactly`);
      assert.ok(Math.abs(f.ks.statistic.estimate - m.ks.statistic) < 1e-12, `${f.name} KS`);
      assert.equal(f.ks.statistic.lower, f.ks.statistic.upper);
      assert.ok(Math.abs(f.wasserstein.estimate - (m.wasserstein as number)) < 1e-9, `${f.name} W`);
      assert.ok(Math.abs(f.psi - m.psi) < 1e-9, `${f.name} PSI`);
      assert.ok(Math.abs(f.jensenShannon - m.jensenShannon) < 1e-9, `${f.name} JS`);
      assert.equal(f.drift, m.drift, `${f.name} verdict`);
    }
    assert.ok(stream.domainClassifier.auc > 0.8);
  });

  test('--max-memory decides: a limit below 2.4x the files streams and says why; a large one reads in memory', () => {
    const low = json(['compare', seattle, newYork, '--max-memory', '64K']);
    assert.equal(low.doc.mode, 'streaming');
    assert.match(low.stderr, /^note: reading 0\.0\d+ MiB in memory needs about 0\.\d+ MiB, above --max-memory 0\.0625 MiB: using the streaming mode/);
    const high = json(['compare', seattle, newYork, '--max-memory', '1G']);
    assert.equal(high.doc.mode, undefined);
    assert.ok(high.doc.recommendation);
    const bad = runCli(['compare', seattle, newYork, '--max-memory', 'lots']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-memory "lots": use a size such as 512M or 8G/);
  });

  test('past the default limit: the terminal output streams by itself, with --label too; --json keeps the in-memory document and says --stream would bound memory', () => {
    process.env.DATASET_LAB_MAX_MEMORY = '64K';
    try {
      const text = runCli(['compare', seattle, newYork]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stderr, /^note: reading .* above the default limit 0\.0625 MiB: using the streaming mode/);
      assert.match(text.stdout, /streaming mode: each file read once in bounded memory/);
      const doc = json(['compare', seattle, newYork]);
      assert.equal(doc.doc.mode, undefined, 'the in-memory document for --json consumers (the extension)');
      assert.match(doc.stderr, /^note: reading .* above 0\.0625 MiB; --stream reads the files in bounded memory/);
      const labelled = runCli(['compare', seattle, newYork, '--label', 'weather']);
      assert.equal(labelled.code, 0, labelled.stderr);
      assert.match(labelled.stderr, /^note: reading .* using the streaming mode/);
      assert.match(labelled.stdout, /\nRecommendation: MERGE \(streaming\)\n/);
      assert.equal(json(['compare', seattle, newYork, '--max-memory', '64K']).doc.mode, 'streaming');
    } finally {
      delete process.env.DATASET_LAB_MAX_MEMORY;
    }
  });

  test('approximate figures carry their bound: a column past the exact cap prints "±"', () => {
    const lines = ['v,w'];
    const other = ['v,w'];
    for (let i = 0; i < 6000; i++) {
      lines.push(`${(i * 0.37) % 1000},${i % 7}`);
      other.push(`${(i * 0.41 + 3) % 1100},${i % 5}`);
    }
    writeFileSync(join(tmp.path, 'a.csv'), lines.join('\n') + '\n');
    writeFileSync(join(tmp.path, 'b.csv'), other.join('\n') + '\n');
    const r = runCli(['compare', join(tmp.path, 'a.csv'), join(tmp.path, 'b.csv'), '--stream']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nv +\d[\d.]* ±[\d.e-]+ /);
    assert.match(r.stdout, /bin shares are each within ±/);
    const doc = json(['compare', join(tmp.path, 'a.csv'), join(tmp.path, 'b.csv'), '--stream']).doc;
    const v = doc.features.find((f: { name: string }) => f.name === 'v');
    assert.equal(v.exact, false);
    assert.ok(v.ks.statistic.upper > v.ks.statistic.lower);
    const profile = runCli(['profile', join(tmp.path, 'a.csv'), '--stream']);
    assert.equal(profile.code, 0, profile.stderr);
    assert.match(profile.stdout, /\nv +6000 +0 .* ±/);
  });

  test('--jobs: byte ranges read by separate processes and merged give the one-process figures; quoted files are read whole', () => {
    const make = (n: number, shift: number, quoted: boolean) => {
      const lines = ['id,v,w,c'];
      for (let i = 0; i < n; i++) lines.push(`${i},${((i * 7919) % 10007) / 10 + shift},${i % 11},${quoted ? `"g ${i % 5}"` : `g${i % 5}`}`);
      return lines.join('\n') + '\n';
    };
    writeFileSync(join(tmp.path, 'big-a.csv'), make(60000, 0, false));
    writeFileSync(join(tmp.path, 'big-b.csv'), make(50000, 3, false));
    const one = json(['compare', join(tmp.path, 'big-a.csv'), join(tmp.path, 'big-b.csv'), '--stream']).doc;
    const three = json(['compare', join(tmp.path, 'big-a.csv'), join(tmp.path, 'big-b.csv'), '--stream', '--jobs', '3']);
    assert.equal(three.stderr, '');
    const same = (a: typeof one, b: typeof one) => {
      assert.deepEqual([a.reference.rows, a.other.rows], [b.reference.rows, b.other.rows]);
      a.features.forEach((f: Record<string, unknown> & { name: string; type: string; referenceMean: number }, i: number) => {
        const g = b.features[i] as typeof f;
        for (const k of ['ks', 'wasserstein', 'psi', 'jensenShannon', 'referenceN', 'otherN']) assert.deepEqual(JSON.stringify(f[k]), JSON.stringify(g[k]), `${f.name} ${k}`);
        if (f.type === 'numeric') assert.ok(Math.abs(f.referenceMean - g.referenceMean) < 1e-9, `${f.name} mean`);
      });
    };
    same(one, three.doc);
    // Quoted cells may hold line breaks, which a byte range could cut: read whole, with a note.
    writeFileSync(join(tmp.path, 'big-q.csv'), make(60000, 0, true));
    const quoted = json(['compare', join(tmp.path, 'big-q.csv'), join(tmp.path, 'big-b.csv'), '--stream', '--jobs', '3']);
    assert.match(quoted.stderr, /big-q\.csv has quoted cells, which may hold line breaks: read whole on one core instead of in 3 parts/);
    same(json(['compare', join(tmp.path, 'big-q.csv'), join(tmp.path, 'big-b.csv'), '--stream']).doc, quoted.doc);
    const alone = runCli(['profile', join(tmp.path, 'big-a.csv'), '--stream', '--byte-range', '0:100']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--byte-range START:END and --sketch-out FILE go together/);
  });

  test('--html: a self-contained page that says what is approximate, the bounds beside the figures, data text escaped', () => {
    const a = join(tmp.path, 'h-a.csv');
    const b = join(tmp.path, 'h-b.csv');
    const rows = (shift: number) => ['<script>alert(1)</script>,k', ...Array.from({ length: 6000 }, (_, i) => `${(i * 0.37 + shift) % 1000},${i % 3}`)].join('\n') + '\n';
    writeFileSync(a, rows(0));
    writeFileSync(b, rows(5));
    const out = join(tmp.path, 'stream.html');
    const r = runCli(['compare', a, b, '--stream', '--html', out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<b>Approximate figures\.<\/b> streaming mode: each file read once in bounded memory/);
    assert.match(html, /<span class="err">±[\d.e-]+<\/span>/, 'a bound beside a figure');
    assert.match(html, /bin shares within ±/);
    assert.ok(!html.includes('<script>'), 'the column name is escaped');
    assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    // An identifier-like text column draws no verdict (as in memory).
    const ids = (n: number) => ['user,k', ...Array.from({ length: 3000 }, (_, i) => `u${i + n},${i % 3}`)].join('\n') + '\n';
    writeFileSync(join(tmp.path, 'id-a.csv'), ids(0));
    writeFileSync(join(tmp.path, 'id-b.csv'), ids(5000));
    const idLike = runCli(['compare', join(tmp.path, 'id-a.csv'), join(tmp.path, 'id-b.csv'), '--stream']);
    assert.match(idLike.stdout, /\nuser +.*identifier-like: no verdict/);
  });

  test('JSON Lines stream too: the weather files as JSON Lines give the CSV stream\'s figures, label and verdict; mixed with CSV', () => {
    const toJsonl = (csv: string) => {
      const [head, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
      const names = head.split(',');
      return rows.map((r) => JSON.stringify(Object.fromEntries(r.split(',').map((v, j) => [names[j], ['date', 'weather'].includes(names[j]) ? v : Number(v)])))).join('\n') + '\n';
    };
    const a = join(tmp.path, 'seattle.jsonl');
    const b = join(tmp.path, 'new-york.jsonl');
    writeFileSync(a, toJsonl(seattle));
    writeFileSync(b, toJsonl(newYork));
    const csv = json(['compare', seattle, newYork, '--stream', '--label', 'weather']).doc;
    for (const [x, y] of [[a, b], [seattle, b]]) {
      const doc = json(['compare', x, y, '--stream', '--label', 'weather']).doc;
      const numeric = (d: typeof doc) => d.features.filter((f: { type: string }) => f.type === 'numeric');
      assert.equal(numeric(doc).length, 4);
      assert.deepEqual(numeric(doc), numeric(csv));
      assert.deepEqual(doc.label, csv.label);
      assert.equal(doc.recommendation.strategy, csv.recommendation.strategy);
    }
    const profile = runCli(['profile', a, '--stream']);
    assert.equal(profile.code, 0, profile.stderr);
    assert.match(profile.stdout, /\ntemp_max +1461 +0 +16\.44 /);
  });

  test('Parquet streams, Arrow is refused by name; a truncated file: its problems with their lines on stderr, exit 0 (2 with --strict)', () => {
    const arrow = runCli(['compare', seattle, join(tmp.path, 'x.arrow'), '--stream']);
    assert.equal(arrow.code, 2);
    assert.match(arrow.stderr, /x\.arrow: the streaming mode reads CSV\/TSV, JSON Lines and Parquet files, not Arrow IPC/);
    // Parquet streams one row group at a time: the same table as CSV and as Parquet (3 row groups) do not differ.
    const same = json(['compare', fixtures('readers', 'mixed.csv'), fixtures('readers', 'mixed.snappy.parquet'), '--stream']).doc;
    const numeric = same.features.filter((f: { type: string }) => f.type === 'numeric');
    assert.deepEqual(numeric.map((f: { name: string }) => f.name), ['id', 'temp', 'count', 'ratio']);
    for (const f of numeric) assert.equal(f.ks.statistic.estimate, 0, f.name);
    const cut = join(tmp.path, 'cut.csv');
    writeFileSync(cut, 'precipitation,temp_max,temp_min,wind,weather\n1,2,3,4,rain\n0,5,1,2,"sun');
    const r = runCli(['compare', seattle, cut, '--stream']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cut\.csv:3:1: a quote is never closed/);
    const strict = runCli(['compare', seattle, cut, '--stream', '--strict']);
    assert.equal(strict.code, 2);
    // A JSON Lines file's problem is located as the in-memory compare locates it (file:line:column).
    const broken = join(tmp.path, 'broken.jsonl');
    writeFileSync(broken, '{"precipitation": 1, "wind": 2}\n{"precipitation": 0, "wind": 3}\n{"precipitation": 2, broken\n{"precipitation": 1, "wind": 1}\n');
    const where = (stderr: string) => stderr.split('\n').find((l) => l.includes('broken.jsonl:'))?.replace(/^.*?(broken\.jsonl:\d+:\d+): .*$/, '$1');
    const streamed = runCli(['compare', seattle, broken, '--stream']);
    const inMemory = runCli(['compare', seattle, broken]);
    assert.equal(where(streamed.stderr), 'broken.jsonl:3:1', streamed.stderr);
    assert.equal(where(streamed.stderr), where(inMemory.stderr), inMemory.stderr);
    // --label streams too (test/unit/core/stream/streamLabel.test.ts); --label with --labels is refused, as in memory.
    const labels = runCli(['compare', seattle, newYork, '--stream', '--label', 'weather', '--labels', 'weather,weather']);
    assert.equal(labels.code, 2);
    assert.match(labels.stderr, /use either --label or --labels, not both/);
  });

  test('date columns: the time ranges, overlap and calendar-part drift of the in-memory compare, in the JSON, the text and the HTML', () => {
    const a = join(tmp.path, 'dates-a.csv');
    const b = join(tmp.path, 'dates-b.csv');
    writeFileSync(a, makeDatesCsv(4000, 3, false));
    writeFileSync(b, makeDatesCsv(3000, 5, true));
    type Time = { referenceRange: string[]; otherRange: string[]; overlap: number; otherInReferenceRange: number; parts: unknown[]; decidedBy: string };
    const memory = json(['compare', a, b]).doc.comparisons[0].features as { name: string; type: string; time?: Time; drift: boolean }[];
    const html = join(tmp.path, 'dates.html');
    const stream = json(['compare', a, b, '--stream', '--html', html]).doc;
    for (const name of ['day', 'dmy', 'mon', 'ts']) {
      const m = memory.find((f) => f.name === name);
      const f = stream.features.find((x: { name: string }) => x.name === name);
      assert.equal(f.type, 'datetime', name);
      assert.equal(f.time.exact, true);
      for (const k of ['referenceRange', 'otherRange', 'overlap', 'parts', 'decidedBy'] as const) assert.deepEqual(f.time[k], m?.time?.[k], `${name} ${k}`);
      assert.equal(f.drift, m?.drift);
    }
    assert.deepEqual(stream.features.find((x: { name: string }) => x.name === 'dmy').time.formats, ['%d/%m/%Y', '%d/%m/%Y'], 'five late rows make it day-first');
    const late = stream.features.find((x: { name: string }) => x.name === 'late');
    assert.equal(late.type, 'categorical');
    assert.equal(memory.find((x) => x.name === 'late')?.type, 'datetime', 'in memory late is dates');
    const gaps = stream.recommendation.unavailableInputs.filter((u: { input: string }) => u.input === 'dates');
    assert.equal(gaps.length, 1);
    assert.match(gaps[0].message, /"late" holds dates \(by the sampled rows\) that could not be followed in one pass/);
    // The in-memory rule's reasons on the periods, word for word.
    const memoryReasons = json(['compare', a, b]).doc.recommendation.reasons as string[];
    for (const r of memoryReasons.filter((x) => /dates in "(day|dmy|mon|ts)" run/.test(x))) assert.ok(stream.recommendation.reasons.includes(r), `missing reason: ${r}`);
    const day = memory.find((f) => f.name === 'day')?.time as Time;
    const text = runCli(['compare', a, b, '--stream']).stdout;
    assert.ok(text.includes(`"day" (dates): ${day.referenceRange.join(' to ')} vs ${day.otherRange.join(' to ')}; time ranges overlap `), text);
    assert.match(text, /\n {2}"late" holds dates \(by the sampled rows\) that could not be followed in one pass/);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<h3>Dates<\/h3>/);
    assert.ok(page.includes(`<td>${day.referenceRange[0]}</td><td>${day.referenceRange[1]}</td>`), 'the reference range in the HTML');
    assert.match(page, /data-part="dayOfWeek"/);
  });
});
