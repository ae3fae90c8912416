// The file-extension lists against package.json, which cannot import them: the explorer and
// editor menus (commands that read any data file) must name exactly DATA_FILE_EXTENSIONS; the
// contributed languages and their activation events (the language server's files) exactly
// CSV_EXTENSIONS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CSV_EXTENSIONS, CSV_GLOB, DATA_FILE_EXTENSIONS, DATA_FILE_GLOB, isCsvPath, isDataFilePath, isTabSeparatedPath, TAB_SEPARATED_EXTENSIONS } from '../../../src/protocol/files';
import { repoRoot } from '../helpers';

interface Manifest {
  activationEvents: string[];
  contributes: {
    menus: Record<string, { command: string; when?: string }[]>;
    languages: { id: string; extensions?: string[] }[];
  };
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;

/** Extensions a few tools write that are not tables we read. */
const OTHERS = ['.json', '.txt', '.xlsx', '.csvx', '.tsv.gz', '.parquet.crc', '.arrows', '.ndjson.gz', '.experiment.json'];

test('every menu that filters on resourceExtname matches exactly the data-file extensions, in any case', () => {
  const clauses = Object.values(manifest.contributes.menus)
    .flat()
    .map((m) => m.when ?? '')
    .filter((w) => w.includes('resourceExtname'));
  assert.ok(clauses.length >= 6, `found ${clauses.length} clauses`);
  for (const when of clauses) {
    const m = /resourceExtname =~ \/(.+?)\/([a-z]*)(?:\s|$)/.exec(when);
    assert.ok(m, `a regular expression in: ${when}`);
    const re = new RegExp(m[1], m[2]);
    for (const ext of DATA_FILE_EXTENSIONS) {
      assert.ok(re.test(ext) && re.test(ext.toUpperCase()), `${when} matches ${ext}`);
    }
    for (const ext of OTHERS) assert.ok(!re.test(ext), `${when} does not match ${ext}`);
  }
});

test('the contributed languages own exactly the CSV extensions, and each activates the extension', () => {
  const owners = manifest.contributes.languages.filter((l) => (l.extensions ?? []).some((e) => isCsvPath(`x${e}`)));
  assert.deepEqual(owners.flatMap((l) => l.extensions ?? []).sort(), [...CSV_EXTENSIONS].sort());
  for (const l of owners) assert.ok(manifest.activationEvents.includes(`onLanguage:${l.id}`), `onLanguage:${l.id}`);
  const tabOwners = owners.filter((l) => (l.extensions ?? []).some((e) => isTabSeparatedPath(`x${e}`)));
  assert.deepEqual(tabOwners.flatMap((l) => l.extensions ?? []).sort(), [...TAB_SEPARATED_EXTENSIONS].sort(), 'the tab-separated extensions are one language');
});

test('paths, URIs and the workspace glob', () => {
  for (const p of ['/data/a.csv', 'file:///C%3A/x/B.TSV', 'C:\\data\\c.Tab', 'weird name.csv']) assert.ok(isCsvPath(p), p);
  for (const p of ['/data/a.csv.bak', '/data/csv', '/x/a.json', 'a.tsvx']) assert.ok(!isCsvPath(p), p);
  assert.ok(isTabSeparatedPath('/d/x.TSV') && isTabSeparatedPath('/d/x.tab') && !isTabSeparatedPath('/d/x.csv'));
  // Globs are case-sensitive: both spellings of every extension.
  assert.equal(CSV_GLOB, '**/*.{csv,tsv,tab,CSV,TSV,TAB}');
  assert.equal(DATA_FILE_GLOB, '**/*.{csv,tsv,tab,parquet,arrow,feather,jsonl,CSV,TSV,TAB,PARQUET,ARROW,FEATHER,JSONL}');
  for (const p of ['/d/a.parquet', 'file:///x/B.Feather', 'c.ARROW', 'd.jsonl', 'e.csv']) assert.ok(isDataFilePath(p), p);
  for (const p of ['/d/a.parquet.crc', 'x.json', 'x.arrows']) assert.ok(!isDataFilePath(p), p);
  // The language server's list stays CSV/TSV.
  for (const p of ['/d/a.parquet', 'c.arrow', 'd.jsonl']) assert.ok(!isCsvPath(p), p);
});
