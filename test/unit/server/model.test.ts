// The server's document model in process: the one-pass scan (numbers read while records are
// split) must classify every cell exactly as splitting first and classifying each field after
// (the scanner's parseRecord + fieldValue + parseNumber + missing tokens, the ingest's rules),
// and the bucket selection behind medians and MADs must agree with sorting.
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { CsvModel } from '../../../src/server/csvModel';
import { CellKind, FieldBuffer, MissingTokens, fieldValue, parseNumber, parseRecord } from '../../../src/server/csvScanner';
import { computeColumnStats, exactDistinct, medianInPlace, selectInPlace } from '../../../src/server/columnStats';
import { isAsciiSpace } from '../../../src/core/csv/numbers';
import { LineIndex } from '../../../src/server/lineIndex';
import { PieceText } from '../../../src/server/pieceText';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { seededRandom } from '../helpers';

const rng = seededRandom;

/** Cells chosen to sit on every edge of the number rule and the missing tokens. */
const CELLS = [
  '0', '-0', '+5', '007', '1.', '.5', '-.5', '+.', '-', '+', '.', '1e3', '1E-3', '2.5e+10', '1e', '1e+', '1e999',
  '123456789012345', '1234567890123456', '0.1234567890123456789', '99999999999999.9', '12.000000000000001',
  ' 42 ', '\t3.5', '4 ', '1,234.5', '1_000', '0x1F', 'Infinity', 'NaN', 'inf', '', ' ', 'NA', 'na', 'n/a', 'null',
  '-999', '-999.0', 'abc', 'Oslo', 'x y', '"7"', '"1.5"', '" 8 "', '"a,b"', '"he said ""hi"""', '"q"tail', '"NA"', '""',
  '3.14abc', '1.2.3', '--1', '+-1', '１２', 'é', '5\u00a0',
];

function randomCsv(rand: () => number, delim: string, rows: number): string {
  const cols = 1 + Math.floor(rand() * 6);
  const lines = [Array.from({ length: cols }, (_, c) => `c${c}`).join(delim)];
  for (let r = 0; r < rows; r++) {
    // Mostly rectangular rows, some short or long ones.
    const n = rand() < 0.9 ? cols : Math.max(1, cols + Math.floor(rand() * 5) - 2);
    const cells = Array.from({ length: n }, () => {
      const x = rand();
      if (x < 0.35) return (rand() * 2000 - 1000).toFixed(Math.floor(rand() * 7));
      if (x < 0.4) return String(Math.floor(rand() * 100));
      return CELLS[Math.floor(rand() * CELLS.length)].replace(/,/g, delim === ',' ? ',' : delim);
    });
    lines.push(cells.join(delim));
  }
  const brk = rand() < 0.2 ? '\r\n' : '\n';
  return lines.join(brk) + (rand() < 0.5 ? brk : '');
}

/** The two-pass reference: split with parseRecord, then classify each trimmed field value. */
function referenceCells(text: string, delim: string, tokens: readonly string[]): { kind: CellKind; value: number | string | undefined }[][] {
  const missing = new MissingTokens(tokens);
  const buf = new FieldBuffer();
  const out = { next: 0, end: 0, innerBreaks: 0, unterminatedAt: -1 };
  const d = delim.charCodeAt(0);
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  parseRecord(text, pos, d, buf, out);
  const ncols = buf.count;
  pos = out.next;
  const rows: { kind: CellKind; value: number | string | undefined }[][] = [];
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === 10 || c === 13) {
      pos++;
      continue;
    }
    parseRecord(text, pos, d, buf, out);
    const complete = buf.count === ncols && out.unterminatedAt < 0;
    const row: { kind: CellKind; value: number | string | undefined }[] = [];
    for (let f = 0; f < ncols; f++) {
      if (!complete) {
        row.push({ kind: CellKind.Absent, value: undefined });
        continue;
      }
      const raw = fieldValue(text, buf.starts[f], buf.ends[f], buf.quoted[f]);
      let s = 0;
      let e = raw.length;
      while (s < e && isAsciiSpace(raw.charCodeAt(s))) s++;
      while (e > s && isAsciiSpace(raw.charCodeAt(e - 1))) e--;
      const trimmed = raw.slice(s, e);
      if (missing.numericToken && missing.matches(trimmed, 0, trimmed.length)) row.push({ kind: CellKind.Missing, value: undefined });
      else {
        const v = parseNumber(trimmed, 0, trimmed.length);
        if (v === v) row.push({ kind: CellKind.Number, value: v });
        else if (missing.matches(trimmed, 0, trimmed.length)) row.push({ kind: CellKind.Missing, value: undefined });
        else row.push({ kind: CellKind.Text, value: trimmed });
      }
    }
    rows.push(row);
    pos = out.next;
  }
  return rows;
}

