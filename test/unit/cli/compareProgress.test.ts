// compare --progress-json through dist/cli.js: the stages arrive on stderr as JSON lines, in
// order (each file read from byte 0 to its size, profiling, feature drift column by column, the
// label, unit differences, the domain classifier fold by fold, the recommendation), with a
// fraction that never goes back; the JSON document on stdout is the same as without the flag;
// without the flag no progress line is written. The streaming mode reads, then compares sketches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCompareProgress, describeCompareProgress, type CompareProgressEvent } from '../../../src/protocol/compareProgress';
import { examples, runCli } from '../helpers';

const seattle = examples('weather', 'seattle.csv');
const newYork = examples('weather', 'new-york.csv');

function run(args: string[]): { doc: { comparisons?: { features: unknown[]; domainClassifier?: { folds: number } }[]; mode?: string }; events: CompareProgressEvent[]; other: string[] } {
  const r = runCli(args);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  const events = lines.map(parseCompareProgress).filter((e): e is CompareProgressEvent => e !== undefined);
  return { doc: JSON.parse(r.stdout), events, other: lines.filter((l) => !parseCompareProgress(l)) };
}

/** The stage sequence with repeats collapsed: read, read, profile, drift, ... */
const stages = (events: readonly CompareProgressEvent[]) => events.map((e) => (e.stage === 'read' ? `read:${e.fileIndex}` : e.stage)).filter((s, i, all) => s !== all[i - 1]);

describe('compare --progress-json', () => {
  test('the in-memory stages in order, each advancing to its total; the document unchanged', () => {
    const plain = run(['compare', seattle, newYork, '--label', 'weather', '--json']);
    assert.deepEqual(plain.events, [], 'no progress lines unless asked');
    const { doc, events } = run(['compare', seattle, newYork, '--label', 'weather', '--json', '--progress-json']);
    assert.deepEqual(doc, plain.doc, 'the same document with and without progress');
    assert.deepEqual(stages(events), ['read:0', 'read:1', 'profile', 'drift', 'label', 'units', 'domain', 'recommend']);
    // Each file from its first byte to its size.
    for (const i of [0, 1]) {
      const reads = events.filter((e) => e.stage === 'read' && e.fileIndex === i);
      assert.equal(reads[0].done, 0);
      assert.equal(reads.at(-1)?.done, reads.at(-1)?.total);
      assert.ok((reads.at(-1)?.total ?? 0) > 40_000, 'the file size in bytes');
      assert.equal(reads[0].file, i === 0 ? seattle : newYork);
      assert.equal(reads[0].files, 2);
    }
    // Drift: every matched column, counted up to the features the document lists.
    const drift = events.filter((e) => e.stage === 'drift');
    const features = doc.comparisons?.[0].features.length;
    assert.equal(drift[0].done, 0);
    assert.equal(drift.at(-1)?.done, features);
    assert.equal(drift.at(-1)?.total, features);
    // Domain classifier: its folds, as many as the document says it used.
    const folds = events.filter((e) => e.stage === 'domain' && e.total > 0);
    assert.deepEqual([folds[0].done, folds.at(-1)?.done, folds.at(-1)?.total], [0, doc.comparisons?.[0].domainClassifier?.folds, doc.comparisons?.[0].domainClassifier?.folds]);
    for (const e of events.filter((x) => x.stage !== 'read' && x.stage !== 'profile' && x.stage !== 'recommend')) assert.deepEqual([e.pair, e.pairs], [0, 1], `${e.stage}: pair 0 of 1`);
    // The fraction never goes back and stays within 0..1.
    const fractions = events.map((e) => e.fraction);
    assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b));
    assert.ok(fractions[0] >= 0 && (fractions.at(-1) ?? 2) <= 1);
    // Every event reads as words.
    assert.match(describeCompareProgress(drift.at(-1) as CompareProgressEvent), /^feature drift: 5 of 5 columns$/);
    assert.match(describeCompareProgress(folds[0]), /^domain classifier: fold 1 of 5$/);
  });

  test('no domain classifier: its stage is not announced', () => {
    const { events } = run(['compare', seattle, newYork, '--json', '--progress-json', '--no-domain-classifier']);
    assert.deepEqual(stages(events), ['read:0', 'read:1', 'profile', 'drift', 'label', 'units', 'recommend']);
  });

  test('three files: the pair stages once per pair against the reference', () => {
    const { events } = run(['compare', seattle, newYork, seattle, '--json', '--progress-json', '--no-domain-classifier']);
    assert.deepEqual(stages(events), ['read:0', 'read:1', 'read:2', 'profile', 'drift', 'label', 'units', 'drift', 'label', 'units', 'recommend']);
    assert.deepEqual([...new Set(events.filter((e) => e.stage === 'drift').map((e) => `${e.pair}/${e.pairs}`))], ['0/2', '1/2']);
  });

  test('streaming: each file read, then the sketches compared', () => {
    const { doc, events } = run(['compare', seattle, newYork, '--stream', '--json', '--progress-json']);
    assert.equal(doc.mode, 'streaming');
    assert.deepEqual(stages(events), ['read:0', 'read:1', 'sketch']);
    const last = events.filter((e) => e.stage === 'read' && e.fileIndex === 1).at(-1);
    assert.equal(last?.done, last?.total);
  });

  test('the reader: other stderr lines are not progress; unknown stages and extra fields are tolerated', () => {
    assert.equal(parseCompareProgress('a.csv:3:2: expected a number'), undefined);
    assert.equal(parseCompareProgress('note: reading 1 GiB in memory'), undefined);
    assert.equal(parseCompareProgress('{"type":"compareProgress","stage":'), undefined);
    const e = parseCompareProgress('{"type":"compareProgress","stage":"merge-sketches","done":2,"total":4,"fraction":0.7,"shard":3}');
    assert.deepEqual(e, { type: 'compareProgress', stage: 'merge-sketches', done: 2, total: 4, fraction: 0.7 });
    assert.equal(describeCompareProgress(e as CompareProgressEvent), 'merge-sketches: 2 of 4');
  });
});
