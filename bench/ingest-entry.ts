// In-process side of bench/ingest.mjs: times only the work inside this process, read + profile
// (`readCsvFile` + `profileTable`, what `dataset-lab profile` runs), after the bundle has loaded;
// the pandas side times read_csv + describe after `import pandas` the same way. The whole-process
// figures time the real `node dist/cli.js profile FILE --json` instead.
// Usage (bundled by bench/ingest.mjs): node ingest-entry.js FILE
import { readCsvFile } from '../src/core/ingest';
import { profileTable } from '../src/core/profile';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node ingest-entry.js FILE');
  const t0 = performance.now();
  const profile = profileTable(await readCsvFile(file));
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ rows: profile.rows, columns: profile.columns.length })}\n`);
  process.stderr.write(`inprocess_s=${seconds}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
