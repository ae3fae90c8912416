import { basename, extname, resolve } from 'node:path';
import { uniqueNames } from '../core/compare';
import { DEFAULT_MISSING_TOKENS, type IngestOptions } from '../core/ingest';
import { readTable } from '../core/readers/readTable';
import type { DataTable } from '../core/table';
import { UsageError, type ParsedArgs, flag, stringOption } from './args';
import type { CliIO } from './command';
import { displayText } from './format';
import { problemLocation } from '../protocol/format';
import { ProgressLine } from './progress';

/** Options every data-reading command shares. */
export const ingestOptionSpecs = [
  { name: 'delimiter', kind: 'string', description: 'field delimiter (default: sniffed among , ; tab |)' },
  { name: 'missing', kind: 'string', description: `comma-separated missing-value tokens (default: ${DEFAULT_MISSING_TOKENS.map((t) => (t === '' ? '""' : t)).join(',')})` },
  { name: 'strict', kind: 'boolean', description: 'treat recoverable input problems (ragged rows, broken quotes, type errors) as fatal' },
] as const;

export function ingestOptionsFrom(args: ParsedArgs): Omit<IngestOptions, 'name'> {
  const delimiter = stringOption(args, 'delimiter');
  const missing = stringOption(args, 'missing');
  const d = delimiter === '\\t' || delimiter === 'tab' ? '\t' : delimiter;
  if (d !== undefined && d.length !== 1) throw new UsageError(`--delimiter must be one character, got "${delimiter}"`);
  return {
    ...(d !== undefined ? { delimiter: d } : {}),
    ...(missing !== undefined ? { missingTokens: missing.split(',').map((t) => (t === '""' ? '' : t)) } : {}),
  };
}

/** Thrown by --strict when a file has recoverable problems. */
export class StrictInputError extends Error {
  readonly userFacing = true;
  readonly exitCode = 2;
}

export async function loadTables(files: readonly string[], args: ParsedArgs, io: CliIO): Promise<DataTable[]> {
  const options = ingestOptionsFrom(args);
  const names = uniqueNames(files.map((f) => basename(f, extname(f))));
  const progress = new ProgressLine(io.stderr);
  const tables: DataTable[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const file = files[i];
      const label = `reading ${displayText(basename(file))}`;
      io.compareProgress?.reading(i, 0);
      const table = await readTable(io.cwd === process.cwd() ? file : resolve(io.cwd, file), {
        ...options,
        name: names[i],
        onProgress: (done, total) => {
          progress.update(label, done, total);
          io.compareProgress?.reading(i, done, total);
        },
      });
      // Report paths as the user typed them.
      tables.push({ ...table, path: file, problems: table.problems.map((p) => ({ ...p, file })) });
    }
  } finally {
    progress.done();
  }
  for (const t of tables) {
    for (const p of t.problems) io.stderr.write(`${displayText(problemLocation(p))}: ${displayText(p.message)}\n`);
    if (t.problemCount > t.problems.length) {
      io.stderr.write(`${displayText(t.path)}: ... and ${t.problemCount - t.problems.length} more problem(s) not listed\n`);
    }
  }
  if (flag(args, 'strict')) {
    const bad = tables.filter((t) => t.problemCount > 0);
    if (bad.length) {
      throw new StrictInputError(`--strict: ${bad.map((t) => `${t.path} has ${t.problemCount} problem(s)`).join('; ')}`);
    }
  }
  return tables;
}