describe('server model: one-pass scan', () => {
  it('classifies every cell as splitting and then classifying does, on random CSVs', () => {
    const rand = rng(20261129);
    const setups: [string, string[]][] = [
      [',', ['', 'NA']],
      [';', ['', 'NA', 'null']],
      ['\t', ['']],
      ['|', ['-999', '']], // a numeric missing token: tokens are tested first
      [',', []],
    ];
    let cells = 0;
    for (let round = 0; round < 60; round++) {
      const [delim, tokens] = setups[round % setups.length];
      const text = randomCsv(rand, delim, 5 + Math.floor(rand() * 80));
      const model = new CsvModel({ delimiter: delim, missingTokens: tokens });
      model.begin(text);
      model.step(Infinity);
      const ref = referenceCells(text, delim, tokens);
      assert.equal(model.rows, ref.length, `rows, round ${round}`);
      for (let r = 0; r < ref.length; r++) {
        for (let c = 0; c < ref[r].length; c++) {
          const want = ref[r][c];
          const kind = model.store.kinds[c][r];
          assert.equal(kind, want.kind, `round ${round} row ${r} col ${c}: kind of ${JSON.stringify(want.value)}`);
          if (kind === CellKind.Number) assert.ok(Object.is(model.store.values[c]![r], want.value), `round ${round} row ${r} col ${c}: ${model.store.values[c]![r]} vs ${String(want.value)}`);
          if (kind === CellKind.Text) assert.equal(model.cellString(c, r), want.value);
          cells++;
        }
      }
    }
    assert.ok(cells > 5000, `compared ${cells} cells`);
  });

  it('gives equal rows equal hashes, whatever their spelling, and keeps them through edits', () => {
    const text = 'a,b,c\n1,x,2.50\n1.0,x,2.5\n"1",x, 2.5\n1,y,2.5\n';
    const model = new CsvModel({ delimiter: ',', missingTokens: [''] });
    model.begin(text);
    model.step(Infinity);
    assert.equal(model.rowHash(0), model.rowHash(1));
    assert.equal(model.rowHash(0), model.rowHash(2));
    assert.ok(model.sameValues(0, 2));
    assert.notEqual(model.rowHash(0), model.rowHash(3));
    // Turn row 3's "y" into "x": its hash must now equal row 0's.
    const at = text.indexOf('y');
    const edited = text.slice(0, at) + 'x' + text.slice(at + 1);
    assert.ok(model.applyEdit(edited, at, at + 1, at + 1) > 0);
    assert.equal(model.rowHash(3), model.rowHash(0));
  });
});

describe('server model: duplicate rows across edits', () => {
  it('keeps the duplicate index equal to a fresh scan of the edited text', () => {
    const rand = rng(31337);
    let incrementalChecks = 0;
    for (let round = 0; round < 12; round++) {
      // Few distinct values, so rows repeat and classes gain and lose their first rows.
      const values = ['1', '2', 'x', 'NA', '1.0'];
      const pick = () => values[Math.floor(rand() * values.length)];
      const lines = ['a,b'];
      for (let i = 0; i < 300; i++) lines.push(`${pick()},${pick()}`);
      let text = lines.join('\n') + '\n';
      const model = new CsvModel({ delimiter: ',', missingTokens: ['', 'NA'] });
      model.begin(text);
      model.step(Infinity);
      model.duplicateRows();
      for (let step = 0; step < 60; step++) {
        // One to three edits between checks: replace a cell, sometimes break or add a line.
        for (let e = 0, n = 1 + Math.floor(rand() * 3); e < n; e++) {
          const starts = [...text.matchAll(/\n/g)].map((m) => m.index! + 1).filter((o) => o < text.length);
          const at = starts[1 + Math.floor(rand() * (starts.length - 1))];
          const end = text.indexOf(',', at);
          const x = rand();
          const inserted = x < 0.85 ? pick() : x < 0.92 ? `${pick()},${pick()}\n${pick()}` : `${pick()},${pick()},${pick()}`;
          const next = text.slice(0, at) + inserted + text.slice(end);
          if (model.applyEdit(next, at, end, at + inserted.length) < 0) throw new Error('edit needed a full scan');
          text = next;
        }
        const got = model.duplicateRows().first;
        const fresh = new CsvModel({ delimiter: ',', missingTokens: ['', 'NA'] });
        fresh.begin(text);
        fresh.step(Infinity);
        const want = fresh.duplicateRows().first;
        assert.equal(got.length, want.length, `round ${round} step ${step}: rows`);
        assert.deepEqual(Array.from(got), Array.from(want), `round ${round} step ${step}`);
        incrementalChecks++;
      }
    }
    assert.equal(incrementalChecks, 720);
  });
});

