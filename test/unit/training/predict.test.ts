import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCsv } from '../../../src/training/predict';

test('toCsv neutralises cells a spreadsheet would run as a formula, keeps numbers, and --raw keeps everything', () => {
  const table = {
    arm: 'merged' as const,
    header: ['row', 'prediction', 'probability'],
    rows: [
      ['1', '=HYPERLINK("http://evil.example","click")', '0.5'],
      ['2', '+cmd', '-1.5'],
      ['3', '-2+3', '+4'],
      ['4', '@SUM(A1)', '-1e-7'],
      ['5', '\tx', '-Infinity'],
      ['6', '\r=1', 'plain'],
      ['7', 'a,b', '-'],
    ],
  };
  const lines = toCsv(table).split('\n');
  assert.equal(lines[0], 'row,prediction,probability');
  assert.equal(lines[1], `1,"'=HYPERLINK(""http://evil.example"",""click"")",0.5`);
  assert.equal(lines[2], "2,'+cmd,-1.5");
  assert.equal(lines[3], "3,'-2+3,+4");
  assert.equal(lines[4], "4,'@SUM(A1),-1e-7");
  assert.equal(lines[5], "5,'\tx,-Infinity");
  assert.equal(lines[6], `6,"'\r=1",plain`);
  assert.equal(lines[7], `7,"a,b",'-`);
  const raw = toCsv(table, { raw: true }).split('\n');
  assert.equal(raw[1], '1,"=HYPERLINK(""http://evil.example"",""click"")",0.5');
  assert.equal(raw[2], '2,+cmd,-1.5');
});
