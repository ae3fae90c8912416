/**
 * The language server's live profile (src/extension/serverProfile.ts) against the CLI's
 * `profile --json` of the same file: the fields both have agree. Shared by the unit test (a
 * server over stdio) and the integration test (the server behind the real language client).
 */
import assert from 'node:assert/strict';
import type { ColumnProfile, TableProfile } from '../../../src/core/profile';
import type { LiveTableProfile } from '../../../src/extension/serverProfile';

/** Sums are taken in different orders by the two processes: agreement to 1e-12, relative. */
function close(a: number | null, b: number | null, what: string): void {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) {
    assert.equal(a === null || !Number.isFinite(a), b === null || !Number.isFinite(b), `${what}: ${a} vs ${b}`);
    return;
  }
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
}

/** The CLI's document after JSON (NaN written as null). */
export type CliProfile = Omit<TableProfile, 'columns'> & { readonly columns: readonly ColumnProfile[] };

export function assertProfilesAgree(live: LiveTableProfile, cli: CliProfile): void {
  assert.deepEqual([live.name, live.path, live.rows, live.delimiter], [cli.name, cli.path, cli.rows, cli.delimiter]);
  assert.deepEqual(
    live.columns.map((c) => [c.name, c.type]),
    cli.columns.map((c) => [c.name, c.type]),
  );
  live.columns.forEach((l, i) => {
    const c = cli.columns[i];
    const at = `column ${c.name}`;
    assert.deepEqual([l.count, l.missing, l.distinct, l.typeErrors], [c.count, c.missing, c.distinct, c.typeErrors], at);
    if (l.type === 'numeric' && c.type === 'numeric') {
      close(l.mean, c.mean, `${at} mean`);
      close(l.std, c.std, `${at} std`);
      close(l.min, c.min, `${at} min`);
      close(l.max, c.max, `${at} max`);
      assert.deepEqual(l.quantiles.map((q) => q.q), c.quantiles.map((q) => q.q), `${at}: the CLI's quantile levels`);
      l.quantiles.forEach((q, k) => close(q.value, c.quantiles[k].value, `${at} q${q.q}`));
      assert.equal(l.histogram.counts.reduce((a, b) => a + b, 0), c.count, `${at}: every number in a bin`);
      assert.deepEqual(l.histogram.counts, c.histogram.counts, `${at}: the CLI's bins`);
      assert.equal(l.histogram.edges.length, c.histogram.edges.length, `${at} edges`);
      l.histogram.edges.forEach((e, k) => close(e, c.histogram.edges[k], `${at} edge ${k}`));
    } else if (l.type === 'categorical' && c.type === 'categorical') {
      // Values as written, ties in order of first appearance: the CLI's list exactly.
      assert.deepEqual(l.top, c.top, at);
    }
  });
}
