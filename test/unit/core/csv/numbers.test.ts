import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNumberBytes, parseNumberString } from '../../../../src/core/csv/numbers';
import { parseCsvText } from '../../../../src/core/ingest';

function viaBytes(s: string): number | undefined {
  const b = Buffer.from(s, 'utf8');
  return parseNumberBytes(b, 0, b.length);
}

test('the byte fast path is bit-identical to Number() on random decimal syntax', () => {
  let seed = 99;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 4294967296) * n);
  };
  const digits = (n: number): string => Array.from({ length: n }, () => String(rand(10))).join('');
  let checked = 0;
  for (let i = 0; i < 200_000; i++) {
    const sign = ['', '-', '+'][rand(3)];
    const intPart = digits(rand(20));
    const frac = rand(2) ? `.${digits(rand(20))}` : '';
    const exp = rand(4) === 0 ? `${['e', 'E'][rand(2)]}${['', '-', '+'][rand(3)]}${rand(400)}` : '';
    const s = sign + intPart + frac + exp;
    const expected = Number(s);
    const validSyntax = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s);
    const actual = viaBytes(s);
    if (validSyntax && Number.isFinite(expected)) {
      assert.ok(Object.is(actual, expected), `${s}: ${actual} vs ${expected}`);
      checked++;
    } else {
      assert.ok(Number.isNaN(actual), `${s} should not be a number`);
    }
  }
  assert.ok(checked > 150_000);
});

test('edge cases of the fast path', () => {
  for (const s of ['0', '-0', '+0', '1.', '.5', '+.5e-3', '00012', '1E5', '9007199254740993', '9007199254740991', '0.1', '0.30000000000000004', '123456789012345678901234567890', '1e22', '1e23', '4.9e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '0.000000000000000000000000001']) {
    assert.ok(Object.is(viaBytes(s), Number(s)), s);
    assert.ok(Object.is(parseNumberString(s), Number(s)), s);
  }
});

test('not numbers: separators, hex, infinities, overflow, junk', () => {
  for (const s of ['1,234.5', '12abc', '0x1F', '0b11', '0o7', 'Infinity', '-Infinity', 'inf', '-inf', 'NaN', '1_000', '1e', 'e5', '.', '+', '-', '--1', '1.2.3', '1 2', '1e999', '-1e400', '$5', '5%']) {
    assert.ok(Number.isNaN(viaBytes(s) ?? parseNumberString(s)), s);
    assert.ok(Number.isNaN(parseNumberString(s)), s);
  }
});

test('cells are trimmed like String.prototype.trim, non-ASCII spaces included', () => {
  const t = parseCsvText('a\n 12 \n\t3.5\n\u00a07\u00a0\n"  -1e2 "\n', 'mem.csv');
  const a = t.columns[0];
  assert.ok(a.type === 'numeric');
  assert.deepEqual(Array.from(a.values), [12, 3.5, 7, -100]);
});