describe('server model: memory', () => {
  it('keeps no view into the document text: dictionary entries and header names are copies', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const rows = ['a header name longer than thirteen characters,"another quoted header, also long"'];
    for (let i = 0; i < 150_000; i++) rows.push(`${i},"a category value longer than thirteen characters ${i % 40}"`);
    let text = rows.join('\n');
    rows.length = 0;
    const size = text.length;
    const model = new CsvModel({ delimiter: ',', missingTokens: [''] });
    model.begin(text);
    model.step(Infinity);
    assert.equal(model.cols[1].strings.length, 40);
    assert.equal(model.header[1].name, 'another quoted header, also long');
    // The document goes away (as after an edit replaces it): only the model's values remain.
    text = '';
    model.text = text;
    gc();
    const retained = process.memoryUsage().heapUsed - baseline;
    assert.ok(retained < size / 4, `the heap still holds ${retained} bytes of a ${size}-character text`);
    assert.equal(model.cellString(1, 7), 'a category value longer than thirteen characters 7');
  });
});

describe('server model: bucket selection', () => {
  it('finds every rank and the one below it as sorting does', () => {
    const rand = rng(7);
    const gens: (() => number)[] = [
      () => rand() * 100,
      () => Math.floor(rand() * 5), // heavy ties
      () => (rand() < 0.01 ? 1e12 : rand()), // one huge outlier squeezes the rest into a bucket
      () => (rand() < 0.5 ? -0 : 0),
      () => (rand() - 0.5) * 3e308, // a range (hi - lo) that overflows a double
      () => Math.exp(rand() * 40),
    ];
    for (const gen of gens) {
      for (const n of [1, 2, 3, 511, 512, 513, 4000, 20001]) {
        const values = Float64Array.from({ length: n }, gen);
        const sorted = Float64Array.from(values).sort();
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of values) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        for (const k of new Set([0, n >> 1, n - 1, Math.floor(rand() * n)])) {
          const xs = Float64Array.from(values);
          const got = selectInPlace(xs, n, k, lo, hi);
          assert.ok(got === sorted[k], `n=${n} k=${k}: ${got} vs ${sorted[k]}`);
        }
        const want = n % 2 ? sorted[n >> 1] : (sorted[(n >> 1) - 1] + sorted[n >> 1]) / 2;
        const got = medianInPlace(Float64Array.from(values), n, lo, hi);
        assert.ok(got === want || (Number.isNaN(got) && Number.isNaN(want)), `median n=${n}: ${got} vs ${want}`);
      }
    }
  });

  it('column statistics match a direct computation on a column with missing and text cells', () => {
    const rand = rng(99);
    const lines = ['v'];
    const nums: number[] = [];
    for (let i = 0; i < 3001; i++) {
      const x = rand();
      if (x < 0.05) lines.push('');
      else if (x < 0.07) lines.push('oops');
      else {
        const v = Math.round((rand() < 0.002 ? 1e6 : rand() * 50) * 100) / 100;
        nums.push(v);
        lines.push(String(v));
      }
    }
    const model = new CsvModel({ delimiter: ',', missingTokens: [''] });
    model.begin(lines.join('\n'));
    model.step(Infinity);
    const s = computeColumnStats(model, 0, 0.1);
    const sorted = [...nums].sort((a, b) => a - b);
    const med = (xs: number[]) => (xs.length % 2 ? xs[xs.length >> 1] : (xs[(xs.length >> 1) - 1] + xs[xs.length >> 1]) / 2);
    assert.equal(s.median, med(sorted));
    assert.equal(s.mad, med(nums.map((v) => Math.abs(v - s.median)).sort((a, b) => a - b)));
    assert.equal(s.histogram.reduce((a, b) => a + b, 0), nums.length);
    assert.equal(s.numbers, nums.length);
    // Past 20 distinct numbers the count is capped; the exact one comes on demand, as a Set counts.
    assert.ok(s.distinctCapped);
    assert.equal(exactDistinct(model, 0, s), new Set(nums).size + 1 /* "oops" */);
  });

  it('counts distinct numbers exactly, -0 and 0 as one, as a Set does', () => {
    const rand = rng(5);
    for (const n of [30, 1000, 50_000]) {
      const nums = Array.from({ length: n }, () => (rand() < 0.05 ? -0 : rand() < 0.3 ? Math.floor(rand() * 50) : Math.round(rand() * 1e6) / 1e3 - 500));
      const model = new CsvModel({ delimiter: ',', missingTokens: [''] });
      model.begin(['v', ...nums.map((v) => (Object.is(v, -0) ? '-0' : String(v)))].join('\n'));
      model.step(Infinity);
      const s = computeColumnStats(model, 0, 0.05);
      assert.equal(exactDistinct(model, 0, s), new Set(nums).size, `n=${n}`);
    }
  });
});

