import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  formatCount,
  formatDateTime,
  formatDuration,
  formatFixed,
  formatInterval,
  formatMetric,
  formatMetricDifference,
  formatNumber,
  formatPercent,
  formatPValue,
  formatRate,
  formatRelativeTime,
  formatSignificant,
  formatTick,
  runName,
  setFormatLocale,
} from '../../../src/protocol/format';

before(() => setFormatLocale('en-US'));
after(() => setFormatLocale(undefined));

test('numbers: four significant digits, thousands separators, exponents only at the extremes', () => {
  assert.equal(formatNumber(3372.7008), '3,373');
  assert.equal(formatNumber(20.083534136546184), '20.08');
  assert.equal(formatNumber(0.000123456), '0.0001235');
  assert.equal(formatNumber(0.00001234), '1.234e-5');
  assert.equal(formatNumber(8.1e-36), '8.1e-36');
  assert.equal(formatNumber(229000), '229,000');
  assert.equal(formatNumber(1.5e12), '1.5e12');
  assert.equal(formatNumber(-0.5), '-0.5');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(null), '–');
  assert.equal(formatNumber(Number.NaN), 'n/a');
  assert.equal(formatNumber(Number.POSITIVE_INFINITY), '∞');
});

test('counts, fixed decimals and percentages', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(12.6), '13');
  assert.equal(formatFixed(-0.8982), '-0.898');
  assert.equal(formatFixed(-0.804), '-0.804');
  assert.equal(formatFixed(1), '1.000');
  assert.equal(formatFixed(-0.0004), '0.000', 'no negative zero');
  assert.equal(formatPercent(0.815), '81.5%');
  assert.equal(formatPercent(1), '100.0%');
  assert.equal(formatPercent(-0.00001), '0.0%');
  assert.equal(formatPercent(0.5, 0), '50%');
});

test('one precision per metric, whatever the value', () => {
  assert.equal(formatMetric('accuracy', 1), '100.0%');
  assert.equal(formatMetric('macroF1', 1), '1.000');
  assert.equal(formatMetric('r2', -0.8982), '-0.898');
  assert.equal(formatMetric('r2', -0.804), '-0.804');
  assert.equal(formatMetric('mae', 3.14159), '3.142');
  assert.equal(formatMetricDifference('accuracy', 0.021), '+2.1 pts');
  assert.equal(formatMetricDifference('accuracy', -0.021), '-2.1 pts');
  assert.equal(formatMetricDifference('r2', 0.0121), '+0.012');
  assert.equal(formatMetricDifference('r2', 0.0001), '0.000', 'a difference that rounds to zero has no sign');
});

test('p-values: one rule, so the same p reads the same in every column', () => {
  assert.equal(formatPValue(0.0423), '0.042');
  assert.equal(formatPValue(0.00081), '8.1e-4');
  assert.equal(formatPValue(8.1e-36), '<1e-16');
  assert.equal(formatPValue(1e-16), '1e-16');
  assert.equal(formatPValue(1), '1.000');
});

test('intervals use the list separator of the locale', () => {
  assert.equal(formatInterval([0.77, 0.857], (v) => formatFixed(v)), '[0.770, 0.857]');
  assert.equal(formatInterval(null, (v) => formatFixed(v)), '');
  setFormatLocale('de-DE');
  try {
    assert.equal(formatInterval([0.77, 0.857], (v) => formatFixed(v)), '[0,770; 0,857]');
    assert.equal(formatNumber(3372.7008), '3.373');
    assert.equal(formatNumber(8.1e-6), '8,1e-6');
  } finally {
    setFormatLocale('en-US');
  }
});

test('durations, rates and times', () => {
  assert.equal(formatDuration(0.42), '0.42 s');
  assert.equal(formatDuration(12.4), '12 s');
  assert.equal(formatDuration(185), '3 min 5 s');
  assert.equal(formatDuration(3720), '1 h 2 min');
  assert.equal(formatRate(229000.4), '229,000 samples/s');
  assert.equal(formatRate(12.34), '12.3 samples/s');
  const now = Date.parse('2025-03-03T14:00:00Z');
  assert.equal(formatRelativeTime('2025-03-03T13:59:40Z', now), 'just now');
  assert.equal(formatRelativeTime('2025-03-03T13:55:00Z', now), '5 minutes ago');
  assert.equal(formatRelativeTime('2025-03-03T11:00:00Z', now), '3 hours ago');
  assert.equal(formatRelativeTime('2025-03-02T12:00:00Z', now), 'yesterday');
  assert.equal(formatRelativeTime('2025-02-01T12:00:00Z', now), formatDateTime('2025-02-01T12:00:00Z').replace(/, \d+:\d+ [AP]M$/, ''));
  assert.equal(formatRelativeTime('not a date', now), '–');
});

test('run names: the experiment and when, not the folder id', () => {
  const now = Date.parse('2025-03-03T14:00:00Z');
  assert.equal(runName({ runId: '20250303-135500-ab12', name: 'multihead seattle + new-york', createdAt: '2025-03-03T13:55:00Z' }, now), 'multihead seattle + new-york, 5 minutes ago');
  assert.equal(runName({ runId: '20250303-135500-ab12' }, now), '20250303-135500-ab12');
  assert.equal(runName({ runId: 'x', name: 'weather' }, now), 'weather');
});

test('errors and losses keep their trailing zeros; axis ticks write years without a separator', () => {
  // One column of RMSEs reads at one precision: 1.730 beside 2.243, not 1.73.
  assert.equal(formatSignificant(1.73), '1.730');
  assert.equal(formatSignificant(2.2431), '2.243');
  assert.equal(formatSignificant(12.5), '12.50');
  assert.equal(formatSignificant(0), '0.000');
  assert.equal(formatMetric('rmse', 1.73), '1.730');
  assert.equal(formatMetric('mae', 1234.56), '1,235');
  assert.equal(formatTick(1970), '1970');
  assert.equal(formatTick(12000), '12,000');
  assert.equal(formatTick(0.05), '0.05');
  assert.equal(formatTick(-250), '-250');
});
