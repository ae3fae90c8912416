// When Compare Datasets streams (src/extension/compareMode.ts): unset, the CLI's own rule, held
// to src/cli/stream.ts streamDecision on files just under and just over its limit (sparse files
// of that size); set, the files' total against the setting; never for files the streaming
// reader cannot read.
import assert from 'node:assert/strict';
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseArgs } from '../../../src/cli/args';
import { streamDecision, streamOptionSpecs } from '../../../src/cli/stream';
import { compareMode, defaultStreamAboveBytes } from '../../../src/extension/compareMode';
import { tempDir } from '../helpers';

const tmp = tempDir('dataset-lab-compare-mode-');
after(tmp.cleanup);

/** A sparse file of `bytes` bytes: its size is all the rule reads. */
function sized(name: string, bytes: number): string {
  const p = join(tmp.path, name);
  const fd = openSync(p, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return p;
}

describe('compareMode', () => {
  test('unset: the same decision as the CLI on files just under and just over its limit', { skip: process.env.DATASET_LAB_MAX_MEMORY ? 'DATASET_LAB_MAX_MEMORY changes the CLI\'s limit' : false }, () => {
    const limit = defaultStreamAboveBytes(totalmem());
    for (const [name, bytes] of [['under.csv', Math.floor(limit) - 1024], ['over.csv', Math.ceil(limit) + 1024]] as const) {
      const half = Math.floor(bytes / 2);
      const files = [sized(`a-${name}`, half), sized(`b-${name}`, bytes - half)];
      // The terminal's decision (no --json, no label): the one that streams by itself past the limit.
      const cli = streamDecision(files, parseArgs(files, streamOptionSpecs), tmp.path);
      const ours = compareMode(files.map((path, i) => ({ path, bytes: i === 0 ? half : bytes - half })), undefined, totalmem());
      assert.equal(ours.stream, cli.stream, `${name}: ${bytes} bytes`);
      assert.equal(ours.stream, name === 'over.csv');
    }
  });

  test('set: the files\' total against the setting, 0 streams every CSV comparison', () => {
    const files = (mb: number) => [{ path: 'a.csv', bytes: mb * 1024 ** 2 }, { path: 'b.tsv', bytes: mb * 1024 ** 2 }];
    assert.equal(compareMode(files(10), 25, 16 * 1024 ** 3).stream, false);
    const over = compareMode(files(13), 25, 16 * 1024 ** 3);
    assert.equal(over.stream, true);
    assert.match(over.reason ?? '', /streamAboveMB is 25/);
    assert.equal(compareMode(files(0.001), 0, 16 * 1024 ** 3).stream, true);
    assert.equal(compareMode(files(10), null, 16 * 1024 ** 3).stream, false, 'null: the CLI rule (4 GiB / 2.4)');
  });

  test('a file the streaming reader cannot read stays in memory, and the reason says so', () => {
    const m = compareMode([{ path: '/d/a.arrow', bytes: 50 * 1024 ** 2 }, { path: '/d/b.csv', bytes: 50 * 1024 ** 2 }], 10, 16 * 1024 ** 3);
    assert.equal(m.stream, false);
    assert.match(m.reason ?? '', /a\.arrow is not CSV\/TSV, JSON Lines or Parquet/);
    // JSON Lines and Parquet are read in bounded chunks: streamed like CSV.
    assert.equal(compareMode([{ path: '/d/a.parquet', bytes: 50 * 1024 ** 2 }, { path: '/d/b.jsonl', bytes: 50 * 1024 ** 2 }], 10, 16 * 1024 ** 3).stream, true);
  });
});