describe('server model: line index', () => {
  it('maps positions to offsets as TextDocument does, through random edits with LF, CRLF and CR breaks', () => {
    const rand = rng(4242);
    const pieces = ['a', 'bc', ',', '\n', '\r\n', '\r', '\r\r\n', '\n\r', '12.5', '', '"x\ny"'];
    const piece = () => pieces[Math.floor(rand() * pieces.length)];
    let checked = 0;
    for (let round = 0; round < 40; round++) {
      let text = Array.from({ length: 5 + Math.floor(rand() * 60) }, piece).join('');
      let doc = TextDocument.create('file:///t.csv', 'csv', 0, text);
      const index = new LineIndex(text);
      // The same edits kept in pieces (as during a burst), with their own line index.
      const pieces = new PieceText(text);
      const pieceIndex = new LineIndex(text);
      for (let step = 0; step < 40; step++) {
        assert.equal(index.lineCount, doc.lineCount, `round ${round} step ${step}: line count of ${JSON.stringify(text)}`);
        assert.equal(pieceIndex.lineCount, doc.lineCount);
        for (let k = 0; k < 8; k++) {
          const pos = { line: Math.floor(rand() * (doc.lineCount + 2)) - 1, character: Math.floor(rand() * 8) - 1 };
          assert.equal(index.offsetAt(text, pos.line, pos.character), doc.offsetAt(pos), `round ${round} step ${step}: ${JSON.stringify(pos)} in ${JSON.stringify(text)}`);
          assert.equal(pieceIndex.offsetAt(pieces, pos.line, pos.character), doc.offsetAt(pos), `pieces: round ${round} step ${step}: ${JSON.stringify(pos)}`);
          checked++;
        }
        // A random edit: replace a range (possibly empty) by some pieces (possibly none).
        // Offsets inside a CRLF have no position of their own: use ones that round-trip.
        const roundTrip = (o: number) => doc.offsetAt(doc.positionAt(o));
        const a = roundTrip(Math.floor(rand() * (text.length + 1)));
        const b = Math.max(a, roundTrip(Math.min(text.length, a + Math.floor(rand() * 6))));
        const inserted = Array.from({ length: Math.floor(rand() * 3) }, piece).join('');
        const range = { start: doc.positionAt(a), end: doc.positionAt(b) };
        doc = TextDocument.update(doc, [{ range, text: inserted }], step + 1);
        text = text.slice(0, a) + inserted + text.slice(b);
        assert.equal(doc.getText(), text);
        index.update(text, a, b, inserted.length);
        pieces.replace(a, b, inserted);
        pieceIndex.update(pieces, a, b, inserted.length);
        assert.equal(pieces.length, text.length);
        for (let i = -1; i <= text.length; i++) assert.ok(Object.is(pieces.charCodeAt(i), text.charCodeAt(i)), `pieces: character ${i} of ${JSON.stringify(text)}`);
      }
    }
    assert.ok(checked > 10000);
  });

  it('keeps 5,000 random replacements in pieces and joins them to the same text', () => {
    const rand = rng(777);
    let text = 'id,value\n' + Array.from({ length: 2000 }, (_, i) => `${i},${i * 3}`).join('\n') + '\n';
    const pieces = new PieceText(text);
    const inserts = ['', 'x', '12', ',', '\n', '\r\n', 'a longer inserted piece, with a comma'];
    for (let step = 0; step < 5000; step++) {
      const a = Math.floor(rand() * (text.length + 1));
      const b = Math.min(text.length, a + Math.floor(rand() * 5));
      const inserted = inserts[Math.floor(rand() * inserts.length)];
      text = text.slice(0, a) + inserted + text.slice(b);
      pieces.replace(a, b, inserted);
      assert.equal(pieces.length, text.length);
      const probe = Math.floor(rand() * text.length);
      assert.equal(pieces.charCodeAt(probe), text.charCodeAt(probe), `step ${step}`);
    }
    assert.equal(pieces.toString(), text);
  });
});
